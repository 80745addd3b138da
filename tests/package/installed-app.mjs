// The installed Folio, opened from its desktop entry, connects the demo plan through Folio's
// link and downloads the member's records: the package test's journey (scripts/package-test.sh
// runs it). The WebDriver "browser" is open-from-desktop-entry.sh, which starts the app with
// `gio launch`; the member's browser ($BROWSER, tests/e2e/member-browser.mjs) signs in and hands
// the health.folio.desktop: redirect to the desktop with xdg-open, whose handler (the package's
// desktop entry) starts a second Folio that passes the link to this one and exits.
//
// Needs WEBDRIVER_URL (tauri-driver), EXPECT_VERSION, ARTIFACTS_DIR. The session is left open:
// the shell script checks the running app afterwards and ends everything.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { webdriver } from "../webdriver.mjs";

const launcher = fileURLToPath(new URL("./open-from-desktop-entry.sh", import.meta.url));
const { start, textOf, until, click, clickButton, screenshot } = webdriver({
  url: process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444",
  artifacts: process.env.ARTIFACTS_DIR ?? "artifacts",
  failedShot: () => "package-failed.png",
});

const step = (what) => console.log(`  - ${what}`);

await start(launcher);
assert.equal(await textOf("h1"), "Folio");
step("Folio opened from its desktop entry");

await clickButton("This computer");
assert.equal(await textOf("[data-testid=version]"), process.env.EXPECT_VERSION);
step(`the app shows its version (${process.env.EXPECT_VERSION})`);

await clickButton("Health plans");
await textOf("[data-testid=no-connections]");
await click("[data-testid=connect-demo-app-link]");
assert.match(await textOf("[data-testid=app-link-hint]"), /open Folio/);
const notice = await textOf("[data-testid=connected-notice]", 60000);
assert.match(notice, /Connected to Folio Sandbox Health Plan \(demo, through Folio's link\)/);
assert.match(await textOf("[data-testid=connection]"), /Member record demo-/);
step("the demo plan connected through a health.folio.desktop: link handed over by xdg-open");

await click("[data-testid=sync-now]");
assert.match(await textOf("[data-testid=sync-result]", 120000), /^Sync finished: [\d,]+ records from this plan on this computer\./);
// The card is read again after the result shows: it held 0 records before this sync.
await until("the connection's card counts the synced records", `
  const m = /([\\d,]+) records on this computer/.exec(document.querySelector("[data-testid=connection]")?.textContent ?? "");
  return m !== null && m[1] !== "0";`);
const card = await textOf("[data-testid=connection]");
const held = Number(/([\d,]+) records on this computer/.exec(card)?.[1].replaceAll(",", ""));
assert.ok(held > 1000, `the demo member's records are on this computer (${held})`);
await clickButton("Records");
await textOf("[data-testid=timeline-item]", 30000);
await screenshot("package-records.png");
step(`records downloaded and shown (${held.toLocaleString("en-US")} on this computer)`);
