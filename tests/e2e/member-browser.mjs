#!/usr/bin/env node
// Plays the member's system browser in end-to-end tests: Folio runs `$BROWSER <url>`; this
// signs in at the demo plan, consents (sharing everything but sensitive records), and follows
// the plan's redirect back to Folio's loopback listener, as a real browser would. A redirect to
// Folio's link (health.folio.desktop:) is handed to the desktop with `xdg-open`, as a browser
// hands a scheme it does not know to the system (the package test uses this).
import { execFile } from "node:child_process";
import { appendFile } from "node:fs/promises";
import { promisify } from "node:util";

const log = async (line) => {
  if (process.env.ARTIFACTS_DIR) await appendFile(`${process.env.ARTIFACTS_DIR}/member-browser.log`, `${line}\n`);
};

const field = (html, name) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${name} field on the page`);
  return m[1];
};

async function main(authorizeUrl) {
  const origin = new URL(authorizeUrl).origin;
  const login = await fetch(authorizeUrl, { redirect: "manual" });
  await log(`authorize page: ${login.status}`);
  const request = field(await login.text(), "request");
  const consentPage = await fetch(`${origin}/auth/login`, {
    method: "POST",
    body: new URLSearchParams({ request, username: process.env.MEMBER_LOGIN ?? "demo", password: "demo" }),
    redirect: "manual",
  });
  await log(`login: ${consentPage.status}`);
  const html = await consentPage.text();
  const form = new URLSearchParams({ request });
  for (const m of html.matchAll(/name="scope" value="([^"]*)"/g)) form.append("scope", m[1]);
  form.append("sensitive", "withhold");
  form.append("decision", "allow");
  const done = await fetch(`${origin}/auth/consent`, { method: "POST", body: form, redirect: "manual" });
  const back = done.headers.get("location");
  if (!back) throw new Error(`consent: ${done.status} without a redirect`);
  const url = new URL(back);
  if (url.protocol === "http:" || url.protocol === "https:") {
    await log(`consent: ${done.status}, back to ${url.origin}${url.pathname}`);
    const landing = await fetch(back);
    await log(`loopback page: ${landing.status}`);
  } else {
    // The URL carries the authorization code: only its scheme and path are logged.
    await log(`consent: ${done.status}, back to ${url.protocol}${url.pathname}, handed to xdg-open`);
    await promisify(execFile)("xdg-open", [back]);
    await log("xdg-open: done");
  }
}

main(process.argv[2]).catch(async (e) => {
  await log(`failed: ${e.message}`);
  process.exit(1);
});
