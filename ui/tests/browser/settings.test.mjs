// Background sync in the built UI (Chromium, host mocked): the Settings screen's schedule and
// login choices reach the host, and a background sync's one new-records notice is shown in the
// window and opens its screen, when the host reports a click on the notification and from the
// window's own banner.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

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

const overview = { coverages: [], counts: [], lastVisit: null, changed: [], newItems: [] };
const handler = `(() => { window.__calls = []; let everyHours = 24; let atLogin = false; return (cmd, args) => {
  window.__calls.push([cmd, args]);
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "overview") return ${JSON.stringify(overview)};
  if (cmd === "list_connections" || cmd === "list_plans" || cmd === "lab_tests") return [];
  if (cmd === "background_sync") return { everyHours };
  if (cmd === "set_background_sync") { everyHours = args.setting.everyHours; return { everyHours }; }
  if (cmd === "launch_at_login") return atLogin;
  if (cmd === "set_launch_at_login") { atLogin = args.enabled; return atLogin; }
  throw { code: "internal", message: "unexpected " + cmd };
}; })()`;

async function open() {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Settings" }).waitFor();
  await hostIdle(page);
  return { page, errors };
}

function emit(page, event, payload) {
  return page.evaluate(([e, p]) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: e, payload: p }), [event, payload]);
}

test("Settings: the background schedule and opening at login are the member's choice", async () => {
  const { page, errors } = await open();
  await page.getByRole("link", { name: "Settings" }).click();
  const daily = page.getByRole("radio", { name: "Daily (default)" });
  await daily.waitFor();
  assert.equal(await daily.isChecked(), true, "daily until the member chooses");
  assert.equal(await page.getByRole("checkbox", { name: /Open Folio \(minimized\) when I log in/ }).isChecked(), false, "off by default");

  await page.getByRole("radio", { name: "Every 6 hours" }).check();
  await page.getByTestId("background-saved").getByText("Saved: Every 6 hours.").waitFor();
  await page.getByRole("radio", { name: "Off" }).check();
  await page.getByTestId("background-saved").getByText("Saved: Off.").waitFor();
  await page.getByRole("checkbox", { name: /when I log in/ }).check();
  await hostIdle(page);
  const calls = await page.evaluate(() => window.__calls.filter(([c]) => c.startsWith("set_")));
  assert.deepEqual(calls, [
    ["set_background_sync", { setting: { everyHours: 6 } }],
    ["set_background_sync", { setting: { everyHours: null } }],
    ["set_launch_at_login", { enabled: true }],
  ]);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: `${artifacts}browser-settings.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a new-records notice shows in the window and opens its screen", async () => {
  const { page, errors } = await open();
  // One notice for a batch: shown, with a way to its screen.
  await emit(page, "folio-event-message", { kind: "newRecordsNotice", counts: { claims: 3, results: 4, priorAuthorizations: 1 }, screen: "overview" });
  const banner = page.getByTestId("new-records");
  await banner.getByText("New from your health plans: 3 new claims, 4 new results, and 1 prior-authorization decision.").waitFor();
  assert.equal(await banner.getByRole("button", { name: "Show them" }).count(), 0, "already on its screen");

  // Results only: the labs screen, from the banner.
  await emit(page, "folio-event-message", { kind: "newRecordsNotice", counts: { claims: 0, results: 2, priorAuthorizations: 0 }, screen: "labs" });
  await banner.getByText("2 new results").waitFor();
  await banner.getByRole("button", { name: "Show them" }).click();
  await until(page, "the labs screen is open", () => document.querySelector("nav a[aria-current=page]")?.textContent?.trim() === "Labs and vitals");

  // The host reports a click on the desktop notification: the window opens the screen it names.
  await emit(page, "open-screen-message", "records");
  await until(page, "the records screen is open", () => document.querySelector("nav a[aria-current=page]")?.textContent?.trim() === "Records");
  await banner.getByRole("button", { name: "Dismiss" }).click();
  assert.equal(await banner.count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
