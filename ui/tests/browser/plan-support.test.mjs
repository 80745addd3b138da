// A connected plan's details in Chromium, host mocked: what the plan supports, in plain
// sentences under its card (issue 15), asked again after a download. The screenshot goes to
// artifacts/browser-plan-support.png; docs/screenshots/plan-support.png is a copy of it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const plan = { id: "acme", name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", clientId: "folio-desktop",
  redirect: "loopback", fromCatalog: false, isDemo: false, notes: null };
const connection = { id: "c-7", planId: "acme", planName: "Acme Health", patientId: "acme-77", status: "connected",
  grantedScopes: ["launch/patient", "openid", "offline_access", "patient/*.rs"], scopesNotGranted: [], tokenExpiresAt: null,
  lastSyncedAt: "2026-11-29T09:00:00Z", records: 267, problem: null, kind: "plan" };
const sentencesBefore = [
  "This plan does not send a claim's doctors and insurer with the claim; Folio fetched them separately.",
  "This plan does not say where each record came from; Folio keeps track of where it got each one.",
  "This plan gives 50 records per page.",
  "This plan cannot look up several doctors at once; Folio fetched them one by one.",
];
const support = { planId: "acme", unknown: false, pageSize: 50, linkedFetchedSeparately: true, readOneByOne: ["Practitioner"],
  probedAt: "2026-11-29T09:00:00Z", types: [], sentences: sentencesBefore };
const NOW = new Date("2026-11-29T12:00:00Z");

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

test("a connected plan's card says what the plan supports, and says it again after a download", async () => {
  const handler = `(() => { let asked = 0; let synced = false; return (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(plan)}];
    if (cmd === "list_connections") return [${JSON.stringify(connection)}];
    if (cmd === "plan_support") {
      asked += 1; window.__supportAsked = asked;
      if (args.planId !== "acme") throw { code: "plan_not_found", message: "no such plan" };
      const s = ${JSON.stringify(support)};
      return synced ? { ...s, sentences: [...s.sentences, "This plan ignored part of what Folio asked for without saying so (only what changed); Folio does not rely on it."] } : s;
    }
    if (cmd === "start_sync") { synced = true;
      // The host answers with the run's id; the run's end arrives as an event.
      const emit = (payload) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "folio-event-message", payload });
      void Promise.resolve().then(() => emit({ kind: "syncFinished", runId: 1, connectionId: args.connectionId, error: null,
        report: { connectionId: args.connectionId, cancelled: false, types: [{ resourceType: "Coverage", outcome: "done", fetched: 2, markedMissing: 0, problem: null, failure: null }] } }));
      return 1; }
    throw "unexpected " + cmd;
  }; })()`;
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.clock.setFixedTime(NOW);
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Health plans" }).click();

  const card = page.getByTestId("connection");
  const section = card.getByTestId("plan-support");
  await section.waitFor();
  assert.equal(await section.getByRole("heading").textContent(), "What this plan supports");
  assert.deepEqual(await section.getByRole("listitem").allTextContents(), sentencesBefore);
  assert.match(await section.getByTestId("plan-support-checked").textContent(), /^Checked .*2026/);
  await hostIdle(page);
  assert.deepEqual(await axeViolations(page), [], "WCAG 2 AA (axe) with the plan's details");
  await card.screenshot({ path: `${artifacts}browser-plan-support.png` });

  // After a download the details are asked again and show what the sync learned.
  await page.getByRole("button", { name: "Download records" }).click();
  await until(page, "the plan's details asked again after the download", () => window.__supportAsked >= 2);
  await section.getByText("ignored part of what Folio asked for without saying so").waitFor();
  assert.equal(await section.getByRole("listitem").count(), sentencesBefore.length + 1);
  assert.deepEqual(errors, []);
  await page.close();
});
