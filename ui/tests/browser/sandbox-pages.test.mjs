// The demo plan's own pages (folio-sandbox) used by a person in Chromium: sign in, untick a
// scope, choose to share sensitive records, allow; the plan sends the browser back with a code.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "./harness.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const artifacts = `${root}artifacts/`;
const bin = process.env.FOLIO_SANDBOX_BIN ?? `${process.env.CARGO_TARGET_DIR ?? `${root}target`}/debug/folio-sandbox`;

let sandbox;
let fhirBase;
let browser;
let callback;
let received;

before(async () => {
  assert.ok(existsSync(bin), `build folio-sandbox first (cargo build -p folio-sandbox); looked for ${bin}`);
  sandbox = spawn(bin, ["--port", "0", "--member", "demo=generated:5:200:Ana:Rivera"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: sandbox.stdout });
  for await (const line of lines) {
    const m = /^FHIR base: (\S+)/.exec(line);
    if (m) {
      fhirBase = m[1];
      break;
    }
  }
  // Plays Folio's loopback listener at the registered path.
  received = new Promise((resolve) => {
    callback = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<h1>Back in Folio</h1>");
      resolve(new URL(req.url, "http://127.0.0.1"));
    });
  });
  await new Promise((r) => callback.listen(0, "127.0.0.1", r));
  browser = await launchBrowser();
  await mkdir(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  callback?.close();
  sandbox?.kill();
});

test("a member signs in and consents at the demo plan in a real browser", async () => {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redirect = `http://127.0.0.1:${callback.address().port}/cb/demo`;
  const scope = "launch/patient openid fhirUser offline_access patient/*.rs";
  const url = new URL(`${new URL(fhirBase).origin}/auth/authorize`);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: "folio-desktop", redirect_uri: redirect, scope,
    state: "browser-state", aud: fhirBase, code_challenge: challenge, code_challenge_method: "S256" })) url.searchParams.set(k, v);

  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  await page.goto(url.href);
  await page.getByLabel("Member login").fill("demo");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.match(await page.getByRole("alert").textContent(), /do not match/);
  await page.getByLabel("Member login").fill("demo");
  await page.getByLabel("Password").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Share your records with Folio?" }).waitFor();
  assert.match(await page.locator("main").textContent(), /Signed in as Ana Rivera/);
  await page.getByLabel(/Keep access when you are not signed in/).uncheck();
  await page.getByLabel("Share sensitive records too").check();
  await page.screenshot({ path: `${artifacts}sandbox-consent.png`, fullPage: true });
  await page.getByRole("button", { name: "Allow" }).click();
  const back = await received;
  assert.equal(back.pathname, "/cb/demo");
  assert.equal(back.searchParams.get("state"), "browser-state");
  assert.equal(back.searchParams.get("iss"), fhirBase);
  const res = await fetch(`${new URL(fhirBase).origin}/auth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code"), redirect_uri: redirect,
      client_id: "folio-desktop", code_verifier: verifier }),
  });
  assert.equal(res.status, 200);
  const token = await res.json();
  assert.equal(token.scope, "launch/patient openid fhirUser patient/*.rs", "the unticked scope is not granted");
  assert.equal(token.refresh_token, undefined, "no offline access, no refresh token");
  await page.close();
});
