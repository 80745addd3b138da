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
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const launcher = fileURLToPath(new URL("./open-from-desktop-entry.sh", import.meta.url));
const artifacts = process.env.ARTIFACTS_DIR ?? "artifacts";
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
let session;

async function wd(method, path, body) {
  const res = await fetch(`${driver}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value)}`);
  return json.value;
}

const find = (css) => wd("POST", `/session/${session}/element`, { using: "css selector", value: css });

async function textOf(css, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const text = await wd("GET", `/session/${session}/element/${(await find(css))[ELEMENT]}/text`);
      if (text) return text;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const shown = await wd("POST", `/session/${session}/execute/sync`, { script: "return document.body.innerText.slice(0, 2000)", args: [] }).catch(() => "?");
  await screenshot("package-failed.png").catch(() => {});
  throw new Error(`no text at ${css} after ${timeoutMs} ms: ${last}\nthe window showed:\n${shown}`);
}

async function click(css) {
  await wd("POST", `/session/${session}/element/${(await find(css))[ELEMENT]}/click`, {});
}

// The screens' buttons appear once the app has opened the records (after the unlock check).
async function clickButton(text, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const el = await wd("POST", `/session/${session}/element`, { using: "xpath", value: `//button[normalize-space()="${text}"]` });
      return await wd("POST", `/session/${session}/element/${el[ELEMENT]}/click`, {});
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function screenshot(name) {
  await wd("POST", `/session/${session}/execute/async`, {
    script: "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
    args: [],
  });
  await mkdir(artifacts, { recursive: true });
  await writeFile(join(artifacts, name), Buffer.from(await wd("GET", `/session/${session}/screenshot`), "base64"));
}

const step = (what) => console.log(`  - ${what}`);

session = (await wd("POST", "/session", { capabilities: { alwaysMatch: { "tauri:options": { application: launcher } } } })).sessionId;
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
assert.match(await textOf("[data-testid=sync-result]", 120000), /^Sync finished: the plan sent [\d,]+ records\./);
const card = await textOf("[data-testid=connection]");
const held = Number(/([\d,]+) records on this computer/.exec(card)?.[1].replaceAll(",", ""));
assert.ok(held > 1000, `the demo member's records are on this computer (${held})`);
await clickButton("Records");
await textOf("[data-testid=timeline-item]", 30000);
await screenshot("package-records.png");
step(`records downloaded and shown (${held.toLocaleString("en-US")} on this computer)`);
