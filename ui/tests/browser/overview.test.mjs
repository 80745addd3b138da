// The overview in Chromium with the host mocked: a dashboard of answers, each tile a link to its
// screen (what is new since the last visit, the year's costs with deductible progress, the
// medicines the member takes, prior authorizations, the plans' sync state, insurance cards);
// a tile that fails leaves the others; no plan → connect one; axe in light and dark; every
// screen fits 900 px; the documentation's screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const screenshots = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
let server;
let browser;
let demo;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(artifacts, { recursive: true });
  // The demo member's own year of costs, as folio-core's tests/claims.rs wrote them.
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
const card = (over) => ({ planName: plan, connectionId: "c-1", payor: "Folio Sandbox Health Plan", memberId: "FSH199841812",
  plan: "Folio Sandbox PPO Gold", group: "Folio Sandbox Employer Group", kind: "health insurance plan policy", start: "2020-01-01",
  end: null, status: "active", relationship: "Self", ...over });
const item = (resourceType, resourceId, title, kind, date, opensOn) => ({ connectionId: "c-1", planName: plan, resourceType, resourceId, date, title,
  fullTitle: null, kind, sensitive: false, otherSources: [], ...(opensOn ? { opensOn } : {}) });
const data = {
  coverages: [card({ start: "2016-01-01", end: "2019-12-31", status: "cancelled", plan: "Folio Sandbox HMO Silver" }), card({})],
  counts: [
    { resourceType: "Observation", kind: "Labs and vital signs", count: 610 },
    { resourceType: "ExplanationOfBenefit", kind: "Claims", count: 212 },
    { resourceType: "Encounter", kind: "Visits", count: 140 },
    { resourceType: "Immunization", kind: "Immunizations", count: 31 },
  ],
  lastVisit: "2026-11-20T18:30:00Z",
  changed: [{ resourceType: "ExplanationOfBenefit", kind: "Claims", count: 3 }, { resourceType: "Observation", kind: "Labs and vital signs", count: 5 }],
  newItems: [
    item("Encounter", "enc-88", "General examination of patient", "Visit", "2026-11-24T09:00:00Z"),
    item("Observation", "obs-901", "Hemoglobin A1c", "Lab or vital sign", "2026-11-24T09:30:00Z"),
    item("Observation", "obs-902", "Cholesterol", "Lab or vital sign", "2026-11-24T09:30:00Z"),
    item("ExplanationOfBenefit", "eob-412", "Claim", "Claim", "2026-11-24", "claim"),
    item("ExplanationOfBenefit", "pa-9", "Prior authorization", "Prior authorization", "2026-11-23", "prior_authorization"),
  ],
};
const med = (name, status, extra) => ({ name, status, dosage: null, prescriber: null, lastFilled: null, pharmacy: null, daysSupply: null,
  fills: 0, since: null, latest: null, rxnorm: null, sources: [], ...extra });
const health = {
  medications: [
    med("amlodipine 5 MG Oral Tablet", "active", { lastFilled: "2026-10-03", pharmacy: "Corner Street Pharmacy", daysSupply: 30, fills: 22 }),
    med("lisinopril 10 MG Oral Tablet", "active", { lastFilled: "2026-09-14", pharmacy: "Corner Street Pharmacy", daysSupply: 30, fills: 41 }),
    med("metformin hydrochloride 500 MG Oral Tablet", "on_hold", {}),
    med("amoxicillin 500 MG Oral Capsule", "stopped", { lastFilled: "2024-01-09", fills: 1 }),
  ],
  conditions: [], allergies: [], immunizations: [], visits: [], visitsTotal: 0, careTeam: [], readLimit: 5000, readInPart: [],
};
const pa = (id, status, services, from = null, until = null) => ({ connectionId: "c-1", resourceId: id, planName: plan, status, number: `PA2026${id}`,
  services, provider: "Dr. Maya Chen", requested: "2026-09-01T09:20:00Z", decided: status === "pending" ? null : "2026-09-05T14:20:00Z",
  approvedFrom: from, approvedUntil: until });
const priorAuths = { total: 5, pending: 1, approved: 2, partlyApproved: 1, denied: 1,
  expiring: [pa("003", "partly_approved", ["Self-care and home management training, each 15 minutes"], "2026-09-05", "2027-03-04")] };

/** The host: every tile's answer, or (named in `failing`) an error for that command. */
function handler({ overview = data, connections = [connection], costs = demo.summary, auths = priorAuths, failing = [] } = {}) {
  return `(() => (cmd, args) => {
    const failing = ${JSON.stringify(failing)};
    if (failing.includes(cmd)) throw { code: "storage_query_failed", message: "The records could not be read." };
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "overview") { window.__sensitive = args.includeSensitive; return ${JSON.stringify(overview)}; }
    if (cmd === "list_connections") return window.__connections ?? ${JSON.stringify(connections)};
    if (cmd === "cost_summary") return ${JSON.stringify(costs)};
    if (cmd === "my_health") return ${JSON.stringify(health)};
    if (cmd === "prior_auth_overview") return ${JSON.stringify(auths)};
    if (cmd === "list_plans") return [];
    if (cmd === "timeline") return { items: [], nextCursor: null };
    if (cmd === "lab_tests") return [];
    if (cmd === "prior_authorizations") return [];
    throw "unexpected " + cmd;
  })()`;
}

async function open(host, { colorScheme = "light", width = 1280 } = {}) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The demo's claims are of 2026: "this year".
  await page.clock.setFixedTime(new Date("2026-11-29T12:00:00Z"));
  await page.addInitScript({ content: await mockScript(handler(host)) });
  await page.goto(server.url);
  await page.getByTestId("since-last-visit").waitFor();
  await hostIdle(page, "every tile's answer");
  return { page, errors };
}

const hrefOf = (locator) => locator.getAttribute("href");

test("each tile answers first and links to its screen", async () => {
  const { page, errors } = await open();
  // What is new, each item opening its record.
  const news = page.getByTestId("since-last-visit");
  assert.match(await news.textContent(), /8 new or updated records: 3 claims, 5 labs and vital signs/);
  const items = page.getByTestId("new-item");
  assert.equal(await items.count(), 5);
  assert.match(await items.nth(1).textContent(), /Hemoglobin A1c\s*Lab or vital sign · Nov 24, 2026/);
  assert.equal(await hrefOf(items.nth(1).getByRole("link")), "#/records/Observation/obs-901?source=c-1");
  // A claim opens on the claim screen, a prior authorization on its own, not on their records.
  assert.equal(await hrefOf(items.nth(3).getByRole("link")), "#/claims/eob-412?source=c-1");
  assert.equal(await hrefOf(items.nth(4).getByRole("link")), "#/prior-authorizations/pa-9?source=c-1");

  // Costs: the demo member's year, the deductible met, the out-of-pocket maximum.
  const costs = page.getByTestId("costs-tile");
  assert.equal(await page.getByTestId("costs-answer").textContent(), "You owe $2,556.39 this year");
  assert.match(await costs.textContent(), /From 28 claims · billed \$12,356\.00 · your plan paid \$5,552\.67/);
  const balances = page.getByTestId("overview-balance");
  assert.equal(await balances.count(), 2, "the member's own deductible and out-of-pocket maximum");
  assert.match(await balances.nth(0).textContent(), /You have met \$1,500\.00 of your \$1,500\.00 deductible/);
  assert.match(await balances.nth(1).textContent(), /You have paid \$2,509\.28 of your \$4,500\.00 out-of-pocket maximum/);
  assert.equal(await balances.nth(1).getByRole("progressbar").getAttribute("aria-valuenow"), "56");
  assert.equal(await hrefOf(costs.getByRole("link", { name: "Costs and deductible" })), "#/claims");

  // Medicines: the ones taken (active and on hold), not the stopped one.
  const meds = page.getByTestId("medicines-tile");
  assert.equal(await page.getByTestId("medicines-answer").textContent(), "3 medicines you take");
  assert.match(await meds.textContent(), /amlodipine 5 MG Oral Tablet\s*Last filled Oct 3, 2026/);
  assert.doesNotMatch(await meds.textContent(), /amoxicillin/);
  assert.equal(await hrefOf(meds.getByRole("link", { name: "Medicines" })), "#/health/medications");
  assert.equal(await hrefOf(meds.getByRole("link", { name: "Conditions" })), "#/health/conditions");

  // Prior authorizations: the pending one first.
  const auths = page.getByTestId("prior-auth-tile");
  assert.equal(await page.getByTestId("prior-auth-answer").textContent(), "1 prior authorization pending");
  assert.match(await auths.textContent(), /1 pending · 2 approved · 1 partly approved · 1 denied/);
  assert.equal(await hrefOf(auths.getByRole("link", { name: "Prior authorizations" })), "#/prior-authorizations");

  // The plans and their sync state; the insurance cards.
  assert.match(await page.getByTestId("overview-connection").textContent(), /Connected.*Up to date as of Nov 29, 2026.*1,342 records/s);
  assert.equal(await hrefOf(page.getByRole("link", { name: "Your plans" })), "#/plans");
  const cards = page.getByTestId("coverage-card");
  assert.equal(await cards.count(), 2);
  assert.match(await cards.nth(0).textContent(), /Active.*Folio Sandbox PPO Gold.*FSH199841812.*since Jan 1, 2020/s, "the active card first");
  assert.match(await cards.nth(1).textContent(), /Ended.*Jan 1, 2016 – Dec 31, 2019/s);
  assert.match(await page.getByRole("heading", { name: /On this computer/ }).textContent(), /993 records/);
  assert.equal(await page.evaluate(() => window.__sensitive), false);
  await page.screenshot({ path: `${screenshots}overview.png`, fullPage: true });

  // A tile is a link that opens its screen; Back returns to the overview.
  await costs.getByRole("link", { name: "Costs and deductible" }).click();
  await page.getByRole("heading", { level: 2, name: "Claims and costs" }).waitFor();
  await page.getByTestId("back").click();
  await page.getByTestId("costs-answer").waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("a tile that cannot read says so and the others still show", async () => {
  const { page, errors } = await open({ failing: ["cost_summary", "my_health"] });
  await page.getByTestId("costs-tile").getByText(/could not be read/).waitFor();
  await page.getByTestId("medicines-tile").getByText(/could not be read/).waitFor();
  assert.match(await page.getByTestId("costs-tile").textContent(), /Your costs could not be read just now\. Folio could not read its database\./);
  assert.match(await page.getByTestId("medicines-tile").textContent(), /Your medicines could not be read just now/);
  assert.equal(await page.getByTestId("prior-auth-answer").textContent(), "1 prior authorization pending");
  assert.equal(await page.getByTestId("new-item").count(), 5);
  assert.equal(await page.getByTestId("coverage-card").count(), 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the plans shown follow Folio's events: syncing, then a plan that needs a new sign-in", async () => {
  const { page, errors } = await open();
  const row = page.getByTestId("overview-connection");
  assert.match(await row.textContent(), /Connected.*1,342 records/s);
  const emit = (payload) => page.evaluate((p) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "folio-event-message", payload: p }), payload);
  await emit({ kind: "syncStarted", runId: 7, connectionId: "c-1" });
  await row.getByText("Downloading your records now…").waitFor();
  // The host's next answer, and the event the core sends with it.
  await page.evaluate((c) => { window.__connections = [c]; }, { ...connection, status: "reconnect_needed", records: 1400 });
  await emit({ kind: "syncFinished", runId: 7, connectionId: "c-1", report: null, error: null });
  await emit({ kind: "connectionChanged", connectionId: "c-1" });
  await row.getByText("Reconnect needed").waitFor();
  assert.match(await row.textContent(), /Sign in again to download new records · 1,400 records/);
  assert.equal(await hrefOf(row.getByRole("link", { name: "Sign in again" })), "#/plans");
  assert.deepEqual(errors, []);
  await page.close();
});

test("with no plan connected, the overview says to connect one", async () => {
  const none = { coverages: [], counts: [], lastVisit: null, changed: [], newItems: [] };
  const costs = { year: null, years: [], plans: [] };
  const { page, errors } = await open({ overview: none, connections: [], costs });
  assert.match(await page.getByTestId("since-last-visit").textContent(), /first visit/);
  assert.equal(await page.getByTestId("costs-tile").count(), 0, "no empty tiles before a plan is connected");
  await page.getByTestId("overview-no-plans").getByRole("link", { name: "Connect a plan" }).click();
  await page.getByRole("heading", { name: "Your health plans" }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("a plan with no claims or prior authorizations yet says what will show", async () => {
  const noAuths = { total: 0, pending: 0, approved: 0, partlyApproved: 0, denied: 0, expiring: [] };
  const { page, errors } = await open({ costs: { year: null, years: [], plans: [] }, auths: noAuths });
  await page.getByTestId("prior-auth-answer").waitFor();
  assert.match(await page.getByTestId("costs-tile").textContent(), /No claims yet.*When your plan sends its claims/s);
  assert.equal(await page.getByTestId("prior-auth-answer").textContent(), "No prior authorizations on record");
  assert.match(await page.getByTestId("prior-auth-tile").textContent(), /When your plan decides on care that needs its approval first/);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the overview passes axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(undefined, { colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), []);
    if (scheme === "dark") await page.screenshot({ path: `${screenshots}overview-dark.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

for (const width of [900, 1280, 2560]) {
  test(`the side bar holds every screen in one column at ${width} px, nothing wraps or scrolls sideways`, async () => {
    const { page, errors } = await open(undefined, { width });
    const links = page.getByRole("navigation", { name: "Screens" }).getByRole("link");
    assert.equal(await links.count(), 10);
    // The longest name, as the current screen (in bold).
    await links.filter({ hasText: "Prior authorizations" }).click();
    await page.getByRole("heading", { level: 2, name: "Prior authorizations" }).waitFor();
    const boxes = await links.evaluateAll((as) => as.map((a) => {
      const r = a.getBoundingClientRect();
      return { left: r.left, height: r.height };
    }));
    assert.ok(boxes.every((b) => b.left === boxes[0].left), "one column");
    assert.ok(boxes.every((b) => b.height === boxes[0].height), `every link on one line: ${JSON.stringify(boxes)}`);
    const width_ = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width_ <= width, `${width_} px wide`);
    if (width === 900) await page.screenshot({ path: `${artifacts}browser-overview-900.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("every screen fits a 900 px wide window without sideways scrolling", async () => {
  const { page, errors } = await open(undefined, { width: 900 });
  const screens = { Overview: "Overview", "Health plans": "Your health plans", Records: "Your records", "Labs and vitals": "Labs and vitals",
    Claims: "Claims and costs", "Prior authorizations": "Prior authorizations", Export: "Export your history", "This computer": "This computer's Folio" };
  for (const [name, heading] of Object.entries(screens)) {
    await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
    // Measured once the screen is up and shows what the host answered.
    await page.getByRole("heading", { level: 2, name: heading, exact: true }).waitFor();
    await hostIdle(page, `${name}: the host's answers`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 900, `${name}: ${width} px wide`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
