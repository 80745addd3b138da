#!/usr/bin/env node
// Plays the member's system browser in end-to-end tests: Folio runs `$BROWSER <url>`; this
// signs in at the demo plan, consents (sharing everything but sensitive records), and follows
// the plan's redirect back to Folio's loopback listener, as a real browser would.
import { appendFile } from "node:fs/promises";

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
  await log(`consent: ${done.status}, back to ${back ? new URL(back).origin + new URL(back).pathname : "nowhere"}`);
  const landing = await fetch(back);
  await log(`loopback page: ${landing.status}`);
}

main(process.argv[2]).catch(async (e) => {
  await log(`failed: ${e.message}`);
  process.exit(1);
});
