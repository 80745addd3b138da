// Folio in Spanish, in Chromium with the host mocked: a window whose system language is Spanish
// (es-US) opens in Spanish with US money ("$2,556.39") and Spanish dates ("24 nov 2026"); an
// English window switched to Español in Settings changes every screen at once, keeps the choice
// across a reload, and says so to screen readers (<html lang="es">). The documentation's Spanish
// screenshots come from here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist } from "./harness.mjs";

const screenshots = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
let server;
let browser;
let demo;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(screenshots, { recursive: true });
  // The demo member's own claims and year of costs, as folio-core's tests/claims.rs wrote them.
  demo = JSON.parse(await readFile(new URL("./fixtures/claims-demo.json", import.meta.url), "utf8"));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const plan = "Folio Sandbox Health Plan (demo)";
const connection = { id: "c-1", planId: "demo", planName: plan, patientId: "demo-patient", status: "connected",
  grantedScopes: ["patient/*.rs"], scopesNotGranted: [], tokenExpiresAt: null, access: null, lastSyncedAt: "2026-11-29T10:00:00Z", records: 1342,
  problem: null, kind: "plan" };
const item = (resourceType, resourceId, title, kind, date, opensOn) => ({ connectionId: "c-1", planName: plan, resourceType, resourceId, date, title,
  fullTitle: null, kind, sensitive: false, otherSources: [], ...(opensOn ? { opensOn } : {}) });
const overview = {
  coverages: [{ planName: plan, connectionId: "c-1", payor: "Folio Sandbox Health Plan", memberId: "FSH199841812", plan: "Folio Sandbox PPO Gold",
    group: "Folio Sandbox Employer Group", kind: null, start: "2020-01-01", end: null, status: "active", relationship: null }],
  counts: [
    { resourceType: "Observation", kind: "Labs and vital signs", count: 610 },
    { resourceType: "ExplanationOfBenefit", kind: "Claims", count: 212 },
    { resourceType: "Encounter", kind: "Visits", count: 140 },
    { resourceType: "Immunization", kind: "Immunizations", count: 1 },
  ],
  lastVisit: "2026-11-20T18:30:00Z",
  changed: [{ resourceType: "ExplanationOfBenefit", kind: "Claims", count: 1 }, { resourceType: "Observation", kind: "Labs and vital signs", count: 5 }],
  newItems: [
    item("Observation", "obs-901", "Hemoglobin A1c", "Lab or vital sign", "2026-11-24T09:30:00Z"),
    item("ExplanationOfBenefit", "eob-412", "Claim", "Claim", "2026-11-24", "claim"),
    item("ExplanationOfBenefit", "pa-9", "Prior authorization", "Prior authorization", "2026-11-23", "prior_authorization"),
  ],
};
const health = {
  medications: [{ name: "amlodipine 5 MG Oral Tablet", status: "active", dosage: null, prescriber: null, lastFilled: "2026-10-03",
    pharmacy: "Corner Street Pharmacy", daysSupply: 30, fills: 22, since: null, latest: null, rxnorm: null, sources: [] }],
  conditions: [], allergies: [], immunizations: [], visits: [], visitsTotal: 0, careTeam: [], readLimit: 5000, readInPart: [],
};
const auths = { total: 2, pending: 1, approved: 1, partlyApproved: 0, denied: 0, expiring: [] };

function host() {
  return `(() => { const demo = ${JSON.stringify(demo)}; return (cmd, args) => {
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "overview") return ${JSON.stringify(overview)};
    if (cmd === "list_connections") return ${JSON.stringify([connection])};
    if (cmd === "list_plans" || cmd === "lab_tests" || cmd === "prior_authorizations") return [];
    if (cmd === "cost_summary") return demo.summary;
    if (cmd === "my_health") return ${JSON.stringify(health)};
    if (cmd === "prior_auth_overview") return ${JSON.stringify(auths)};
    if (cmd === "timeline") return { items: [], nextCursor: null };
    if (cmd === "background_sync") return { everyHours: 24 };
    if (cmd === "launch_at_login") return false;
    if (cmd === "claims") {
      const items = demo.page.items.slice(args.query.offset, args.query.offset + args.query.limit);
      const end = args.query.offset + items.length;
      return { ...demo.page, items, nextOffset: end < demo.page.items.length ? end : null };
    }
    if (cmd === "claim") return demo.details[args.resourceId];
    throw "unexpected " + cmd;
  }; })()`;
}

/** A window whose system language is `locale` (Chromium's navigator.language and languages). */
async function open(locale, hash = "") {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The demo's claims are of 2026: "this year".
  await page.clock.setFixedTime(new Date("2026-11-29T12:00:00Z"));
  await page.addInitScript({ content: await mockScript(host()) });
  await page.goto(`${server.url}${hash}`);
  return { page, context, errors };
}

const money = (locale, v) => new Intl.NumberFormat(locale, { style: "currency", currency: "USD" }).format(v);

test("a Spanish system opens Folio in Spanish, with US money and Spanish dates", async () => {
  const { page, context, errors } = await open("es-US");
  await page.getByTestId("since-last-visit").waitFor();
  await hostIdle(page, "every tile's answer");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "es");
  assert.equal(await page.getByRole("heading", { level: 2 }).first().textContent(), "Resumen");
  assert.equal(await page.getByRole("navigation", { name: "Pantallas" }).getByRole("link", { name: "Reclamaciones" }).getAttribute("href"), "#/claims");
  // Plurals by Spanish rules: one claim (singular), five labs (plural).
  assert.match(await page.getByTestId("since-last-visit").textContent(), /6 registros nuevos o actualizados: 1 reclamación, 5 análisis y signos vitales/);
  // A record's kind in Spanish (from its FHIR type), its day as Spanish writes it.
  assert.match(await page.getByTestId("new-item").first().textContent(), /Hemoglobin A1c\s*Análisis o signo vital · 24 nov 2026/);
  // Money as es-US writes dollars: what the member owes this year.
  const owe = demo.summary.plans[0].youOwe;
  assert.equal(money("es-US", owe), "$2,556.39", "es-US writes dollars as US members read them");
  assert.equal(await page.getByTestId("costs-answer").textContent(), `Usted debe ${money("es-US", owe)} este año`);
  assert.match(await page.getByTestId("overview-balance").first().textContent(), /Usted ha alcanzado \$1,500\.00 de su deducible de \$1,500\.00/);
  assert.equal(await page.getByTestId("medicines-answer").textContent(), "1 medicamento que toma");
  assert.equal(await page.getByTestId("prior-auth-answer").textContent(), "1 autorización previa pendiente");
  assert.deepEqual(await axeViolations(page), [], "axe in Spanish");
  await page.screenshot({ path: `${screenshots}overview-es.png` });

  // The claims screen: headings, columns, statuses and amounts in Spanish.
  await page.goto(`${server.url}#/claims`);
  await page.getByTestId("claim-row").first().waitFor();
  await hostIdle(page, "the claims");
  const costs = await page.getByTestId("cost-summary").textContent();
  const p = demo.summary.plans[0];
  assert.ok(costs.includes(`Según sus reclamaciones, usted debe ${money("es-US", p.youOwe)} por ${p.claims} reclamaciones de ${p.planName}.`), costs);
  const header = await page.locator("table.claims thead").textContent();
  for (const column of ["Fecha del servicio", "Proveedor", "Tipo", "Facturado", "Usted debe", "Estado", "Red"]) assert.ok(header.includes(column), header);
  const statuses = await page.getByTestId("claim-status").allTextContents();
  assert.ok(statuses.every((s) => ["Pagada", "Denegada", "Denegada en parte", "Pendiente", "Ajustada", "Procesada en parte", "No procesada", "Cancelada"].includes(s)), statuses.join());
  assert.deepEqual(await axeViolations(page), [], "axe on the claims in Spanish");
  await page.screenshot({ path: `${screenshots}claims-es.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an English window switched to Español in Settings changes at once and keeps the choice", async () => {
  const { page, context, errors } = await open("en-US", "#/settings");
  const language = page.getByTestId("language");
  await language.waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await page.locator("#settings-heading").textContent(), "Settings");
  assert.ok(await language.getByLabel("Same as the system (English)").isChecked());
  await language.getByLabel("Español").check();
  await page.locator("#settings-heading", { hasText: "Configuración" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "es");
  assert.equal(await page.getByRole("link", { name: "Planes de salud" }).getAttribute("href"), "#/plans");
  assert.ok(await page.getByLabel("Diaria (predeterminada)").isChecked());
  // Kept: the next window opens in Spanish, money still as US members read it.
  await page.reload();
  await page.goto(`${server.url}#/`);
  await page.getByTestId("costs-answer").waitFor();
  await hostIdle(page, "every tile's answer");
  assert.equal(await page.getByTestId("costs-answer").textContent(), `Usted debe ${money("es-US", demo.summary.plans[0].youOwe)} este año`);
  // Back to the system's language.
  await page.goto(`${server.url}#/settings`);
  await page.getByTestId("language").getByLabel("Igual que el sistema (English)").check();
  await page.locator("#settings-heading", { hasText: "Settings" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("folio.language")), null);
  assert.deepEqual(errors, []);
  await context.close();
});
