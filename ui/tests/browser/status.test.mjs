// The built UI in a real browser engine (Chromium) against a mocked host.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, launchBrowser, mockScript, serveDist } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const status = {
  version: "0.1.0",
  dataDir: "/home/member/.local/share/health.folio.desktop",
  dataDirSource: "platform",
  storage: {
    path: "/home/member/.local/share/health.folio.desktop/folio.db",
    schemaVersion: 1, migrationsApplied: 1, migrationsKnown: 1, sizeBytes: 53248,
    journalMode: "wal", plans: 1, connections: 2, resources: 1520, syncRuns: 3, keyHome: "keychain",
  },
};

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

export async function open(handlerSource) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handlerSource) });
  await page.goto(server.url);
  return { page, errors };
}

const EMPTY_LISTS = `if (cmd === "list_plans" || cmd === "list_connections") return [];`;

test("status screen shows what the host reports", async () => {
  const { page, errors } = await open(`(cmd) => { ${EMPTY_LISTS} if (cmd === "app_status") return ${JSON.stringify(status)}; throw "unknown " + cmd; }`);
  await page.getByRole("link", { name: "This computer" }).click();
  await page.getByText("1,520 records").waitFor();
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Folio");
  assert.equal(await page.getByTestId("data-dir").textContent(), status.dataDir);
  assert.equal(await page.getByTestId("schema").textContent(), "Schema version 1");
  assert.match(await page.locator("main").textContent(), /53\.2 KB/);
  assert.match(await page.getByTestId("encryption").textContent(), /Encrypted on disk \(SQLCipher, AES-256\); the key is\s+in your system keychain/);
  await page.screenshot({ path: `${artifacts}browser-status.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a host error is shown with its meaning, and Try again recovers", async () => {
  const handler = `(() => { let n = 0; return (cmd) => {
    ${EMPTY_LISTS}
    if (cmd !== "app_status") throw "unexpected " + cmd;
    n += 1;
    // The window's own first look (is the database locked?) and the screen's first load fail.
    if (n <= 2) throw { code: "storage_unavailable", message: "cannot open the database /profile/folio.db: file is not a database" };
    return ${JSON.stringify(status)};
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("link", { name: "This computer" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.getAttribute("data-code"), "storage_unavailable");
  assert.match(await alert.textContent(), /Folio cannot open its database/);
  await page.getByRole("button", { name: "Try again" }).focus();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Try again", "the retry button takes keyboard focus");
  await page.keyboard.press("Enter");
  await page.getByText("1,520 records").waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("remove all my data asks first, then says what was removed; the screen passes axe", async () => {
  const handler = `(() => { let removed = false; window.__removed = 0; return (cmd) => {
    ${EMPTY_LISTS}
    if (cmd === "app_status") return removed
      ? { ...${JSON.stringify(status)}, storage: { ...${JSON.stringify(status.storage)}, connections: 0, resources: 0 } }
      : ${JSON.stringify(status)};
    if (cmd === "remove_all_data") { removed = true; window.__removed += 1; return { sources: 3, planConnections: 2, revokedAtPlans: 1 }; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("link", { name: "This computer" }).click();
  await page.getByText("1,520 records").waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole("button", { name: "Remove all my data…" }).click();
  await page.getByRole("button", { name: "Keep my data" }).click();
  assert.equal(await page.evaluate(() => window.__removed), 0, "nothing removed without confirming");
  await page.getByRole("button", { name: "Remove all my data…" }).click();
  await page.getByRole("button", { name: "Yes, remove everything" }).click();
  const done = page.getByTestId("removed");
  await done.waitFor();
  assert.match(await done.textContent(), /Removed 3 sources: 2 plan connections \(tokens deleted from your keychain, access revoked at 1 plan\)/);
  await page.getByText("0 records").waitFor();
  assert.equal(await page.evaluate(() => window.__removed), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
