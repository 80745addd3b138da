// Addresses and Back/Forward in Chromium with the host mocked: the header's buttons, Alt+Left /
// Alt+Right, the mouse's side buttons (real input through the DevTools protocol), across screens
// and into and out of a record; an address opened directly; an address Folio does not have.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const plan = "Folio Sandbox Health Plan (demo)";
const items = [
  { connectionId: "c-1", planName: plan, resourceType: "Observation", resourceId: "o1", date: "2026-10-02T09:00:00Z",
    title: "Glucose", kind: "Lab or vital sign", sensitive: false, otherSources: [] },
  { connectionId: "c-1", planName: plan, resourceType: "Immunization", resourceId: "i1", date: "2026-09-14",
    title: "Influenza, seasonal, injectable", kind: "Immunization", sensitive: false, otherSources: [] },
];
const handler = `(() => { window.__records = []; return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans" || cmd === "lab_tests" || cmd === "claim_years") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "app_status") return { version: "0.1.0", dataDir: "/tmp/x", databaseBytes: 0, records: 0, connections: 0 };
  if (cmd === "overview") return { coverages: [], counts: [], lastVisit: null, changed: [], newItems: [] };
  if (cmd === "timeline") return { items: ${JSON.stringify(items)}, nextCursor: null };
  if (cmd === "record") { window.__records.push(args.resourceType + "/" + args.resourceId);
    return { connectionId: args.connectionId, resourceType: args.resourceType, resourceId: args.resourceId,
      kind: args.resourceType === "Observation" ? "Lab or vital sign" : "Immunization", planName: ${JSON.stringify(plan)},
      fhirBase: "http://127.0.0.1:8700/fhir", fetchedAt: "2026-11-29T10:00:00Z", sourceRequest: null, sensitive: false,
      missingSince: null, json: "{}", otherSources: [], attachments: [], claim: null, narrativeHtml: null,
      summary: { title: null, fullName: null, flag: null, facts: [] } }; }
  throw "unexpected " + cmd;
}; })()`;

async function openApp(address = "") {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url + address);
  return { page, errors };
}

const hash = (page) => page.evaluate(() => location.hash);
async function at(page, expected, what) {
  await until(page, `${what}: the address is ${expected}`, (h) => location.hash === h, expected);
}
const heading = (page, name) => page.getByRole("heading", { level: 2, name, exact: true }).waitFor();

/** A press of the mouse's back or forward button, as the input system delivers it. */
async function sideButton(page, button) {
  const cdp = await page.context().newCDPSession(page);
  for (const type of ["mousePressed", "mouseReleased"]) {
    await cdp.send("Input.dispatchMouseEvent", { type, x: 600, y: 500, button, buttons: 0, clickCount: 1 });
  }
  await cdp.detach();
}

test("Back and Forward by button, keyboard and mouse, across screens and into and out of a record", async () => {
  const { page, errors } = await openApp();
  await page.getByTestId("since-last-visit").waitFor();
  assert.equal(await hash(page), "#/overview", "the first screen has its address");
  assert.ok(await page.getByRole("button", { name: "Back" }).isDisabled(), "nothing to go back to yet");
  assert.ok(await page.getByRole("button", { name: "Forward" }).isDisabled());

  await page.getByRole("navigation").getByRole("link", { name: "Records", exact: true }).click();
  await at(page, "#/records", "a screen followed");
  await page.getByTestId("timeline-item").first().click();
  await at(page, "#/records/Observation/o1?source=c-1", "a record opened");
  await page.getByRole("heading", { name: "Lab or vital sign" }).waitFor();
  assert.equal(await page.getByRole("navigation").getByRole("link", { name: "Records", exact: true }).getAttribute("aria-current"), "page");
  await page.getByRole("navigation").getByRole("link", { name: "Labs and vitals" }).click();
  await at(page, "#/labs", "another screen");
  await heading(page, "Labs and vitals");

  // The header's Back button: into the record again.
  await page.getByRole("button", { name: "Back" }).click();
  await at(page, "#/records/Observation/o1?source=c-1", "Back button");
  await page.getByRole("heading", { name: "Lab or vital sign" }).waitFor();
  // Alt+Left: out of the record to the list.
  await page.keyboard.press("Alt+ArrowLeft");
  await at(page, "#/records", "Alt+Left");
  await heading(page, "Your records");
  assert.equal(await page.getByRole("heading", { name: "Lab or vital sign" }).count(), 0, "no record open on the list's address");
  // The mouse's back button: one step, to the overview.
  await sideButton(page, "back");
  await at(page, "#/overview", "the mouse's back button");
  await heading(page, "Overview");
  assert.ok(await page.getByRole("button", { name: "Back" }).isDisabled(), "at the start again");

  // And forward again, each way.
  await sideButton(page, "forward");
  await at(page, "#/records", "the mouse's forward button");
  await page.keyboard.press("Alt+ArrowRight");
  await at(page, "#/records/Observation/o1?source=c-1", "Alt+Right");
  await page.getByRole("heading", { name: "Lab or vital sign" }).waitFor();
  await page.getByRole("button", { name: "Forward" }).click();
  await at(page, "#/labs", "Forward button");
  await heading(page, "Labs and vitals");
  await until(page, "Forward is disabled at the end", () => document.querySelector("[data-testid=forward]")?.disabled === true);
  // The blank page the browser opened on, then four of Folio's: no step was taken twice.
  assert.equal(await page.evaluate(() => history.length), 5);

  // A new link after going back drops what was ahead.
  await page.getByRole("button", { name: "Back" }).click();
  await at(page, "#/records/Observation/o1?source=c-1", "Back once more");
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await at(page, "#/settings", "a new screen");
  assert.ok(await page.getByRole("button", { name: "Forward" }).isDisabled(), "nothing ahead after a new link");
  // WebKitGTK has no navigation of its own on the side buttons and sends no auxclick, only
  // mousedown/mouseup with button 3 (measured in tests/e2e): Folio's handler steps on the mouseup.
  await page.evaluate(() => document.body.dispatchEvent(new MouseEvent("mouseup", { button: 3, bubbles: true })));
  await at(page, "#/records/Observation/o1?source=c-1", "a side button's mouseup alone");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a record's address opens it directly, and an unknown address says so", async () => {
  const { page, errors } = await openApp("#/records/Immunization/i1?source=c-1");
  await page.getByRole("heading", { name: "Immunization", level: 3 }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__records), ["Immunization/i1"]);
  assert.equal(await page.getByTestId("timeline-item").nth(1).getAttribute("aria-current"), "true", "the record is marked in the list");
  assert.deepEqual(await axeViolations(page), []);

  await page.evaluate(() => { location.hash = "#/nowhere"; });
  await heading(page, "Folio has no page at this address");
  await page.getByRole("link", { name: "Go to the overview" }).click();
  await at(page, "#/overview", "the way out of an unknown address");
  await page.getByRole("button", { name: "Back" }).click();
  await at(page, "#/nowhere", "Back to the unknown address");
  await page.getByRole("button", { name: "Back" }).click();
  await at(page, "#/records/Immunization/i1?source=c-1", "Back to the record");
  assert.deepEqual(errors, []);
  await page.close();
});
