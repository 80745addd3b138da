// The claims and costs screen in Chromium with the host mocked: the year's costs with deductible
// and out-of-pocket progress, the list (date, provider, kind, billed, you owe, status, network),
// the year filter and a plan that sends no balances, a partly denied claim laid out like a paper
// EOB with the denial's reason in words, a pharmacy claim, printing, and axe in light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const screenshots = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(artifacts, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const plan = "Folio Sandbox Health Plan (demo)";
const row = (id, start, provider, kind, kindLabel, billed, youOwe, status, statusLabel, inNetwork, extra = {}) => ({
  connectionId: "c-1", resourceId: id, planName: plan, claimNumber: `CLM000${id}`, start, end: start, provider, kind, kindLabel,
  status, statusLabel, inNetwork, currency: "USD", billed, planPaid: billed === null ? null : Math.round(billed * 40) / 100, youOwe, drug: null, ...extra,
});
const rows2026 = [
  row("101", "2026-11-18", "Riverside Family Clinic", "doctor", "Doctor", 412.0, 25, "partly_denied", "Partly denied", true, { planPaid: 105.5 }),
  row("102", "2026-11-02", "Corner Pharmacy", "pharmacy", "Pharmacy", 48.5, 10, "paid", "Paid", true, { drug: "Atorvastatin 20 MG Oral Tablet", planPaid: 31.2 }),
  row("103", "2026-09-14", "Lakeside Smiles Dental", "dental", "Dental", 315.0, 25, "paid", "Paid", true),
  row("104", "2026-08-30", "St. Mary Medical Center", "hospital_stay", "Hospital stay", 103681.0, 1240.0, "paid", "Paid", true),
  row("105", "2026-07-09", "Clear View Eye Care", "vision", "Vision", 236.0, 25, "paid", "Paid", true),
  row("106", "2026-05-21", "Riverside Family Clinic", "doctor", "Doctor", 172.0, 0, "denied", "Denied", true),
  row("107", "2026-03-03", "Northside Urgent Care", "outpatient", "Outpatient", 1890.25, 628.4, "paid", "Paid", false),
  row("108", "2026-02-11", "Riverside Family Clinic", "doctor", "Doctor", 160.0, null, "pending", "Pending", null),
];
const rows2025 = [row("201", "2025-06-01", "Riverside Family Clinic", "doctor", "Doctor", 150.0, 30, "paid", "Paid", true)];
const bal = (kind, label, family, allowed, used) => ({ kind, label, category: "Health Benefit Plan Coverage", inNetwork: true, family, term: "Annual", allowed, used });
const balances = [
  bal("deductible", "Deductible", false, 2000, 1240),
  bal("deductible", "Deductible", true, 4000, 1240),
  bal("out_of_pocket", "Out-of-pocket maximum", false, 6000, 1903.4),
  bal("out_of_pocket", "Out-of-pocket maximum", true, 12000, 1903.4),
];
const summaries = {
  2026: { year: 2026, years: [2026, 2025], plans: [{ connectionId: "c-1", planName: plan, currency: "USD", claims: 8, billed: 106867.75,
    planPaid: 102210.55, youOwe: 1953.4, claimsWithoutYourShare: 1, balances, balancesAsOf: "2026-11-18" }] },
  2025: { year: 2025, years: [2026, 2025], plans: [{ connectionId: "c-1", planName: plan, currency: "USD", claims: 1, billed: 150,
    planPaid: 120, youOwe: 30, claimsWithoutYourShare: 0, balances: [], balancesAsOf: null }] },
};
const columns = [["submitted", "Billed by the provider"], ["allowed", "Allowed by your plan"], ["not_covered", "Not covered"],
  ["plan_paid", "Paid by your plan"], ["paid_to_provider", "Paid to the provider"], ["deductible", "Deductible"], ["copay", "Copay"],
  ["coinsurance", "Coinsurance"], ["member_liability", "Your responsibility"]].map(([key, label]) => ({ key, label }));
const detailBase = { received: "2026-11-20", processed: "2026-11-21T10:00:00Z", paidOn: "2026-12-01", facility: null,
  careTeam: [{ role: "Performing provider", name: "Dr. Maya Chen" }], reasons: [], pharmacy: null, balances: [], encounterId: null };
const details = {
  101: { ...detailBase, summary: rows2026[0], columns, encounterId: "e-9", providerRecord: { resourceType: "Organization", resourceId: "org-7" },
    careTeam: [{ role: "Performing provider", name: "Dr. Maya Chen", record: { resourceType: "Practitioner", resourceId: "pr-3" } }],
    lines: [
      { sequence: 1, service: "Office visit, established patient, 30 min", code: "CPT 99214", revenue: null, date: "2026-11-18", quantity: null,
        amounts: [212, 130.5, null, 105.5, 105.5, 0, 25, 0, 25], denied: false,
        reasons: [{ kind: "adjustment", text: "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.", code: "45" }] },
      { sequence: 2, service: "Lipid panel", code: "CPT 80061", revenue: null, date: "2026-11-18", quantity: null,
        amounts: [200, 0, 200, 0, 0, null, null, null, 0], denied: true,
        reasons: [{ kind: "denial", text: "These are non-covered services because this is not deemed a 'medical necessity' by the payer.", code: "50" }] },
    ],
    totals: [412, 130.5, 200, 105.5, 105.5, 0, 25, 0, 25], balances },
  102: { ...detailBase, summary: rows2026[1], columns: columns.filter((c) => !["not_covered", "deductible", "coinsurance"].includes(c.key)),
    careTeam: [{ role: "Prescribing provider", name: "Dr. Maya Chen" }],
    lines: [{ sequence: 1, service: "Atorvastatin 20 MG Oral Tablet", code: "NDC 00093-5057-98", revenue: null, date: "2026-11-02", quantity: "30 tablet",
      amounts: [48.5, 41.2, 31.2, 31.2, 10, 10], denied: false, reasons: [] }],
    totals: [48.5, 41.2, 31.2, 31.2, 10, 10],
    pharmacy: { drug: "Atorvastatin 20 MG Oral Tablet", drugCode: "NDC 00093-5057-98", quantity: "30 tablet", daysSupply: 30, fillDate: "2026-11-02",
      brandGeneric: "Generic", compound: null, pharmacy: "Corner Pharmacy", yourCost: 10 } },
};

const handler = `(() => { window.__printed = 0; window.print = () => { window.__printed += 1; window.__printedRows = document.querySelectorAll('[data-testid="claim-row"]').length; };
  const summaries = ${JSON.stringify(summaries)};
  const rows = { 2026: ${JSON.stringify(rows2026)}, 2025: ${JSON.stringify(rows2025)} };
  return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "cost_summary") return summaries[args.year ?? 2026];
  if (cmd === "claims") {
    const all = args.query.year === null ? [...rows[2026], ...rows[2025]] : rows[args.query.year];
    const items = all.slice(args.query.offset, args.query.offset + args.query.limit);
    const end = args.query.offset + items.length;
    return { items, total: all.length, nextOffset: end < all.length ? end : null, years: [2026, 2025] };
  }
  if (cmd === "timeline") return { items: [], nextCursor: null };
  if (cmd === "record") {
    (window.__records = window.__records || []).push(args.resourceType + "/" + args.resourceId);
    return { summary: { title: "Riverside Family Clinic", fullName: null, flag: null, facts: [] }, connectionId: args.connectionId,
      resourceType: args.resourceType, resourceId: args.resourceId, kind: "Record", planName: ${JSON.stringify(plan)}, fhirBase: "http://x/fhir",
      fetchedAt: "2026-11-29T10:00:00Z", sourceRequest: null, sensitive: false, missingSince: null, json: "{}", otherSources: [],
      narrativeHtml: null, attachments: [], claim: null, opensOn: null };
  }
  if (cmd === "claim") {
    const d = ${JSON.stringify(details)}[args.resourceId];
    if (!d) throw { code: "record_not_found", message: "That record is not on this computer." };
    return d;
  }
  throw "unexpected " + cmd;
}; })()`;

async function open(colorScheme, width = 1200) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: "Claims", exact: true }).click();
  await page.getByTestId("claim-row").first().waitFor();
  return { page, errors };
}

test("the year's costs, deductible progress and the list say what the member owes", async () => {
  const { page, errors } = await open("light");
  const costs = page.getByTestId("cost-summary");
  assert.match(await costs.textContent(), /From your claims, you owe \$1,953\.40 for 8 claims/);
  const bars = page.getByTestId("balance");
  assert.equal(await bars.count(), 4);
  assert.match(await bars.nth(0).textContent(), /You have met \$1,240\.00 of your \$2,000\.00 deductible/);
  assert.match(await bars.nth(1).textContent(), /Your family has met \$1,240\.00 of its \$4,000\.00 deductible/);
  assert.equal(await page.getByRole("progressbar").first().getAttribute("aria-valuenow"), "62");
  await costs.screenshot({ path: `${artifacts}browser-claims-deductible-mock.png` });

  const rows = page.getByTestId("claim-row");
  assert.equal(await rows.count(), 8);
  const cells = async (i) => (await rows.nth(i).locator("td").allTextContents()).map((t) => t.trim());
  assert.deepEqual(await cells(3), ["Aug 30, 2026", "St. Mary Medical Center", "Hospital stay", "$103,681.00", "$1,240.00", "Paid", "In network"]);
  assert.deepEqual(await cells(7), ["Feb 11, 2026", "Riverside Family Clinic", "Doctor", "$160.00", "not stated", "Pending", "Network not stated"]);
  assert.match((await cells(0))[5], /Partly denied/);
  assert.match((await cells(6))[6], /Out of network/);
  await page.screenshot({ path: `${artifacts}browser-claims-mock.png`, fullPage: true });

  // Another year: a plan that sends no balances says so, and the list follows the year.
  await page.getByTestId("claims-year").selectOption("2025");
  await page.getByTestId("no-balances").waitFor();
  assert.match(await page.getByTestId("no-balances").textContent(), /does not send deductible or out-of-pocket progress/);
  assert.equal(await page.getByTestId("claim-row").count(), 1);

  // Printing the year's claims: every claim of the year is in the page when the dialog opens.
  await page.getByTestId("print-year").click();
  await page.waitForFunction(() => window.__printed === 1);
  assert.equal(await page.evaluate(() => window.__printedRows), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a partly denied claim reads like a paper EOB, with the reason in words and the code beside", async () => {
  const { page, errors } = await open("light");
  await page.getByTestId("claim-row").nth(0).getByRole("link").click();
  await page.getByTestId("claim-detail").waitFor();
  assert.match(page.url(), /#\/claims\/101\?source=c-1$/);
  const text = await page.getByTestId("claim-detail").textContent();
  assert.match(text, /Claim number\s*CLM000101/);
  assert.match(text, /Received by the plan\s*Nov 20, 2026/);
  assert.match(text, /Performing provider\s*Dr\. Maya Chen/);
  assert.equal(await page.getByTestId("claim-status").textContent(), "Partly denied");
  const lines = page.getByTestId("claim-line");
  assert.match(await lines.nth(0).textContent(), /Office visit, established patient, 30 min\s*CPT 99214/);
  const reasons = page.getByTestId("line-reason");
  assert.match(await reasons.nth(0).textContent(), /Line 1 adjusted: Charge exceeds fee schedule/);
  assert.match(await reasons.nth(1).textContent(), /Why line 2 was denied: These are non-covered services because this is not deemed a 'medical necessity' by the payer\.\s*50/);
  const deniedCells = (await lines.nth(1).locator("td").allTextContents()).map((t) => t.trim());
  assert.deepEqual(deniedCells, ["$200.00", "$0.00", "$200.00", "$0.00", "$0.00", "not stated", "not stated", "not stated", "$0.00"], "absent amounts are not stated, never $0");
  assert.equal(await page.getByRole("link", { name: "The visit this claim is for" }).getAttribute("href"), "#/records/Encounter/e-9?source=c-1");
  await page.screenshot({ path: `${artifacts}browser-claim-detail-mock.png`, fullPage: true });

  // The provider and care team the claim names lead to their records, and Back returns here.
  assert.deepEqual(await page.getByTestId("claim-party").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")])), [
    ["Riverside Family Clinic", "#/records/Organization/org-7?source=c-1"],
    ["Dr. Maya Chen", "#/records/Practitioner/pr-3?source=c-1"],
  ]);
  await page.getByTestId("claim-party").first().click();
  await page.waitForFunction(() => (window.__records ?? []).includes("Organization/org-7"));
  await page.getByRole("complementary", { name: "Record detail" }).getByRole("heading", { name: "Riverside Family Clinic" }).waitFor();
  await page.goBack();
  await page.getByTestId("claim-detail").waitFor();
  assert.match(page.url(), /#\/claims\/101\?source=c-1$/);

  // Printed, the page is the claim alone: no navigation, no buttons, every amount column shown.
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.getByRole("navigation", { name: "Screens" }).isVisible(), false);
  assert.equal(await page.getByTestId("print-claim").isVisible(), false);
  assert.equal(await page.getByRole("columnheader", { name: "Your responsibility" }).isVisible(), true);
  await page.screenshot({ path: `${artifacts}browser-claim-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.getByTestId("print-claim").click();
  await page.waitForFunction(() => window.__printed === 1);

  await page.getByTestId("back").click();
  await page.getByTestId("claim-row").first().waitFor();
  assert.match(page.url(), /#\/claims$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a pharmacy claim gives the drug, quantity, days' supply, pharmacy, fill date, brand or generic and cost", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(`${server.url}#/claims/102?source=c-1`);
  await page.getByTestId("pharmacy-fill").waitFor();
  const fill = (await page.getByTestId("pharmacy-fill").innerText()).replace(/\s+/g, " ");
  for (const expected of ["Drug Atorvastatin 20 MG Oral Tablet NDC 00093-5057-98", "Quantity 30 tablet", "Days' supply 30 days",
    "Pharmacy Corner Pharmacy", "Filled Nov 2, 2026", "Brand or generic Generic", "Your cost $10.00"]) {
    assert.ok(fill.includes(expected), `${expected} in ${fill}`);
  }
  await page.screenshot({ path: `${artifacts}browser-pharmacy-claim-mock.png`, fullPage: true });
  await page.goto(`${server.url}#/claims/999?source=c-1`);
  await page.locator('[role="alert"][data-code="record_not_found"]').waitFor();
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the claims screens pass axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(scheme);
    await hostIdle(page);
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId("claim-row").nth(0).getByRole("link").click();
    await page.getByTestId("claim-detail").waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.goto(`${server.url}#/claims/102?source=c-1`);
    await page.getByTestId("pharmacy-fill").waitFor();
    assert.deepEqual(await axeViolations(page), []);
    if (scheme === "dark") await page.screenshot({ path: `${artifacts}browser-claim-dark.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// The demo member's own claims as Folio reads them from the sandbox (written by
// crates/folio-core/tests/claims.rs with FOLIO_CLAIMS_DUMP): the screens render the real answers,
// and the documentation's screenshots come from them.
test("the demo member's claims, as Folio reads them, answer what care cost and what was denied", async () => {
  const demo = JSON.parse(await readFile(new URL("./fixtures/claims-demo.json", import.meta.url), "utf8"));
  const source = `(() => { const demo = ${JSON.stringify(demo)}; return (cmd, args) => {
    if (cmd === "list_connections" || cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "cost_summary") return demo.summary;
    if (cmd === "claims") {
      const items = demo.page.items.slice(args.query.offset, args.query.offset + args.query.limit);
      const end = args.query.offset + items.length;
      return { ...demo.page, items, nextOffset: end < demo.page.items.length ? end : null };
    }
    if (cmd === "claim") return demo.details[args.resourceId];
    throw "unexpected " + cmd;
  }; })()`;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(source) });
  await page.goto(`${server.url}#/claims`);
  await page.getByTestId("claim-row").first().waitFor();
  const plan = demo.summary.plans[0];
  const costs = await page.getByTestId("cost-summary").textContent();
  const usd = (v) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(v);
  assert.ok(costs.includes(`you owe ${usd(plan.youOwe)} for ${plan.claims} claims`), costs);
  const deductible = plan.balances.find((b) => b.kind === "deductible" && b.family === false);
  assert.ok(costs.includes(`You have met ${usd(deductible.used)} of your ${usd(deductible.allowed)} deductible`), costs);
  assert.equal(await page.getByTestId("claim-row").count(), Math.min(50, demo.page.items.length));
  await page.getByTestId("cost-summary").screenshot({ path: `${screenshots}deductible.png` });
  await page.screenshot({ path: `${screenshots}claims.png` });

  const details = Object.values(demo.details);
  const partly = details.find((d) => d.summary.status === "partly_denied");
  await page.goto(`${server.url}#/claims/${partly.summary.resourceId}?source=${partly.summary.connectionId}`);
  await page.getByTestId("claim-detail").waitFor();
  const denial = partly.lines.find((l) => l.denied).reasons.find((r) => r.kind === "denial");
  assert.ok((await page.getByTestId("claim-detail").textContent()).includes(denial.text));
  assert.equal(await page.getByTestId("claim-status").textContent(), "Partly denied");
  assert.deepEqual(await axeViolations(page), []);
  // In a 1200-px window every column of the services table is in view, "Your responsibility"
  // (the last) above all: the table scrolls sideways only in narrower or zoomed windows.
  const services = await page.locator('[data-testid=claim-detail] [role=region]').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  assert.ok(services.scroll <= services.client, `the services table scrolls sideways at 1200 px: ${JSON.stringify(services)}`);
  await page.screenshot({ path: `${screenshots}claim-detail.png`, fullPage: true });

  for (const d of details) {
    await page.goto(`${server.url}#/claims/${d.summary.resourceId}?source=${d.summary.connectionId}`);
    await page.getByTestId("claim-detail").waitFor();
    const text = await page.getByTestId("claim-detail").innerText();
    assert.ok(text.includes(d.summary.kindLabel), `${d.summary.kindLabel} in ${d.summary.resourceId}`);
    for (const l of d.lines) assert.ok(text.includes(l.service), `${l.service} shown`);
    if (d.pharmacy) {
      await page.getByTestId("pharmacy-fill").waitFor();
      await page.screenshot({ path: `${screenshots}pharmacy-claim.png`, fullPage: true });
    }
  }
  assert.ok(details.some((d) => d.pharmacy), "a pharmacy claim among them");
  assert.deepEqual(errors, []);
  await page.close();
});
