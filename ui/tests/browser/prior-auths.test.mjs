// The prior authorizations screen in Chromium with the host mocked: pending first, each state
// in words, how long an approval lasts, a denial's reason with its code, one opened at its own
// address and Back to the list; the overview's tile; axe in light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, launchBrowser, mockScript, serveDist } from "./harness.mjs";

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
const pa = (id, status, services, requested, decided, from = null, until = null) => ({
  connectionId: "c-1", resourceId: id, planName: plan, status, number: `PA2026${id}`, services,
  provider: "Dr. Maya Chen", requested, decided, approvedFrom: from, approvedUntil: until,
});
const list = [
  pa("005", "pending", ["MRI lumbar spine without contrast"], "2026-10-27T09:40:00Z", null),
  pa("004", "denied", ["MRI brain without and with contrast"], "2026-09-26T09:30:00Z", "2026-10-01T14:30:00Z"),
  pa("003", "partly_approved", ["Self-care and home management training, each 15 minutes"], "2026-09-01T09:20:00Z", "2026-09-05T14:20:00Z", "2026-09-05", "2027-03-04"),
  pa("001", "approved", ["Therapeutic exercises, each 15 minutes"], "2026-06-23T09:00:00Z", "2026-06-25T14:00:00Z", "2026-06-25", "2027-06-30"),
  pa("002", "approved", ["Knee arthroscopy with partial meniscectomy"], "2024-12-01T09:10:00Z", "2024-12-04T14:10:00Z", "2024-12-04", "2025-03-04"),
];
const words = (text, code) => ({ text, code });
const item = (extra) => ({ sequence: 1, service: null, category: null, status: "approved", decision: null, reviewNumber: null, decided: null,
  approvedFrom: null, approvedUntil: null, quantityRequested: null, quantityApproved: null, quantityUsed: null, reasons: [], ...extra });
const details = {
  "004": { summary: list[1], kind: "Professional", urgency: "Elective", insurer: plan, reasons: [], used: null, items: [item({
    service: words("MRI brain without and with contrast", "70553"), category: words("MRI/CAT Scan", "62"), status: "denied",
    decision: words("Not Certified", "A3"), reviewNumber: "AUTH00041", decided: "2026-10-01T14:30:00Z", quantityRequested: 1,
    reasons: [words("These are non-covered services because this is not deemed a 'medical necessity' by the payer.", "50")] })] },
  "001": { summary: list[3], kind: "Professional", urgency: "Elective", insurer: plan, reasons: [], used: null, items: [item({
    service: words("Therapeutic exercises, each 15 minutes", "97110"), category: words("Physical Therapy", "PT"),
    decision: words("Certified in total", "A1"), approvedFrom: "2026-06-25", approvedUntil: "2027-06-30",
    quantityRequested: 12, quantityApproved: 12, quantityUsed: 4 })] },
};
const overview = { total: 5, pending: 1, approved: 2, partlyApproved: 1, denied: 1, expiring: [list[2], list[3]] };

const handler = `(() => { window.__asked = []; return (cmd, args) => {
  if (cmd === "list_plans") return [];
  // One plan connected, so the overview shows its tiles.
  if (cmd === "list_connections") return [{ id: "c-1", planId: "demo", planName: ${JSON.stringify(plan)}, patientId: "p", status: "connected",
    grantedScopes: [], scopesNotGranted: [], tokenExpiresAt: null, access: null, lastSyncedAt: "2026-11-29T10:00:00Z", records: 5, problem: null, kind: "plan" }];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "overview") return { lastVisit: null, changed: [], newItems: [], coverages: [], counts: [] };
  if (cmd === "prior_auth_overview") { window.__asked.push(["overview", args.includeSensitive]); return ${JSON.stringify(overview)}; }
  if (cmd === "prior_authorizations") { window.__asked.push(["list", args.includeSensitive]); return ${JSON.stringify(list)}; }
  if (cmd === "prior_authorization") { window.__asked.push(["one", args.connectionId, args.resourceId]);
    const d = ${JSON.stringify(details)}[args.resourceId];
    if (!d) throw { code: "record_not_found", message: "That record is not on this computer." };
    return d; }
  throw "unexpected " + cmd;
}; })()`;

async function open(colorScheme, width = 1200) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: "Authorizations" }).click();
  await page.getByTestId("prior-auth-row").first().waitFor();
  return { page, errors };
}

test("the list puts pending first, says each state and how long an approval lasts", async () => {
  const { page, errors } = await open("light");
  const rows = page.getByTestId("prior-auth-row");
  assert.equal(await rows.count(), 5);
  assert.match(await rows.nth(0).textContent(), /Pending\s*MRI lumbar spine/);
  assert.match(await rows.nth(1).textContent(), /Denied/);
  assert.match(await rows.nth(2).textContent(), /Partly approved/);
  assert.match(await rows.nth(3).textContent(), /Approved through Jun 30, 2027/);
  assert.match(await rows.nth(4).textContent(), /Approval ended Mar 4, 2025/);
  await page.screenshot({ path: `${screenshots}prior-authorizations.png`, fullPage: true });

  await rows.nth(1).click();
  await page.getByTestId("prior-auth-detail").waitFor();
  assert.match(page.url(), /#\/prior-authorizations\/004\?source=c-1$/);
  assert.equal(await page.getByTestId("prior-auth-status").textContent(), "Denied");
  const reason = await page.getByTestId("prior-auth-reason").textContent();
  assert.match(reason, /not deemed a 'medical necessity'/);
  assert.match(reason, /50/, "the code beside the words");
  assert.match(await page.getByTestId("prior-auth-item").textContent(), /Not Certified\s*A3/);
  await page.screenshot({ path: `${artifacts}browser-prior-authorization-denied.png`, fullPage: true });

  await page.getByTestId("back").click();
  await page.getByTestId("prior-auth-row").first().waitFor();
  assert.match(page.url(), /#\/prior-authorizations$/);
  assert.deepEqual(await page.evaluate(() => window.__asked.find((a) => a[0] === "list")), ["list", false], "sensitive ones not asked for");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an approval opened at its address shows units approved and used", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(`${server.url}#/prior-authorizations/001?source=c-1`);
  await page.getByTestId("prior-auth-detail").waitFor();
  const text = await page.getByTestId("prior-auth-detail").textContent();
  assert.match(text, /Approved through Jun 30, 2027/);
  assert.match(text, /12 approved, 4 used/);
  assert.match(text, /Therapeutic exercises, each 15 minutes\s*97110/);
  await page.goto(`${server.url}#/prior-authorizations/999?source=c-1`);
  await page.locator('[role="alert"][data-code="record_not_found"]').waitFor();
  await page.close();
});

test("the overview's tile counts each state and links to the approvals ending first", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  const tile = page.getByTestId("prior-auth-tile");
  await tile.waitFor();
  assert.match(await tile.textContent(), /1 pending · 2 approved · 1 partly approved · 1 denied/);
  assert.match(await tile.textContent(), /Approved through Mar 4, 2027/);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: `${artifacts}browser-prior-auth-tile.png` });
  await tile.getByRole("link", { name: "Therapeutic exercises, each 15 minutes" }).click();
  await page.getByTestId("prior-auth-detail").waitFor();
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the prior authorizations screen passes axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(scheme);
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId("prior-auth-row").nth(1).click();
    await page.getByTestId("prior-auth-detail").waitFor();
    assert.deepEqual(await axeViolations(page), []);
    if (scheme === "dark") await page.screenshot({ path: `${artifacts}browser-prior-authorization-dark.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
