// The unlock screen in Chromium against a mocked host: where there is no system keychain, the
// member chooses or enters the passphrase that encrypts their records, and nothing else of the
// app is reachable until then.
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
    schemaVersion: 7, migrationsApplied: 7, migrationsKnown: 7, sizeBytes: 53248,
    journalMode: "wal", plans: 1, connections: 0, resources: 0, syncRuns: 0, keyHome: "passphrase",
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

async function open(handlerSource) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handlerSource) });
  await page.goto(server.url);
  return { page, errors };
}

/** A host whose records open with `secret` only; `lock` is the code app_status answers until then. */
const host = (lock, secret) => `(() => { let open = false; window.__tries = []; window.__removed = 0; return (cmd, args) => {
  if (cmd === "list_plans" || cmd === "list_connections") return [];
  if (cmd === "app_status") {
    if (open) return ${JSON.stringify(status)};
    throw { code: "${lock}", message: "your records are locked with a passphrase: enter it to open them" };
  }
  if (cmd === "unlock") {
    window.__tries.push(args.passphrase);
    if (args.passphrase !== ${JSON.stringify(secret)}) throw { code: "wrong_passphrase", message: "that passphrase does not open your records" };
    open = true;
    return null;
  }
  if (cmd === "remove_all_data") { window.__removed += 1; open = true; return { sources: 0, planConnections: 0, revokedAtPlans: 0 }; }
  throw { code: "internal", message: "not part of this test: " + cmd };
}; })()`;

test("locked records: only the passphrase field shows; a wrong one is told, the right one opens Folio", async () => {
  const { page, errors } = await open(host("passphrase_needed", "correct horse battery"));
  await page.getByRole("heading", { name: "Your records are locked" }).waitFor();
  assert.equal(await page.getByRole("navigation").count(), 0, "no screen is reachable while locked");
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: `${artifacts}browser-unlock.png` });
  await page.getByLabel("Passphrase").fill("correct horse");
  await page.getByRole("button", { name: "Open my records" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.getAttribute("data-code"), "wrong_passphrase");
  assert.equal((await alert.textContent()).trim(), "That passphrase does not open your records.");
  await page.getByLabel("Passphrase").fill("correct horse battery");
  await page.getByLabel("Passphrase").press("Enter");
  await page.getByRole("navigation").waitFor();
  assert.equal(await page.getByTestId("unlock").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.__tries), ["correct horse", "correct horse battery"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("no keychain on first run: the member chooses a passphrase of 12 or more characters, typed twice", async () => {
  const { page, errors } = await open(host("passphrase_to_choose", "a long passphrase"));
  await page.getByRole("heading", { name: "Choose a passphrase for your records" }).waitFor();
  assert.match(await page.locator("main").textContent(), /cannot recover a forgotten passphrase/);
  const lock = page.getByRole("button", { name: "Lock my records with this passphrase" });
  await page.getByTestId("passphrase").fill("too short");
  assert.equal(await lock.isDisabled(), true);
  assert.match(await page.locator(".hint").textContent(), /At least 12 characters \(9 so far\)/);
  await page.getByTestId("passphrase").fill("a long passphrase");
  await page.getByTestId("passphrase-repeat").fill("a long passphrasf");
  assert.equal(await lock.isDisabled(), true, "the two entries must match");
  await page.getByTestId("passphrase-repeat").fill("a long passphrase");
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: `${artifacts}browser-choose-passphrase.png` });
  await lock.click();
  await page.getByRole("navigation").waitFor();
  assert.deepEqual(await page.evaluate(() => window.__tries), ["a long passphrase"]);
  await page.getByRole("link", { name: "This computer" }).click();
  assert.match(await page.getByTestId("encryption").textContent(), /made from your passphrase, which only you know/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a lost key is said plainly, and starting afresh asks first", async () => {
  const { page, errors } = await open(host("database_key_missing", "unused"));
  await page.getByRole("heading", { name: "The key to your records is missing" }).waitFor();
  await page.getByRole("button", { name: "Remove the unreadable records and start afresh…" }).click();
  await page.getByRole("button", { name: "Not now" }).click();
  assert.equal(await page.evaluate(() => window.__removed), 0, "nothing removed without confirming");
  await page.getByRole("button", { name: "Remove the unreadable records and start afresh…" }).click();
  await page.getByRole("button", { name: "Yes, start afresh" }).click();
  await page.getByRole("navigation").waitFor();
  assert.equal(await page.evaluate(() => window.__removed), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
