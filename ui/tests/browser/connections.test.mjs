// The connections screen in Chromium, host mocked: the demo plan, a sign-in, errors, disconnect.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const demo = { id: "demo", name: "Folio Sandbox Health Plan (demo)", fhirBase: "http://127.0.0.1:8700/fhir", clientId: "folio-desktop",
  redirect: "loopback", fromCatalog: true, isDemo: true, notes: "A demo plan with synthetic members." };
const connection = { id: "c-1", planId: "demo", planName: demo.name, patientId: "demo-patient", status: "connected",
  grantedScopes: ["launch/patient", "openid", "patient/*.rs"], scopesNotGranted: ["offline_access"], tokenExpiresAt: null,
  lastSyncedAt: null, records: 0, problem: null, kind: "plan" };

const NOW = new Date("2026-11-29T12:00:00Z");

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

/** A mocked host's command handler saying a connection changed, as the core does on connect, disconnect and import. */
const CHANGED = `const changed = (id) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit",
  { event: "folio-event-message", payload: { kind: "connectionChanged", connectionId: id } });`;

async function open(handlerSource) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A fixed "now" (a day-old connection is not synced by the screen: the background schedule does it).
  await page.clock.setFixedTime(NOW);
  await page.addInitScript({ content: await mockScript(handlerSource) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Health plans" }).click();
  return { page, errors };
}

test("the demo plan connects and the narrower grant is shown", async () => {
  const handler = `(() => { let connected = false; ${CHANGED} return (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return connected ? [${JSON.stringify(connection)}] : [];
    if (cmd === "begin_connect") return { planId: args.planId, authorizeUrl: "http://127.0.0.1:8700/auth/authorize?state=x" };
    if (cmd === "finish_connect") { connected = true; void changed("c-1"); return ${JSON.stringify(connection)}; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByTestId("no-connections").waitFor();
  await page.getByRole("button", { name: "Try the demo plan" }).click();
  await page.getByTestId("connected-notice").waitFor();
  const card = page.getByTestId("connection");
  assert.equal(await card.getAttribute("data-status"), "connected");
  assert.match(await card.textContent(), /demo-patient/);
  assert.match(await page.getByTestId("not-granted").textContent(), /staying connected without signing in again/);
  await page.screenshot({ path: `${artifacts}browser-connections.png`, fullPage: true });
  assert.deepEqual(await axeViolations(page), [], "WCAG 2 AA (axe) with a connection and the plan list");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the demo plan's entry through Folio's link is its own button and says the browser will ask to open Folio", async () => {
  const viaLink = { ...demo, id: "demo-app-link", name: "Folio Sandbox Health Plan (demo, through Folio's link)", redirect: "custom-scheme",
    notes: "The same demo plan, returning through Folio's link." };
  const handler = `(() => { const started = []; return (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}, ${JSON.stringify(viaLink)}];
    if (cmd === "list_connections") return [];
    if (cmd === "begin_connect") { started.push(args.planId); window.__started = started; return { planId: args.planId, authorizeUrl: "http://127.0.0.1:8700/auth/authorize?state=z" }; }
    if (cmd === "finish_connect") return new Promise(() => {});
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  const plans = page.getByRole("list", { name: "Plans" });
  assert.equal(await plans.getByRole("button", { name: "Try the demo plan" }).count(), 1);
  await plans.getByRole("button", { name: "Try it through Folio's link" }).click();
  await page.getByTestId("sign-in-waiting").waitFor();
  assert.match(await page.getByTestId("app-link-hint").textContent(), /browser asks whether to open Folio/);
  assert.deepEqual(await page.evaluate(() => window.__started), ["demo-app-link"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a sign-in waits with a cancel button and reports the plan's refusal", async () => {
  const handler = `(() => { let release; return (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [];
    if (cmd === "begin_connect") return { planId: args.planId, authorizeUrl: "http://127.0.0.1:8700/auth/authorize?state=y" };
    if (cmd === "finish_connect") return new Promise((_, reject) => { release = reject; });
    if (cmd === "cancel_connect") { release({ code: "sign_in_cancelled", message: "the sign-in was cancelled" }); return true; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("button", { name: "Try the demo plan" }).click();
  const waiting = page.getByTestId("sign-in-waiting");
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /127\.0\.0\.1:8700\/auth\/authorize/, "the link is shown in case no browser opened");
  await page.getByRole("button", { name: "Cancel" }).click();
  const error = page.getByTestId("connect-error");
  await error.waitFor();
  assert.equal(await error.getAttribute("data-code"), "sign_in_cancelled");
  assert.match(await error.textContent(), /The sign-in was cancelled/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("adding a plan with a bad address shows the reason", async () => {
  const handler = `(cmd) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [];
    if (cmd === "add_plan") throw { code: "invalid_plan", message: "the FHIR base must be an http(s) address without a query" };
    throw "unexpected " + cmd;
  }`;
  const { page, errors } = await open(handler);
  await page.getByLabel("Name").fill("Acme Health");
  await page.getByLabel("FHIR base URL").fill("https://fhir.acme.example/r4?x=1");
  await page.getByLabel("Client id", { exact: true }).fill("folio");
  await page.getByRole("button", { name: "Add plan" }).click();
  const alert = page.locator(".field-error");
  await alert.waitFor();
  assert.equal(await alert.getAttribute("data-code"), "invalid_plan");
  assert.deepEqual(errors, []);
  await page.close();
});

test("disconnecting asks first and says what happened", async () => {
  const handler = `(() => { let gone = false; ${CHANGED} return (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return gone ? [] : [${JSON.stringify(connection)}];
    if (cmd === "disconnect") { gone = args.deleteData === true; void changed(args.connectionId); return { revokedAtPlan: true, dataDeleted: args.deleteData }; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("button", { name: "Disconnect…" }).click();
  await page.getByRole("button", { name: "Disconnect and delete records" }).click();
  await page.getByText("Its records were deleted from this computer.").waitFor();
  assert.match(await page.locator("main").textContent(), /revoked at the plan/);
  await page.getByTestId("no-connections").waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

/** Sends a Folio event to the page, as the host forwards the core's events. */
function emit(page, payload) {
  return page.evaluate((p) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "folio-event-message", payload: p }), payload);
}

test("downloading records shows progress, then what arrived and what was not shared", async () => {
  const handler = `(() => { return async (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [{ ...${JSON.stringify(connection)}, records: window.__synced ? 1790 : 0 }];
    if (cmd === "start_sync") {
      // The host starts the run and answers with its id; the test plays the run through events.
      window.__sync = { connectionId: args.connectionId };
      return 7;
    }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("button", { name: "Download records" }).click();
  const progress = page.getByTestId("sync-progress");
  await progress.getByText("Starting the download…").waitFor();
  await until(page, "the download was asked of the host", () => window.__sync !== undefined);
  await emit(page, { kind: "syncStarted", runId: 7, connectionId: "c-1" });
  await emit(page, { kind: "syncProgress", runId: 7,
    progress: { connectionId: "c-1", resourceType: "Observation", pages: 4, resources: 800, bytes: 1, done: false } });
  await progress.getByText("Downloading labs and vitals: 800 records so far").waitFor();
  const result = page.getByTestId("sync-result");
  assert.equal(await result.count(), 0, "no result while the download runs");
  await page.evaluate(() => { window.__synced = true; });
  await emit(page, { kind: "recordsChanged", connectionId: "c-1" });
  await emit(page, { kind: "connectionChanged", connectionId: "c-1" });
  await emit(page, { kind: "syncFinished", runId: 7, connectionId: "c-1", error: null, report: { connectionId: "c-1", cancelled: false, types: [
    { resourceType: "ExplanationOfBenefit", outcome: "done", fetched: 1043, markedMissing: 0, problem: null, failure: null },
    { resourceType: "Observation", outcome: "done", fetched: 800, markedMissing: 0, problem: null, failure: null },
    { resourceType: "Immunization", outcome: "not_shared", fetched: 0, markedMissing: 0, problem: "the plan does not share this type", failure: "not_shared" } ] } });
  await result.waitFor();
  // One number, the records kept (1,790), not the 1,843 entries the plan sent (repeats and
  // linked records counted again); those are in the details, by kind, with why they differ.
  await page.getByText("Sync finished: 1,790 records from this plan on this computer. Not shared by you or the plan: immunizations.").waitFor();
  assert.ok(!(await page.getByTestId("connection").textContent()).includes("1,843"), "the received total is not on the card");
  const sent = page.getByTestId("sync-received");
  assert.equal(await sent.locator("li").first().isVisible(), false, "closed until asked");
  await sent.getByText("What the plan sent").click();
  assert.deepEqual(await sent.locator("li").allTextContents(), ["claims: 1,043 received", "labs and vitals: 800 received"]);
  assert.match(await sent.textContent(), /Folio keeps one copy of each/);
  // The list is read again because the connection changed, not because a call returned.
  await page.getByTestId("connection").getByText(/1,790 records on this computer/).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("opening the screen syncs nothing by itself (the background schedule does), a download the background is already running shows as running, and all plans download in one run", async () => {
  const other = { ...connection, id: "c-2", planId: "acme", planName: "Acme Health", patientId: "acme-77", scopesNotGranted: [] };
  const recent = { ...other, id: "c-3", planId: "beta", planName: "Beta Health", patientId: "beta-5" };
  // A day and a minute before NOW, never, three hours before.
  const handler = `(() => { const started = []; return async (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [
      { ...${JSON.stringify(connection)}, lastSyncedAt: "2026-11-28T11:59:00Z" },
      { ...${JSON.stringify(other)}, lastSyncedAt: null },
      { ...${JSON.stringify(recent)}, lastSyncedAt: "2026-11-29T09:00:00Z" } ];
    if (cmd === "start_sync") {
      started.push(args.connectionId); window.__started = started;
      // c-1 is being downloaded by the background schedule: the host refuses a second run.
      if (args.connectionId === "c-1") throw { code: "sync_already_running", message: "this plan is downloading already" };
      // The run syncs its connections one after another and says so by events.
      const emit = (payload) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "folio-event-message", payload });
      const runId = started.length;
      const ids = args.connectionId === null ? ["c-1", "c-2", "c-3"] : [args.connectionId];
      void (async () => { for (const id of ids) {
        await emit({ kind: "syncStarted", runId, connectionId: id });
        await emit({ kind: "syncFinished", runId, connectionId: id, error: null,
          report: { connectionId: id, cancelled: false, types: [{ resourceType: "Coverage", outcome: "done", fetched: 2, markedMissing: 0, problem: null, failure: null }] } });
      } })();
      return runId;
    }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByTestId("connection").nth(2).waitFor();
  await hostIdle(page);
  assert.equal(await page.evaluate(() => window.__started), undefined, "a day-old connection is not synced by the screen");
  assert.equal(await page.getByTestId("sync-result").count(), 0);
  await page.getByTestId("connection").first().getByTestId("sync-now").click();
  await hostIdle(page);
  assert.equal(await page.getByTestId("connection").first().getByTestId("sync-progress").count(), 1, "shown as downloading, not as an error");
  assert.equal(await page.getByRole("alert").count(), 0);
  // The background run ends; its result shows on the card.
  await emit(page, { kind: "syncFinished", runId: 99, connectionId: "c-1", error: null,
    report: { connectionId: "c-1", cancelled: false, types: [{ resourceType: "Coverage", outcome: "done", fetched: 2, markedMissing: 0, problem: null, failure: null }] } });
  await page.getByTestId("connection").first().getByTestId("sync-result").waitFor();
  await page.getByRole("button", { name: "Download all plans" }).click();
  await until(page, "every plan downloaded", () => document.querySelectorAll("[data-testid=sync-result]").length === 3);
  assert.deepEqual(await page.evaluate(() => window.__started), ["c-1", null], "one run for all plans");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a file is imported beside the plans, has nothing to download, and can be removed", async () => {
  const file = { ...connection, id: "f-1", planId: "file-f-1", planName: "File: folio-history.json", patientId: "demo-patient",
    grantedScopes: [], scopesNotGranted: [], lastSyncedAt: "2026-11-29T10:00:00Z", records: 1342, kind: "file" };
  const handler = `(() => { let imported = false; window.__calls = []; ${CHANGED} return (cmd, args) => {
    window.__calls.push([cmd, args]);
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return imported ? [${JSON.stringify(file)}] : [];
    if (cmd === "import_history") { imported = true; void changed("f-1");
      return { connectionId: "f-1", name: "File: folio-history.json", resources: 1342, rejected: 2, files: 1 }; }
    if (cmd === "disconnect") { imported = false; void changed("f-1"); return { revokedAtPlan: false, dataDeleted: true }; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.getByRole("button", { name: "Import a FHIR file…" }).click();
  await page.getByText("File: folio-history.json: 1,342 records imported; 2 entries were not FHIR records and were left out.").waitFor();
  const card = page.getByTestId("connection");
  assert.equal(await card.getAttribute("data-kind"), "file");
  assert.match(await card.textContent(), /Imported file/);
  assert.equal(await card.getByRole("button", { name: "Download records" }).count(), 0, "nothing to download from a file");
  // The list is read again once, on the host's connectionChanged, not a second time after the call.
  await hostIdle(page);
  const reads = () => page.evaluate(() => window.__calls.filter((c) => c[0] === "list_connections").length);
  assert.equal(await reads(), 2, "read when the screen opened, and on connectionChanged");
  await card.getByRole("button", { name: "Remove…" }).click();
  await card.getByRole("button", { name: "Remove its records" }).click();
  await page.getByTestId("no-connections").waitFor();
  await hostIdle(page);
  assert.equal(await reads(), 3, "once more, on the removal's connectionChanged");
  const calls = await page.evaluate(() => window.__calls);
  assert.deepEqual(calls.find((c) => c[0] === "import_history")[1], { folder: false });
  assert.deepEqual(calls.find((c) => c[0] === "disconnect")[1], { connectionId: "f-1", deleteData: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a plan that signs in with Folio's key shows its public key set, with a copy button", async () => {
  const added = { ...demo, id: "acme-health", name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", clientId: "folio-at-acme",
    fromCatalog: false, isDemo: false, notes: null };
  const jwks = JSON.stringify({ keys: [{ kty: "EC", crv: "P-384", alg: "ES384", use: "sig", kid: "k-1", x: "AAAA", y: "BBBB" }] }, null, 2);
  const handler = `(() => { let asked = null; return (cmd, args) => {
    if (cmd === "list_plans") return asked ? [${JSON.stringify(demo)}, ${JSON.stringify(added)}] : [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [];
    if (cmd === "add_plan") { asked = args.request; window.__asked = asked; return { plan: ${JSON.stringify(added)}, jwks: ${JSON.stringify(jwks)} }; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await page.getByLabel("Name").fill("Acme Health");
  await page.getByLabel("FHIR base URL").fill("https://fhir.acme.example/r4");
  await page.getByLabel("How Folio signs in at this plan").selectOption("private-key-jwt");
  assert.equal(await page.getByLabel("Client secret").count(), 0, "no secret asked for a key");
  await page.getByLabel("Client id", { exact: true }).fill("folio-at-acme");
  await page.getByRole("button", { name: "Add plan" }).click();
  const set = page.locator(".jwks-text");
  await set.waitFor();
  assert.equal(await set.textContent(), jwks);
  const asked = await page.evaluate(() => window.__asked);
  assert.deepEqual(asked, { name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", clientId: "folio-at-acme",
    clientAuth: "private-key-jwt", clientSecret: null, redirect: "loopback", loopbackPort: null, register: false });
  await page.getByRole("button", { name: "Copy JWKS" }).click();
  await page.getByText("Copied.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), jwks);
  await page.screenshot({ path: `${artifacts}browser-add-plan-key.png`, fullPage: true });
  await hostIdle(page);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a key plan's public key set can be shown again later from the plan list, and copied", async () => {
  const keyed = { ...demo, id: "rsa-health", name: "RSA Health", fhirBase: "https://fhir.rsa.example/r4", clientId: "folio-at-rsa",
    fromCatalog: false, isDemo: false, notes: null, clientAuth: "private-key-jwt" };
  const secret = { ...keyed, id: "secret-health", name: "Secret Health", clientAuth: "secret-basic" };
  const jwks = JSON.stringify({ keys: [{ kty: "RSA", alg: "RS384", use: "sig", kid: "k-rsa", n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri", e: "AQAB" }] }, null, 2);
  const handler = `(cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}, ${JSON.stringify(keyed)}, ${JSON.stringify(secret)}];
    if (cmd === "list_connections") return [];
    if (cmd === "plan_jwks") { (window.__jwksAsked ??= []).push(args.planId); return ${JSON.stringify(jwks)}; }
    throw "unexpected " + cmd;
  }`;
  const { page, errors } = await open(handler);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  const plans = page.getByRole("list", { name: "Plans" });
  await plans.getByText("RSA Health").waitFor();
  // Only the plan that signs in with Folio's key has one to show.
  assert.equal(await page.getByText("Show Folio's public key for this plan").count(), 1);
  assert.equal(await page.evaluate(() => window.__jwksAsked ?? null), null, "nothing asked before it is opened");
  await page.getByTestId("plan-key-rsa-health").getByText("Show Folio's public key for this plan").click();
  const set = page.getByLabel("Public key set for RSA Health");
  await set.waitFor();
  assert.equal(await set.textContent(), jwks);
  assert.deepEqual(await page.evaluate(() => window.__jwksAsked), ["rsa-health"]);
  await page.getByTestId("plan-key-rsa-health").getByRole("button", { name: "Copy JWKS" }).click();
  await page.getByText("Copied.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), jwks);
  await page.screenshot({ path: `${artifacts}browser-plan-key.png`, fullPage: true });
  await hostIdle(page);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a plan with a client secret asks for it and sends it once, with a fixed port", async () => {
  const handler = `(cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [];
    if (cmd === "add_plan") { window.__asked = args.request; throw { code: "token_error", message: "no network in this test" }; }
    throw "unexpected " + cmd;
  }`;
  const { page, errors } = await open(handler);
  await page.getByLabel("Name").fill("Portal Plan");
  await page.getByLabel("FHIR base URL").fill("https://plan.example/fhir");
  await page.getByLabel("How Folio signs in at this plan").selectOption("secret-basic");
  await page.getByLabel("Client id", { exact: true }).fill("folio-at-portal");
  await page.getByRole("button", { name: "Add plan" }).click();
  // The browser's own check stops the form: nothing is sent without the secret.
  assert.equal(await page.getByLabel("Client secret").evaluate((e) => e.validity.valueMissing), true);
  await hostIdle(page);
  assert.equal(await page.evaluate(() => window.__asked ?? null), null, "nothing sent without the secret");
  assert.equal(await page.getByLabel("Client secret").getAttribute("type"), "password");
  await page.getByLabel("Client secret").fill("s3cret");
  await page.getByLabel("Fixed port (only if the portal registered one exact address)").fill("48123");
  await page.getByRole("button", { name: "Add plan" }).click();
  await page.locator(".field-error[data-code=token_error]").waitFor();
  const asked = await page.evaluate(() => window.__asked);
  assert.equal(asked.clientAuth, "secret-basic");
  assert.equal(asked.clientSecret, "s3cret");
  assert.equal(asked.loopbackPort, 48123);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a plan that does not renew access says how long it lasts, and a sync it outlived asks to reconnect to finish", async () => {
  const shortLived = { ...connection, access: { lastsSeconds: 600, renewable: false } };
  const handler = `(() => { return async (cmd, args) => {
    if (cmd === "list_plans") return [${JSON.stringify(demo)}];
    if (cmd === "list_connections") return [window.__ended
      ? { ...${JSON.stringify(shortLived)}, status: "reconnect_to_finish", records: 240,
          problem: "Access to this plan ended and the plan does not renew it. What arrived is kept: connect again to finish downloading." }
      : ${JSON.stringify(shortLived)}];
    if (cmd === "start_sync") { window.__sync = { connectionId: args.connectionId }; return 8; }
    throw "unexpected " + cmd;
  }; })()`;
  const { page, errors } = await open(handler);
  const card = page.getByTestId("connection");
  assert.equal(await page.getByTestId("access-lasts").textContent(),
    "Access lasts 10 minutes and this plan does not renew it: each sync may ask you to sign in again.");
  await page.getByRole("button", { name: "Download records" }).click();
  await until(page, "the download was asked of the host", () => window.__sync !== undefined);
  await emit(page, { kind: "syncStarted", runId: 8, connectionId: "c-1" });
  await page.evaluate(() => { window.__ended = true; });
  await emit(page, { kind: "recordsChanged", connectionId: "c-1" });
  await emit(page, { kind: "connectionChanged", connectionId: "c-1" });
  await emit(page, { kind: "syncFinished", runId: 8, connectionId: "c-1", error: null, report: { connectionId: "c-1", cancelled: false, types: [
    { resourceType: "Coverage", outcome: "done", fetched: 240, markedMissing: 0, problem: null, failure: null },
    { resourceType: "ExplanationOfBenefit", outcome: "failed", fetched: 0, markedMissing: 0,
      problem: "access to this plan ended and the plan does not renew it: what arrived is kept; connect again to finish", failure: "reconnect_to_finish" } ] } });
  const result = page.getByTestId("sync-result");
  await result.waitFor();
  assert.match(await result.textContent(),
    /^Sync stopped: access to the plan ended and the plan does not renew it\. What was downloaded is kept: [\d,]+ records? from this plan on this computer\. Connect again to finish \(claims next\)\.$/);
  await until(page, "the card shows the connection's new state", () =>
    document.querySelector("[data-testid=connection]")?.getAttribute("data-status") === "reconnect_to_finish");
  assert.match(await card.textContent(), /Reconnect to finish/);
  assert.equal(await card.getByRole("button", { name: "Connect again" }).count(), 1, "signing in again is one click");
  assert.equal(await card.getByRole("button", { name: "Download records" }).count(), 0, "no sync with access that has ended");
  assert.equal(await card.locator("ul.failed").count(), 0, "access ending is said once, not per kind of record");
  await page.screenshot({ path: `${artifacts}browser-reconnect-to-finish.png`, fullPage: true });
  assert.deepEqual(await axeViolations(page), [], "WCAG 2 AA (axe) with a connection to reconnect");
  assert.deepEqual(errors, []);
  await page.close();
});
