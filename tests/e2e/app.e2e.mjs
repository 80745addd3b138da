// The real desktop app, built with its embedded UI, driven in its WebKitGTK window through
// tauri-driver + WebKitWebDriver under Xvfb, through tests/webdriver.mjs (W3C WebDriver over fetch).
//
// Needs: APP_BIN (the built folio-desktop), FOLIO_DATA_DIR (a scratch profile), a display and
// tauri-driver on WEBDRIVER_URL (default http://127.0.0.1:4444). scripts/test.sh sets all of it.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webdriver } from "../webdriver.mjs";

const app = process.env.APP_BIN;
const dataDir = process.env.FOLIO_DATA_DIR;
const { start, end, textOf: waitText, until, click, clickButton, press, type, run, runAsync, resize, screenshot: save, all, title } = webdriver({
  url: process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444",
  artifacts: process.env.ARTIFACTS_DIR ?? "artifacts",
  failedShot: (css) => `e2e-failed-${css.replace(/[^a-z-]/gi, "")}.png`,
});
const textOf = (css, { timeoutMs = 20000 } = {}) => waitText(css, timeoutMs);

before(async () => {
  assert.ok(app && existsSync(app), `APP_BIN must name the built app (got ${app})`);
  assert.ok(dataDir, "FOLIO_DATA_DIR must name a scratch profile");
  await start(app);
});

after(end);

// Conditions checked in the window (bodies of functions returning true once so).
const heldOnCard = `const m = /([\\d,]+) records on this computer/.exec(document.querySelector("[data-testid=connection]")?.textContent ?? "");
  return m !== null && m[1] !== "0";`;
const onlyClaims = `const list = document.querySelector("[role=list][aria-label=Timeline]");
  const kinds = [...document.querySelectorAll("[data-testid=timeline-item] .meta")].map((m) => m.textContent.split(" · ")[0]);
  return list?.getAttribute("aria-busy") === "false" && kinds.length > 0 && kinds.every((k) => k === "Claim" || k === "Prior authorization");`;
// Where a prior authorization stands, as the screen words it (ui/src/features/prior-auths/prior-auth-text.ts).
const STATUS = /^(Partly approved|Approved|Pending|Denied|Cancelled|Status not stated)/;
// Marks the first element of \`all\` that \`pick\` accepts with data-e2e="pick" (WebDriver then clicks it).
const mark = (all, pick) => `document.querySelectorAll("[data-e2e]").forEach((e) => e.removeAttribute("data-e2e"));
  const el = [...document.querySelectorAll(${JSON.stringify(all)})].find(${pick});
  el?.setAttribute("data-e2e", "pick");
  return el !== undefined;`;

// WebDriver's key codes.
const TAB = "\uE004";
const ENTER = "\uE007";
const SHIFT = "\uE008";
const CONTROL = "\uE009";
const ALT = "\uE00A";
const ESCAPE = "\uE00C";
const LEFT = "\uE012";

/**
 * Presses Tab (or Shift+Tab with `back`) until the focused element satisfies `test` (a function's
 * source, given the element), at most `max` times; then checks that it shows it has focus
 * (an outline of 2 px or more, drawn where the element is).
 */
async function tabTo(what, test, { back = false, max = 150 } = {}) {
  for (let i = 0; i <= max; i++) {
    const found = await run(`const a = document.activeElement; return a !== null && a !== document.body && (${test})(a);`);
    if (found === true) {
      const shown = await run(`const a = document.activeElement; const s = getComputedStyle(a); const r = a.getBoundingClientRect();
        return { focused: a.matches(":focus"), outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2, inView: r.width > 0 && r.height > 0 };`);
      assert.ok(shown.focused && shown.outline && shown.inView, `${what} is focused and shows it (${JSON.stringify(shown)})`);
      return i;
    }
    if (back) await press(SHIFT, TAB);
    else await type(TAB);
  }
  const at = await run("const a = document.activeElement; return a ? a.outerHTML.slice(0, 200) : null");
  throw new Error(`${what}: not reached with ${max} presses of ${back ? "Shift+Tab" : "Tab"} (focus on ${at})`);
}
/**
 * Gives Folio's window the X keyboard focus, as a window manager does for the window in front
 * (Xvfb has none): until then WebKit treats the page as unfocused and :focus matches nothing.
 */
async function focusWindow() {
  const win = execFileSync("xdotool", ["search", "--onlyvisible", "--name", "^Folio$"]).toString().trim().split("\n")[0];
  execFileSync("xdotool", ["windowfocus", win]);
  await until("Folio's window has the keyboard focus", "return document.hasFocus()");
}
/** What has focus now, described for a failure message. */
const focused = () => run("const a = document.activeElement; return a ? { tag: a.tagName, text: a.textContent.trim().slice(0, 80), route: a.dataset.routeFocus ?? null, href: a.getAttribute('href') } : null");

async function screenshot(name) {
  const png = await save(name);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.ok(png.length > 10_000, `a real picture, not a blank (${png.length} bytes)`);
}

test("the window shows Folio and the status of a real database", async () => {
  assert.equal(await textOf("h1"), "Folio");
  // The screens appear once the records are open (the key comes from the real keychain).
  await textOf("nav[aria-label=Screens]");
  await clickButton("This computer");
  assert.equal(await title(), "Folio");
  // This text comes from the Rust side: command -> folio-core -> folio-store -> SQLite.
  assert.match(await textOf("[data-testid=schema]"), /^Schema version [1-9][0-9]*$/);
  assert.equal(await textOf("[data-testid=data-dir]"), dataDir);
  assert.ok(existsSync(join(dataDir, "folio.db")), "the database file exists in the profile folder");
  assert.match(await textOf("[data-testid=encryption]"), /Encrypted on disk \(SQLCipher, AES-256\); the key is\s+in your system keychain/);
  const header = readFileSync(join(dataDir, "folio.db")).subarray(0, 16).toString("latin1");
  assert.notEqual(header, "SQLite format 3\0", "the file on disk is encrypted, not a plain SQLite database");
  const version = await textOf("[data-testid=version]");
  assert.match(version, /^\d+\.\d+\.\d+/);
});

test("a screenshot of the status screen is saved", async () => {
  await screenshot("e2e-status.png");
});

// The member's first steps are taken with the keyboard alone (WebDriver key actions: Tab, Enter,
// Escape, Alt+Left; no click): from the skip link to the plans, connect the demo plan, download
// its records, open a claim, close it, go Back, and export (the save dialog answered by keys too).
test("keyboard only: the skip link, then Health plans; focus moves to the new screen's heading", async () => {
  // From the top of the window: the first Tab shows the skip link, Enter moves to the screen's heading.
  await focusWindow();
  await run("document.activeElement?.blur(); window.scrollTo(0, 0); return true");
  await tabTo("the skip link", '(a) => a.classList.contains("skip")', { max: 1 });
  await type(ENTER);
  await until("the skip link moved focus to the screen's heading", 'return document.activeElement?.matches("main h2") === true');
  // Back up into the side bar, to Health plans.
  await tabTo("Health plans in the side bar", '(a) => a.matches("nav a[href=\'#/plans\']")', { back: true });
  await type(ENTER);
  await until("the plans' address", 'return location.hash === "#/plans"');
  await until("focus on the plans screen's heading", 'return document.activeElement?.matches("main h2") === true && document.activeElement.closest("main") !== null');
});

test("Try the demo plan connects through the system browser", async () => {
  await textOf("[data-testid=no-connections]");
  await tabTo("Try the demo plan", '(a) => a.dataset.testid === "connect-demo"');
  await type(ENTER);
  // The app opened $BROWSER (the scripted member), who signed in and consented at the demo
  // plan running inside the app; the answer came back to the loopback listener.
  const notice = await textOf("[data-testid=connected-notice]", { timeoutMs: 60000 });
  assert.match(notice, /Connected to Folio Sandbox Health Plan/);
  const card = await textOf("[data-testid=connection]");
  assert.match(card, /Member record demo-/);
  assert.match(card, /You shared: .*all your records/);
  await screenshot("e2e-connected.png");
});

test("Download records syncs the demo member's history into the profile", async () => {
  await tabTo("Download records", '(a) => a.dataset.testid === "sync-now"');
  await type(ENTER);
  const result = await textOf("[data-testid=sync-result]", { timeoutMs: 120000 });
  assert.match(result, /^Sync finished: [\d,]+ records from this plan on this computer\./);
  // The card is read again after the result shows: it held 0 records before this sync.
  await until("the connection's card counts the synced records", heldOnCard);
  const card = await textOf("[data-testid=connection]");
  const held = Number(/([\d,]+) records on this computer/.exec(card)?.[1].replaceAll(",", ""));
  assert.ok(held > 1000, `the demo member's records are on this computer (${held})`);
  // One number: the result says what the card holds (what the plan sent, more, is in the details).
  await until("the result and the card agree", `const n = (t) => /([\\d,]+) records/.exec(t ?? "")?.[1];
    return n(document.querySelector("[data-testid=sync-result]")?.textContent) === n(document.querySelector("[data-testid=connection] header")?.textContent);`);
  await screenshot("e2e-synced.png");
});

test("keyboard only: a claim opened, closed with Escape, opened again, Back, then export", async () => {
  await tabTo("Claims in the side bar", '(a) => a.matches("nav a[href=\'#/claims\']")', { back: true });
  await type(ENTER);
  await until("the claims' address", 'return location.hash === "#/claims"');
  await textOf("[data-testid=claim-row]", { timeoutMs: 30000 });
  await tabTo("the first claim in the list", '(a) => a.matches("[data-testid=claim-row] a")');
  await until("the claim link remembered", 'window.__opener = document.activeElement.getAttribute("href"); return true');
  await type(ENTER);
  await until("the claim's address", 'return location.hash === window.__opener');
  await textOf("[data-testid=claim-detail]", { timeoutMs: 30000 });
  // Focus moved to the opened claim's heading (a screen reader starts reading there).
  await until("focus on the opened claim's heading", 'return document.activeElement?.matches("[data-testid=claim-detail] h3[data-route-focus]") === true').catch(async (e) => {
    throw new Error(`${e.message}\nfocus: ${JSON.stringify(await focused())}`);
  });
  // Escape closes it: the list again, focus back on the link that opened it.
  await type(ESCAPE);
  await until("Escape: the claims list", 'return location.hash === "#/claims"');
  await until("focus back on the claim's link", 'return document.activeElement?.getAttribute("href") === window.__opener');
  await type(ENTER);
  await until("the claim again", 'return location.hash === window.__opener');
  await textOf("[data-testid=claim-detail]", { timeoutMs: 30000 });
  // Back (Alt+Left): the list.
  await press(ALT, LEFT);
  await until("Alt+Left: the claims list", 'return location.hash === "#/claims"');
  await focusWindow();
  // Export: the side bar's Export, the form's button, and GTK's save dialog, all by keys.
  await tabTo("Export in the side bar", '(a) => a.matches("nav a[href=\'#/export\']")', { back: true });
  await type(ENTER);
  await until("the export screen", 'return location.hash === "#/export"');
  await tabTo("the Export button", '(a) => a.matches("form button[type=submit]")');
  const target = join(mkdtempSync(join(tmpdir(), "folio-e2e-export-")), "history.json");
  await type(ENTER);
  // The save dialog is GTK's own window: focus it and type the file's path, then Return.
  const dialog = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--name", "^Export your history$"], { timeout: 20000 }).toString().trim().split("\n")[0];
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  execFileSync("xdotool", ["key", "--window", dialog, "ctrl+a"]);
  execFileSync("xdotool", ["type", "--window", dialog, "--delay", "20", target]);
  execFileSync("xdotool", ["key", "--window", dialog, "Return"]);
  assert.match(await textOf("[data-testid=export-done]", { timeoutMs: 60000 }), /\S/);
  const bundle = JSON.parse(readFileSync(target, "utf8"));
  assert.equal(bundle.resourceType, "Bundle");
  assert.ok(bundle.entry.length > 1000, `the exported history holds the synced records (${bundle.entry.length})`);
  await screenshot("e2e-keyboard-export.png");
});

test("Records shows the synced history and a record as the plan sent it", async () => {
  await clickButton("Records");
  await textOf("[data-testid=timeline-item]", { timeoutMs: 30000 });
  await click("[data-testid=timeline-item]");
  // People's fields first; the JSON behind "Technical details".
  await textOf("[data-testid=record-facts]");
  // Opened as a click on its summary would (the detail pane scrolls on its own, out of WebDriver's reach).
  await until("Technical details open", 'document.querySelector("[data-testid=technical-details]").open = true; return true');
  const json = await textOf("[data-testid=record-json]");
  assert.match(json, /"resourceType": "/);
  await screenshot("e2e-records.png");
});

test("a claim from the demo plan reads like a paper EOB", async () => {
  await click("option[value=ExplanationOfBenefit]");
  // The timeline is asked again for claims only: the first row is a claim once that answer is shown.
  await until("the timeline shows only claims", onlyClaims);
  assert.match(await textOf("[data-testid=claim-years]"), /Claims by year of service/);
  // The newest is a prior authorization: a claim is the first item of kind Claim.
  await until("a claim in the timeline", mark("[data-testid=timeline-item]", '(a) => a.querySelector(".meta")?.textContent.startsWith("Claim ·")'));
  await click("[data-e2e=pick]");
  const claim = await textOf("[data-testid=claim]");
  assert.match(claim, /^Claim: /);
  assert.match(claim, /Open this claim/);
  await until("its link to the claim screen", 'return /^#\\/claims\\/[^/?]+\\?source=/.test(document.querySelector("[data-testid=claim] [data-testid=record-opens-on] a")?.getAttribute("href") ?? "")');
  await screenshot("e2e-claim.png");
});

test("Labs and vitals lists the demo member's results and charts one over time", async () => {
  await clickButton("Labs and vitals");
  const list = await textOf("table.tests", { timeoutMs: 30000 });
  assert.match(list, /Lab results/);
  assert.match(list, /\d+(\.\d+)? (mg\/dL|g\/dL|mmol\/L|%)/);
  // The chart comes with a second answer (the chosen test's series), after the list.
  await until("the chosen test is charted", 'return document.querySelector("[data-testid=lab-chart]") !== null', 30000);
  const chart = await all("[data-testid=lab-point]");
  assert.ok(chart.length >= 2, `a chart with points (got ${chart.length})`);
  await screenshot("e2e-labs.png");
});

test("Back and Forward in the WebKitGTK window: the header's button, Alt+Left, the mouse's back button", async () => {
  await until("on the labs screen", 'window.__labs = location.hash; return location.hash.startsWith("#/labs")');
  await clickButton("Records");
  await until("the records' address", 'return location.hash === "#/records"');
  await textOf("[data-testid=timeline-item]", { timeoutMs: 30000 });
  await click("[data-testid=timeline-item]");
  await until("a record's address", 'window.__record = location.hash; return location.hash.startsWith("#/records/")');
  await textOf("[data-testid=record-facts]");
  await clickButton("Labs and vitals");
  await until("the labs' address", 'return location.hash.startsWith("#/labs")');
  await click("[data-testid=back]");
  await until("Back: the record again", "return location.hash === window.__record");
  await press("\uE00A", "\uE012"); // Alt+Left
  await until("Alt+Left: the records list", 'return location.hash === "#/records"');
  // X11's button 8 is the mouse's back button, delivered to WebKitGTK as it comes from the mouse
  // (WebKitGTK gives the page mousedown/mouseup with DOM button 3, and no auxclick).
  execFileSync("xdotool", ["mousemove", "640", "420", "click", "8"]);
  await until("the mouse's back button: the labs screen", "return location.hash === window.__labs");
  // One step, not two: Forward leads to the records list, the entry after.
  await click("[data-testid=forward]");
  await until("Forward: the records list", 'return location.hash === "#/records"');
});

test("the overview shows the demo member's coverage card and counts", async () => {
  await clickButton("Overview");
  const card = await textOf("[data-testid=coverage-card]", { timeoutMs: 30000 });
  assert.match(card, /Member ID/);
  assert.match(await textOf("#overview-heading ~ h3:last-of-type", { timeoutMs: 10000 }), /On this computer: \d[\d,]* records/);
  await screenshot("e2e-overview.png");
});

/**
 * "Print this claim" calls window.print() in the WebKitGTK window and it returns without an
 * error. The print dialog itself cannot be seen here: under WebDriver, WebKit's automation
 * session answers window.print() without opening it (checked: no window but Folio's is mapped).
 * Outside WebDriver the same build opens GTK's print dialog and prints to a file with the print
 * stylesheet (ARCHITECTURE.md, Claims and costs).
 */
async function printCallsTheSystemPrint() {
  // Clicked from a timer, so that this WebDriver call returns before window.print() runs.
  await until("Print this claim pressed", `const print = window.print.bind(window);
    window.__print = "not called";
    window.print = () => { window.__print = "open"; try { print(); window.__print = "returned"; } catch (e) { window.__print = "threw " + e; } };
    setTimeout(() => document.querySelector("[data-testid=print-claim]").click(), 0);
    return true;`);
  await until("window.print() called and returned without an error", 'return window.__print === "returned"');
}

test("a member's journey: the overview, a claim, its visit, Back, prior authorizations", async () => {
  await clickButton("Overview");
  await until("the overview's address", 'return location.hash === "#/overview" || location.hash === "" || location.hash === "#/"');
  assert.match(await textOf("[data-testid=coverage-card]", { timeoutMs: 30000 }), /Member ID/);
  // From the overview's costs tile (what the member owes this year) to the claims.
  assert.match(await textOf("[data-testid=costs-answer]", { timeoutMs: 30000 }), /^You owe \$\d{1,3}(,\d{3})*\.\d\d (this year|in \d{4})$/);
  await click("[data-testid=costs-tile] h3 a");
  await until("the claims' address", 'return location.hash === "#/claims"');
  assert.match(await textOf("[data-testid=cost-summary]", { timeoutMs: 30000 }), /you owe \$\d{1,3}(,\d{3})*\.\d\d for [\d,]+ claims? from Folio Sandbox Health Plan/);
  // A doctor's claim of the demo member, remembered as the list shows it.
  await until("a doctor's claim in the list", mark("[data-testid=claim-row]", '(r) => r.querySelectorAll("td")[2]?.textContent.trim() === "Doctor"'));
  await until("the picked claim remembered", `const cells = [...document.querySelectorAll("[data-e2e=pick] td")].map((c) => c.textContent.trim());
    window.__claim = { date: cells[0], provider: cells[1], owe: cells[4] }; return cells.length > 4;`);
  await click("[data-e2e=pick] a");
  await until("the claim's address", 'window.__claimAt = location.hash; return /^#\\/claims\\/[^/?]+\\?source=/.test(location.hash)');
  const claim = await textOf("[data-testid=claim-detail]", { timeoutMs: 30000 });
  assert.match(claim, /Claim number/);
  assert.match(claim, /Doctor claim/);
  await until("the claim is the one picked (date, provider, what the member owes)", `const d = document.querySelector("[data-testid=claim-detail]").textContent;
    return d.includes(window.__claim.date) && d.includes(window.__claim.provider) && document.querySelector("[data-testid=claim-you-owe]").textContent.trim() === window.__claim.owe;`);
  await screenshot("e2e-journey-claim.png");
  await printCallsTheSystemPrint();
  // Its visit: the Encounter the claim names, opened as a record.
  await click('[data-testid=claim-detail] a[href^="#/records/Encounter/"]');
  await until("the visit's address", 'return location.hash.startsWith("#/records/Encounter/")');
  await textOf("[data-testid=record-facts]", { timeoutMs: 30000 });
  await until("the visit's detail", 'return document.querySelector("aside[aria-label=\'Record detail\'] .kind")?.textContent.trim().startsWith("Visit")');
  await screenshot("e2e-journey-visit.png");
  // Back: the same claim again.
  await click("[data-testid=back]");
  await until("Back: the claim again", "return location.hash === window.__claimAt");
  await until("the claim shown again", 'return document.querySelector("[data-testid=claim-detail]")?.textContent.includes(window.__claim.provider) === true');
  // Then the prior authorizations: the demo member's, with where each stands.
  await clickButton("Prior authorizations");
  await until("the prior authorizations' address", 'return location.hash === "#/prior-authorizations"');
  const row = await textOf("[data-testid=prior-auth-row]", { timeoutMs: 30000 });
  const status = STATUS.exec(row)?.[0];
  assert.ok(status, `where it stands, in words: ${row}`);
  await click("[data-testid=prior-auth-row]");
  await until("a prior authorization's address", 'return location.hash.startsWith("#/prior-authorizations/")');
  assert.equal(await textOf("[data-testid=prior-auth-status]"), status);
  await screenshot("e2e-journey-prior-auth.png");
});

// ---- Accessibility of every screen in the real window (WebKitGTK) ------------------------------

const AXE = readFileSync(new URL("../../ui/node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Waits until the screen at `hash` has its answer: nothing busy or loading, and the page unchanged for a moment. */
async function showScreen(hash) {
  await run("if (location.hash !== arguments[0]) location.hash = arguments[0]; window.__stable = 0; window.__last = ''; return true", [hash]);
  await until(`${hash} settled`, `const main = document.querySelector("main");
    const busy = document.querySelector("[aria-busy=true]") !== null || [...document.querySelectorAll("[role=status]")].some((s) => s.textContent.trim().endsWith("…"));
    const now = main ? main.innerHTML : "";
    window.__stable = !busy && now === window.__last && now.length > 0 ? window.__stable + 1 : 0;
    window.__last = now;
    return window.__stable >= 3;`, 30000);
}

/** axe-core's WCAG 2.1 AA rules on the window as it is: violations and the number of nodes it checked. */
async function audit() {
  await run(`if (!window.axe) { ${AXE}
    } return typeof window.axe;`);
  return runAsync(`const done = arguments[arguments.length - 1];
    window.axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(WCAG21AA)} } }).then((r) => {
      const nodes = (list) => list.reduce((n, rule) => n + rule.nodes.length, 0);
      done({
        violations: r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ") + " " + (n.failureSummary ?? "").replace(/\\s+/g, " ").slice(0, 160)).slice(0, 4) })),
        checked: nodes(r.passes) + nodes(r.violations) + nodes(r.incomplete),
        rules: r.passes.length + r.violations.length,
      });
    }, (e) => done({ error: String(e) }));`);
}

/** Chooses a radio of Settings by keys (focus it, Space), then returns to `back`. */
async function chooseSetting(name, value) {
  await showScreen("#/settings");
  const here = await run(`return document.querySelector("input[name=${name}][value=${value}]") !== null`);
  if (!here) return false;
  await run(`document.querySelector("input[name=${name}][value=${value}]").focus(); return true`);
  await type("\uE00D"); // Space selects the focused radio
  await until(`${name} ${value} chosen`, `return document.querySelector("input[name=${name}][value=${value}]").checked`);
  return true;
}

/** Every screen, and one of each kind of record opened, by address. */
async function screens() {
  const first = async (hash, css) => {
    await showScreen(hash);
    return run(`return document.querySelector(${JSON.stringify(css)})?.getAttribute("href") ?? null`);
  };
  const list = ["#/overview", "#/health", "#/health/conditions", "#/health/allergies", "#/health/vaccines", "#/health/visits", "#/health/care-team", "#/labs", "#/records", "#/claims", "#/prior-authorizations", "#/plans", "#/export", "#/computer", "#/settings"];
  const opened = [
    await first("#/records", "[data-testid=timeline-item]"),
    await first("#/claims", "[data-testid=claim-row] a"),
    await first("#/prior-authorizations", "a[data-testid=prior-auth-row], [data-testid=prior-auth-row] a"),
  ].filter((h) => h !== null);
  return [...list, ...opened];
}

test("axe-core finds no WCAG 2.1 AA violation on any screen, in the light and dark themes and each language", async () => {
  const all = await screens();
  assert.ok(all.length >= 17, `every screen and three opened records (${all.length})`);
  const languages = (await run('return [...document.querySelectorAll("input[name=language]")].map((i) => i.value).filter((v) => v !== "system")')) ?? [];
  await showScreen("#/settings");
  const langs = (await run('return [...document.querySelectorAll("input[name=language]")].map((i) => i.value).filter((v) => v !== "system")')) ?? languages;
  const results = [];
  for (const language of langs.length > 0 ? langs : ["en"]) {
    if (langs.length > 0) assert.ok(await chooseSetting("language", language), `language ${language} chosen`);
    for (const theme of ["light", "dark"]) {
      assert.ok(await chooseSetting("theme", theme), `theme ${theme} chosen`);
      for (const hash of all) {
        await showScreen(hash);
        const r = await audit();
        assert.equal(r.error, undefined, r.error);
        results.push({ screen: hash, theme, language, violations: r.violations.length, checked: r.checked, rules: r.rules, details: r.violations });
        console.log(`axe ${hash.padEnd(60)} ${theme.padEnd(5)} ${language}: ${r.violations.length} violations, ${r.checked} nodes checked by ${r.rules} rules`);
      }
    }
  }
  writeFileSync(join(process.env.ARTIFACTS_DIR ?? "artifacts", "axe-e2e.json"), JSON.stringify(results, null, 2));
  await chooseSetting("theme", "system");
  if (langs.length > 0) await chooseSetting("language", "system");
  const failed = results.filter((r) => r.violations > 0);
  assert.deepEqual(failed.map((r) => `${r.screen} ${r.theme} ${r.language}: ${JSON.stringify(r.details)}`), []);
});

test("Ctrl+= zooms the window to 200 % (Ctrl+0 back); at 200 % and 800 to 2560 px wide no screen scrolls sideways", async () => {
  await showScreen("#/overview");
  const before = await run("return window.innerWidth");
  await run("document.querySelector('main h2')?.focus(); return true");
  for (let i = 0; i < 5; i++) await press(CONTROL, "=");
  await until("the page is zoomed to 200 %", `return Math.abs(window.innerWidth * 2 - ${before}) <= 4`);
  const all = await screens();
  const sideways = [];
  for (const width of [800, 1280, 2560]) {
    await resize(width, 800);
    for (const hash of all) {
      await showScreen(hash);
      const over = await run("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
      // What sticks out, innermost first, for the failure message.
      const out = over > 0 ? await run(`const w = document.documentElement.clientWidth;
        const words = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const text = [];
        for (let n = words.nextNode(); n && text.length < 3; n = words.nextNode()) {
          const r = document.createRange(); r.selectNodeContents(n);
          if (r.getBoundingClientRect().right > w + 1) text.push("text " + JSON.stringify(n.textContent.trim().slice(0, 40)) + " in " + n.parentElement.tagName.toLowerCase() + "." + n.parentElement.className);
        }
        return text.concat([...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > w + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > w + 1))
          .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : "") + " " + JSON.stringify((e.textContent ?? "").trim().slice(0, 40)))).join("; ");`) : "";
      if (over > 0) sideways.push(`${hash} at ${width} px: ${over} px too wide (${out})`);
      if ((width === 800 && ["#/overview", "#/claims", "#/records", "#/labs", "#/health"].includes(hash)) || (width === 1280 && ["#/overview", "#/claims"].includes(hash))) {
        await run("window.scrollTo(0, 0); return true");
        await screenshot(`e2e-zoom200-${width}-${hash.slice(2).replace(/\W+/g, "-")}.png`);
      }
    }
  }
  await resize(1100, 760);
  await run("document.querySelector('main h2')?.focus(); return true");
  await press(CONTROL, "0");
  await until("Ctrl+0: back to 100 %", `return Math.abs(window.innerWidth - ${before}) <= 4`);
  assert.deepEqual(sideways, []);
});
