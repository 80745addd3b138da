// The records screen in Chromium with the host mocked: timeline by day, filters, detail.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

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

const items = [
  { connectionId: "c-1", planName: "Folio Sandbox Health Plan (demo)", resourceType: "Observation", resourceId: "o1", date: "2026-10-02T09:00:00Z",
    title: "Glucose [Mass/volume] in Serum or Plasma", kind: "Lab or vital sign", sensitive: false, otherSources: ["Second Plan"] },
  { connectionId: "c-1", planName: "Folio Sandbox Health Plan (demo)", resourceType: "ExplanationOfBenefit", resourceId: "e1", date: "2026-10-02",
    title: "Professional", kind: "Claim", sensitive: false, otherSources: [] },
  { connectionId: "c-1", planName: "Folio Sandbox Health Plan (demo)", resourceType: "Immunization", resourceId: "i1", date: "2026-09-14",
    title: "Influenza, seasonal, injectable", kind: "Immunization", sensitive: false, otherSources: [] },
];
const sensitive = { ...items[1], resourceType: "Condition", resourceId: "s1", title: "Major depressive disorder", kind: "Condition", sensitive: true };
const hostile = '{"resourceType":"Observation","id":"o1","text":{"div":"<div><script>alert(1)</script><img src=x onerror=alert(2)></div>"}}';

test("the timeline groups by day, hides sensitive records until asked, and shows a record's source", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  const handler = `(() => { const queries = []; window.__queries = queries; return (cmd, args) => {
    if (cmd === "list_connections") return [];
    if (cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "set_show_sensitive") { window.__remembered = args.show; return { showSensitive: args.show }; }
    if (cmd === "timeline") { queries.push(args.query);
      return { items: args.query.includeSensitive ? [${JSON.stringify(sensitive)}, ...${JSON.stringify(items)}] : ${JSON.stringify(items)}, nextCursor: null }; }
    if (cmd === "record") return { summary: { title: null, fullName: null, flag: null, facts: [] }, connectionId: "c-1", resourceType: "Observation", resourceId: "o1", kind: "Lab or vital sign",
      planName: "Folio Sandbox Health Plan (demo)", fhirBase: "http://127.0.0.1:8700/fhir", fetchedAt: "2026-11-29T10:00:00Z",
      sourceRequest: "/fhir/Observation?patient=demo-patient&_count=200", sensitive: false, missingSince: null,
      json: ${JSON.stringify(hostile)}, otherSources: ["Second Plan"], attachments: [],
      narrativeHtml: "<div><p><b>Glucose</b> 95 mg/dL</p><table><tr><td>ref</td><td>70-99</td></tr></table></div>" };
    throw "unexpected " + cmd;
  }; })()`;
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByTestId("timeline-item").first().waitFor();
  assert.equal(await page.getByTestId("timeline-item").count(), 3);
  assert.deepEqual(await page.locator(".days h3").allTextContents(), ["Oct 2, 2026", "Sep 14, 2026"]);
  assert.match(await page.getByTestId("timeline-item").first().textContent(), /also from Second Plan/);
  assert.equal(await page.getByText("Major depressive disorder").count(), 0, "sensitive records are hidden by default");

  await page.getByTestId("timeline-item").first().click();
  await page.getByText("Technical details").click();
  const json = page.getByTestId("record-json");
  await json.waitFor();
  assert.match(await json.textContent(), /<script>alert\(1\)<\/script>/, "the JSON is shown as text");
  assert.equal(await page.locator("aside script, aside img").count(), 0, "nothing in it becomes markup");
  assert.match(await page.locator("aside").textContent(), /also sent by Second Plan/);
  assert.equal(await page.getByTestId("record-narrative").locator("b").textContent(), "Glucose", "the sanitized narrative keeps its formatting");
  assert.equal(await page.getByTestId("record-narrative").locator("td").count(), 2);
  await page.screenshot({ path: `${artifacts}browser-records.png` });
  assert.deepEqual(await axeViolations(page), [], "WCAG 2 AA (axe) with a record open");

  await page.getByLabel("Show sensitive records").check();
  await page.getByText("Major depressive disorder").waitFor();
  await page.waitForFunction(() => window.__remembered === true);
  await page.getByLabel("Kind").selectOption("Observation");
  await page.getByLabel("Find").fill("glucose");
  await page.getByLabel("From", { exact: true }).fill("2024-01-01");
  await page.getByLabel("Until (not including)").fill("2025-01-01");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForFunction(() => window.__queries.some((q) => q.text === "glucose"));
  const last = await page.evaluate(() => window.__queries[window.__queries.length - 1]);
  assert.deepEqual(
    { types: last.types, text: last.text, includeSensitive: last.includeSensitive, from: last.from, until: last.until },
    { types: ["Observation"], text: "glucose", includeSensitive: true, from: "2024-01-01", until: "2025-01-01" },
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("a remembered choice to show sensitive records applies when the screen opens", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const handler = `(cmd, args) => {
    if (cmd === "list_connections" || cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: true };
    if (cmd === "timeline") return { items: args.query.includeSensitive ? [${JSON.stringify(sensitive)}] : [], nextCursor: null };
    throw "unexpected " + cmd;
  }`;
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByText("Major depressive disorder").waitFor();
  assert.equal(await page.getByLabel("Show sensitive records").isChecked(), true);
  await page.close();
});

test("a claim record opens its claim and its visit, and Back returns; a prior authorization opens as one", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const claimItem = { ...items[1] };
  const handler = `(cmd, args) => {
    if (cmd === "list_connections" || cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "claim_years") return [
      { planName: "Folio Sandbox Health Plan (demo)", year: "2026", claims: 41, totals: { billed: 12000, allowed: 8000, planPaid: 6500, memberOwed: 1500 }, currency: "USD" },
      { planName: "Folio Sandbox Health Plan (demo)", year: "2025", claims: 38, totals: { billed: 9000.5, allowed: null, planPaid: 5000, memberOwed: 700 }, currency: "USD" } ];
    if (cmd === "timeline") return { items: [${JSON.stringify(claimItem)}], nextCursor: null };
    if (cmd === "record") { (window.__records = window.__records || []).push(args.resourceType + "/" + args.resourceId);
      return { summary: { title: null, fullName: null, flag: null, facts: [] }, connectionId: "c-1", resourceType: "ExplanationOfBenefit", resourceId: "e1", kind: "Claim",
      planName: "Folio Sandbox Health Plan (demo)", fhirBase: "http://x/fhir", fetchedAt: "2026-11-29T10:00:00Z", sourceRequest: null,
      sensitive: false, missingSince: null, json: "{}", otherSources: [], narrativeHtml: null, attachments: [],
      opensOn: "claim",
      claim: { kind: "Professional (doctor or clinic)", status: "active", outcome: "complete",
        start: "2026-10-02", end: "2026-10-02", provider: "Riverside Family Clinic", network: "In network", currency: "USD",
        totals: { billed: 240, allowed: 160, planPaid: 135, memberOwed: 25 },
        lines: [{ sequence: 1, service: "Office visit, established patient", date: "2026-10-02", amounts: { billed: 180, allowed: 120, planPaid: 95, memberOwed: 25 } },
                { sequence: 2, service: "Comprehensive metabolic panel", date: null, amounts: { billed: 60, allowed: 40, planPaid: 40, memberOwed: null } }],
        visit: { encounterId: "enc1", title: "General examination of patient", date: "2026-10-02T09:00:00Z",
          items: [{ resourceType: "Observation", resourceId: "o9", title: "Glucose [Mass/volume] in Serum or Plasma", kind: "Lab or vital sign" }] } } }; }
    if (cmd === "cost_summary") return { year: 2026, years: [2026], plans: [] };
    if (cmd === "claim") { window.__claim = args.connectionId + "|" + args.resourceId; throw { code: "record_not_found", message: "gone" }; }
    throw "unexpected " + cmd;
  }`;
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByLabel("Kind").selectOption("ExplanationOfBenefit");
  const years = page.getByTestId("claim-years");
  await years.waitFor();
  assert.deepEqual(await years.locator("tbody tr").first().locator("td").allTextContents(),
    ["2026", "Folio Sandbox Health Plan (demo)", "41", "$12,000.00", "$6,500.00", "$1,500.00"]);
  await page.getByTestId("timeline-item").first().click();
  const claim = page.getByTestId("claim");
  await claim.waitFor();
  const text = await claim.textContent();
  for (const expected of ["Claim: Professional (doctor or clinic)", "Oct 2, 2026", "Riverside Family Clinic", "In network"]) {
    assert.ok(text.includes(expected), `${expected} in ${text}`);
  }
  // The amounts are the claim screen's (one place for a claim's money, in its own columns).
  assert.ok(!text.includes("$"), `no older totals here: ${text}`);
  assert.equal(await claim.locator("table").count(), 0);
  await page.screenshot({ path: `${artifacts}browser-claim.png` });
  const opens = claim.getByRole("link", { name: "Open this claim" });
  assert.equal(await opens.getAttribute("href"), "#/claims/e1?source=c-1");
  await opens.click();
  await page.waitForFunction(() => window.__claim === "c-1|e1");
  assert.equal(await page.evaluate(() => location.hash), "#/claims/e1?source=c-1");
  await page.getByRole("heading", { name: "Claim", exact: true }).waitFor();
  await page.goBack();
  await claim.waitFor();
  assert.equal(await page.evaluate(() => location.hash), "#/records/ExplanationOfBenefit/e1?source=c-1");
  const visit = page.getByTestId("claim-visit");
  assert.match(await visit.textContent(), /For your visit: General examination of patient on Oct 2, 2026/);
  await visit.getByRole("link", { name: "Glucose [Mass/volume] in Serum or Plasma" }).click();
  await page.waitForFunction(() => window.__records.includes("Observation/o9"));
  await page.close();

  // A prior authorization is an ExplanationOfBenefit too: no claim card, a link to its screen.
  const pa = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const paItem = { ...items[1], resourceId: "pa1", title: "MRI of the knee", kind: "Prior authorization" };
  await pa.addInitScript({ content: await mockScript(`(cmd) => {
    if (cmd === "list_connections" || cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "timeline") return { items: [${JSON.stringify(paItem)}], nextCursor: null };
    if (cmd === "record") return { summary: { title: null, fullName: null, flag: null, facts: [] }, connectionId: "c-1", resourceType: "ExplanationOfBenefit",
      resourceId: "pa1", kind: "Prior authorization", planName: "Folio Sandbox Health Plan (demo)", fhirBase: "http://x/fhir", fetchedAt: "2026-11-29T10:00:00Z",
      sourceRequest: null, sensitive: false, missingSince: null, json: "{}", otherSources: [], narrativeHtml: null, attachments: [], claim: null, opensOn: "prior_authorization" };
    throw "unexpected " + cmd;
  }`) });
  await pa.goto(`${server.url}#/records/ExplanationOfBenefit/pa1?source=c-1`);
  const link = pa.getByRole("link", { name: "Open this prior authorization" });
  await link.waitFor();
  assert.equal(await link.getAttribute("href"), "#/prior-authorizations/pa1?source=c-1");
  assert.equal(await pa.getByTestId("claim").count(), 0, "not shown as a claim");
  assert.match(await pa.getByRole("complementary", { name: "Record detail" }).textContent(), /Prior authorization/);
  await pa.close();
});

test("a document's attachments are shown safely by kind and saved on request", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  const doc = { ...items[2], resourceType: "DocumentReference", resourceId: "d1", title: "Visit note", kind: "Document" };
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEkgIkRpDnyAAAAABJRU5ErkJggg==";
  const handler = `(() => { window.__saved = []; return (cmd, args) => {
    if (cmd === "list_connections" || cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "timeline") return { items: [${JSON.stringify(doc)}], nextCursor: null };
    if (cmd === "save_attachment") { window.__saved.push(args); return 2048; }
    if (cmd === "record") return { summary: { title: null, fullName: null, flag: null, facts: [] }, connectionId: "c-1", resourceType: "DocumentReference", resourceId: "d1", kind: "Document",
      planName: "Folio Sandbox Health Plan (demo)", fhirBase: "http://x/fhir", fetchedAt: "2026-11-29T10:00:00Z", sourceRequest: null,
      sensitive: false, missingSince: null, json: "{}", otherSources: [], narrativeHtml: null, claim: null,
      attachments: [
        { title: "Progress note", contentType: "text/plain", kind: "text", bytes: 40, text: "Seen for a cough.\\nRest and fluids.", html: null, dataUrl: null, url: null, shortened: false },
        { title: "Discharge summary", contentType: "text/html", kind: "html", bytes: 60, text: null, html: "<div><h1>Discharge</h1><p>Home today.</p></div>", dataUrl: null, url: null, shortened: false },
        { title: "Wound photo", contentType: "image/png", kind: "image", bytes: 68, text: null, html: null, dataUrl: "data:image/png;base64,${png}", url: null, shortened: false },
        { title: "Lab report", contentType: "application/pdf", kind: "pdf", bytes: 2048, text: null, html: null, dataUrl: null, url: null, shortened: false },
        { title: "Scan", contentType: "application/dicom", kind: "link", bytes: 0, text: null, html: null, dataUrl: null, url: "https://plan.example/Binary/9", shortened: false } ] };
    throw "unexpected " + cmd;
  }; })()`;
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByTestId("timeline-item").click();
  const parts = page.getByTestId("attachment");
  await parts.first().waitFor();
  assert.equal(await parts.count(), 5);
  assert.deepEqual(await parts.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind"))), ["text", "html", "image", "pdf", "link"]);
  assert.match(await parts.nth(0).locator("pre").textContent(), /Seen for a cough\.\nRest and fluids\./);
  assert.equal(await parts.nth(1).locator("h1").textContent(), "Discharge");
  assert.equal(await parts.nth(2).locator("img").evaluate((img) => img.complete && img.naturalWidth), 1, "the image is drawn from its data URL");
  assert.match(await parts.nth(4).textContent(), /does not fetch it/);
  assert.equal(await parts.nth(4).getByRole("button").count(), 0, "nothing to save when the plan kept it");
  await parts.nth(3).getByRole("button", { name: "Save a copy…" }).click();
  await page.getByText("Saved (2 KB).").waitFor();
  assert.deepEqual(await page.evaluate(() => window.__saved), [
    { connectionId: "c-1", resourceType: "DocumentReference", resourceId: "d1", index: 3, suggestedName: "Lab report.pdf" },
  ]);
  await page.screenshot({ path: `${artifacts}browser-attachments.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

/** A host that serves `total` timeline items, `limit` at a time, newest first (four a day). */
const longHistory = (total) => `(() => { window.__pages = 0; return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "timeline") {
    window.__pages += 1;
    const start = args.query.cursor ? Number(args.query.cursor) : 0;
    const end = Math.min(${total}, start + args.query.limit);
    const items = [];
    for (let i = start; i < end; i++) {
      const day = new Date(Date.UTC(2026, 10, 28) - Math.floor(i / 4) * 86400000).toISOString().slice(0, 10);
      items.push({ connectionId: "c-1", planName: "Folio Sandbox Health Plan (demo)", resourceType: "Observation", resourceId: "o" + i,
        date: day, title: "Glucose result " + i, kind: "Lab or vital sign", sensitive: false, otherSources: [] });
    }
    return { items, nextCursor: end < ${total} ? String(end) : null };
  }
  throw "unexpected " + cmd;
}; })()`;

test("a long history loads page by page as the member scrolls, with only the rows in view in the page", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(longHistory(100000)) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByText("Glucose result 0", { exact: true }).waitFor();
  const viewport = page.locator(".viewport");
  // Each scroll to the end asks for the next page; the next scroll waits until it is shown.
  for (let i = 1; i <= 10; i++) {
    await viewport.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await until(page, `scroll ${i}: page ${i + 1} asked for and shown`, (n) => window.__pages === n
      && document.querySelector(".viewport")?.getAttribute("aria-busy") === "false", i + 1);
  }
  const pages = await page.evaluate(() => window.__pages);
  assert.equal(pages, 11, `one older page per scroll to the end (${pages})`);
  const loaded = pages * 100;
  const inDom = await page.getByTestId("timeline-item").count();
  assert.ok(inDom > 5 && inDom < 60, `${inDom} item rows in the page for ${loaded} loaded`);
  // The rows shown are the ones at the scroll position, in order.
  const titles = await page.getByTestId("timeline-item").locator(".title").allTextContents();
  const numbers = titles.map((t) => Number(t.replace("Glucose result ", "")));
  assert.ok(numbers[0] > 500, `deep in the history (${numbers[0]})`);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  await page.getByTestId("timeline-item").nth(2).click();
  assert.deepEqual(errors.filter((e) => !e.includes("unexpected record")), []);
  await page.close();
});

test("records a sync saved appear without leaving the screen (Folio's recordsChanged event)", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const handler = `(() => { window.__timelineAsked = 0; return (cmd, args) => {
    if (cmd === "list_connections") return [];
    if (cmd === "list_plans") return [];
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "timeline") { window.__timelineAsked += 1;
      return { items: window.__arrived ? ${JSON.stringify(items)} : ${JSON.stringify(items.slice(2))}, nextCursor: null }; }
    throw "unexpected " + cmd;
  }; })()`;
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Records" }).click();
  await page.getByTestId("timeline-item").first().waitFor();
  assert.equal(await page.getByTestId("timeline-item").count(), 1);
  const asked = await page.evaluate(() => window.__timelineAsked);
  // Another connection's records changed while this list shows every plan: it is read again.
  await page.evaluate(() => { window.__arrived = true; });
  await page.evaluate((p) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "folio-event-message", payload: p }),
    { kind: "recordsChanged", connectionId: "c-1" });
  await until(page, "the timeline read again", (n) => window.__timelineAsked > n, asked);
  await until(page, "the new records shown", () => document.querySelectorAll("[data-testid=timeline-item]").length === 3);
  assert.deepEqual(errors, []);
  await page.close();
});
