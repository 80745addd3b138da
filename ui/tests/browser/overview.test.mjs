// The overview in Chromium with the host mocked: what is new, the plans, coverage cards and
// counts; axe in light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
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
const connection = { id: "c-1", planId: "demo", planName: plan, patientId: "demo-patient", status: "connected",
  grantedScopes: ["patient/*.rs"], scopesNotGranted: [], tokenExpiresAt: null, lastSyncedAt: "2026-11-29T10:00:00Z", records: 1342, problem: null, kind: "plan" };
const card = (over) => ({ planName: plan, connectionId: "c-1", payor: "Folio Sandbox Health Plan", memberId: "FSH199841812",
  plan: "Folio Sandbox PPO Gold", group: "Folio Sandbox Employer Group", kind: "health insurance plan policy", start: "2020-01-01",
  end: null, status: "active", relationship: "Self", ...over });
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
};

function handler(overview, connections) {
  return `(() => (cmd, args) => {
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "overview") { window.__sensitive = args.includeSensitive; return ${JSON.stringify(overview)}; }
    if (cmd === "list_connections") return window.__connections ?? ${JSON.stringify(connections)};
    if (cmd === "list_plans") return [];
    throw "unexpected " + cmd;
  })()`;
}

async function open(overview, connections, colorScheme = "light") {
  const page = await browser.newPage({ viewport: { width: 1100, height: 860 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler(overview, connections)) });
  await page.goto(server.url);
  await page.getByTestId("since-last-visit").waitFor();
  return { page, errors };
}

test("the overview says what is new and shows plans, coverage cards and counts", async () => {
  const { page, errors } = await open(data, [connection]);
  assert.match(await page.getByTestId("since-last-visit").textContent(), /8 new or updated records: 3 claims, 5 labs and vital signs/);
  assert.match(await page.getByTestId("overview-connection").textContent(), /Connected.*1,342 records/s);
  const cards = page.getByTestId("coverage-card");
  assert.equal(await cards.count(), 2);
  assert.match(await cards.nth(0).textContent(), /Active.*Folio Sandbox PPO Gold.*FSH199841812.*since Jan 1, 2020/s, "the active card first");
  assert.match(await cards.nth(1).textContent(), /Ended.*Jan 1, 2016 – Dec 31, 2019/s);
  assert.match(await page.getByRole("heading", { name: /On this computer/ }).textContent(), /993 records/);
  assert.equal(await page.evaluate(() => window.__sensitive), false);
  await page.screenshot({ path: `${artifacts}browser-overview.png` });
  await page.getByRole("button", { name: "See your records" }).click();
  await page.getByRole("heading", { name: "Your records" }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("the plans shown follow Folio's events: a connection that changed is read again", async () => {
  const { page, errors } = await open(data, [connection]);
  assert.match(await page.getByTestId("overview-connection").textContent(), /Connected.*1,342 records/s);
  // The host's next answer, and the event the core sends with it (here, a plan needing a new sign-in).
  await page.evaluate((c) => { window.__connections = [c]; }, { ...connection, status: "reconnect_needed", records: 1400 });
  await page.evaluate(() => window.__TAURI_INTERNALS__.invoke("plugin:event|emit",
    { event: "folio-event-message", payload: { kind: "connectionChanged", connectionId: "c-1" } }));
  await page.getByTestId("overview-connection").getByText("Reconnect needed").waitFor();
  assert.match(await page.getByTestId("overview-connection").textContent(), /1,400 records/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a first visit with no plan points to connecting one", async () => {
  const { page, errors } = await open({ coverages: [], counts: [], lastVisit: null, changed: [] }, []);
  assert.match(await page.getByTestId("since-last-visit").textContent(), /first visit/);
  await page.getByTestId("overview-no-plans").getByRole("button", { name: "Connect a plan" }).click();
  await page.getByRole("heading", { name: "Your health plans" }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the overview passes axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(data, [connection], scheme);
    assert.deepEqual(await axeViolations(page), []);
    if (scheme === "dark") await page.screenshot({ path: `${artifacts}browser-overview-dark.png` });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("every screen fits a 900 px wide window without sideways scrolling", async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The plan was synced hours ago, so opening Health plans starts no download (whatever today is).
  await page.clock.setFixedTime(new Date("2026-11-29T12:00:00Z"));
  await page.addInitScript({ content: await mockScript(`(() => (cmd) => {
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "overview") return ${JSON.stringify(data)};
    if (cmd === "list_connections") return ${JSON.stringify([connection])};
    if (cmd === "timeline") return { items: [], nextCursor: null };
    if (cmd === "lab_tests" || cmd === "list_plans" || cmd === "claim_years") return [];
    throw "unexpected " + cmd;
  })()`) });
  await page.goto(server.url);
  await page.getByTestId("since-last-visit").waitFor();
  const screens = { Overview: "Overview", "Health plans": "Your health plans", Records: "Your records", "Labs and vitals": "Labs and vitals",
    Export: "Export your history", "This computer": "This computer's Folio" };
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
