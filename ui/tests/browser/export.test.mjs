// The export screen in Chromium with the host mocked: choices become the request, the
// sensitive-records question defaults to leaving them out, cancel and errors are told; axe.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, launchBrowser, mockScript, serveDist } from "./harness.mjs";

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

const connections = [
  { id: "c-1", planId: "demo", planName: "Folio Sandbox Health Plan (demo)", patientId: "demo-patient", status: "connected",
    grantedScopes: [], scopesNotGranted: [], tokenExpiresAt: null, lastSyncedAt: null, records: 10, problem: null, kind: "plan" },
  { id: "c-2", planId: "second", planName: "Second Plan", patientId: "p-2", status: "connected",
    grantedScopes: [], scopesNotGranted: [], tokenExpiresAt: null, lastSyncedAt: null, records: 5, problem: null, kind: "plan" },
];

const handler = `(() => { window.__requests = []; let n = 0; return (cmd, args) => {
  if (cmd === "list_connections") return ${JSON.stringify(connections)};
  if (cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "overview") return { coverages: [], counts: [], lastVisit: null, changed: [], newItems: [] };
  if (cmd === "export_history") {
    window.__requests.push(args.request); n += 1;
    if (n === 1) return { path: "/home/ana/folio-history.json", format: "bundle", resources: 1342, sources: 1, bytes: 2400000, files: 1 };
    if (n === 2) return null;
    throw { code: "export_target_exists", message: "/home/ana/folio-history-ndjson already exists; choose another name (Folio never replaces a file without asking)" };
  }
  throw "unexpected " + cmd;
}; })()`;

async function open(colorScheme = "light") {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Export", exact: true }).click();
  await page.getByRole("heading", { name: "Export your history" }).waitFor();
  return { page, errors };
}

test("the member's choices are exported as asked, and cancel and refusals are told", async () => {
  const { page, errors } = await open();
  assert.equal(await page.getByLabel("Leave them out").isChecked(), true, "sensitive records are left out unless chosen");
  await page.getByLabel("All plans").uncheck();
  await page.getByLabel("Second Plan (p-2)").check();
  await page.getByLabel("Claims", { exact: true }).check();
  await page.getByLabel("From", { exact: true }).fill("2024-01-01");
  await page.getByRole("button", { name: "Export…" }).click();
  const done = page.getByTestId("export-done");
  await done.waitFor();
  assert.match(await done.textContent(), /Exported 1,342 records from 1 plan to \/home\/ana\/folio-history\.json: one FHIR Bundle file, 2\.4 MB\. Records marked sensitive were left out\./);
  assert.deepEqual(await page.evaluate(() => window.__requests[0]), {
    format: "bundle", connections: ["c-2"], types: ["ExplanationOfBenefit"], from: "2024-01-01", until: null, includeSensitive: false, overwrite: false,
  });
  await page.screenshot({ path: `${artifacts}browser-export.png` });

  await page.getByRole("button", { name: "Export…" }).click();
  await page.getByText("Nothing was exported: you closed the save dialog.").waitFor();

  await page.getByLabel(/A folder of NDJSON files/).check();
  await page.getByLabel("Include them").check();
  await page.getByRole("button", { name: "Export…" }).click();
  const alert = page.locator("[data-code=export_target_exists]");
  await alert.waitFor();
  assert.match(await alert.textContent(), /already exists/);
  const last = await page.evaluate(() => window.__requests[2]);
  assert.equal(last.format, "ndjson");
  assert.equal(last.includeSensitive, true);

  await page.getByLabel("Until (not including)").fill("2023-01-01");
  await page.getByRole("button", { name: "Export…" }).click();
  await page.getByText("The start date must be before the end date.").waitFor();
  assert.equal(await page.evaluate(() => window.__requests.length), 3, "nothing asked of the host for an impossible range");
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the export screen passes axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(scheme);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
