// A record's detail in Chromium with the host mocked: people's fields first (what it is, the
// value with its unit in words, range, flag, dates, who, status), the raw JSON and the request
// behind "Technical details", closed by default; a named clinician leads to their record and
// Back returns; axe in light and dark; the screenshot for docs/screenshots/record-detail.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

const screenshots = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
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

const plan = "Folio Sandbox Health Plan (demo)";
const long = "Leukocytes [#/volume] in Blood by Automated count";
const items = [
  { connectionId: "c-1", planName: plan, resourceType: "Observation", resourceId: "o1", date: "2026-10-02T09:00:00Z",
    title: "Leukocytes", fullTitle: long, kind: "Lab or vital sign", sensitive: false, otherSources: [] },
  { connectionId: "c-1", planName: plan, resourceType: "Observation", resourceId: "o2", date: "2026-10-02T09:00:00Z",
    title: "Glucose", fullTitle: "Glucose [Mass/volume] in Serum or Plasma", kind: "Lab or vital sign", sensitive: false, otherSources: [] },
  { connectionId: "c-1", planName: plan, resourceType: "Encounter", resourceId: "enc1", date: "2026-10-02T08:40:00Z",
    title: "General examination of patient", fullTitle: null, kind: "Visit", sensitive: false, otherSources: [] },
];
const json = JSON.stringify({ resourceType: "Observation", id: "o1", status: "final",
  code: { coding: [{ system: "http://loinc.org", code: "6690-2", display: long }] },
  valueQuantity: { value: 11.2, unit: "10*3/uL", system: "http://unitsofmeasure.org", code: "10*3/uL" } }, null, 2);
const observation = { connectionId: "c-1", resourceType: "Observation", resourceId: "o1", kind: "Lab or vital sign", planName: plan,
  fhirBase: "http://127.0.0.1:8700/fhir", fetchedAt: "2026-11-29T10:00:00Z",
  sourceRequest: "/fhir/Observation?patient=demo-patient&_count=200", sensitive: false, missingSince: null, json,
  otherSources: [], attachments: [], claim: null, narrativeHtml: null,
  summary: { title: "Leukocytes", fullName: long, flag: "high", facts: [
    { label: "Result", text: "11.2 thousand per µL", date: null, link: null },
    { label: "Usual range", text: "4.5–11 thousand per µL", date: null, link: null },
    { label: "Flag", text: "High", date: null, link: null },
    { label: "Measured", text: null, date: "2026-10-02", link: null },
    { label: "Reported", text: null, date: "2026-10-03", link: null },
    { label: "Performed by", text: "Quest Diagnostics", date: null, link: { resourceType: "Organization", resourceId: "lab1" } },
    { label: "Performed by", text: "Dr. Maya Chen", date: null, link: { resourceType: "Practitioner", resourceId: "p1" } },
    { label: "Status", text: "Final", date: null, link: null } ] } };
const organization = { ...observation, resourceType: "Organization", resourceId: "lab1", kind: "Organization", json: "{}", sourceRequest: null,
  summary: { title: "Quest Diagnostics", fullName: null, flag: null, facts: [] } };

const handler = `(() => { window.__records = []; return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans" || cmd === "claim_years") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "timeline") return { items: ${JSON.stringify(items)}, nextCursor: null };
  if (cmd === "record") { window.__records.push(args.resourceType + "/" + args.resourceId);
    return args.resourceType === "Organization" ? ${JSON.stringify(organization)} : ${JSON.stringify(observation)}; }
  throw "unexpected " + cmd;
}; })()`;

async function openRecord(colorScheme) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(`${server.url}#/records/Observation/o1?source=c-1`);
  await page.getByRole("heading", { name: "Leukocytes", level: 3 }).waitFor();
  await page.getByTestId("timeline-item").first().waitFor();
  await hostIdle(page);
  return { page, errors };
}

test("a record opens on people's fields, with the JSON and the request behind Technical details", async () => {
  const { page, errors } = await openRecord("light");
  const detail = page.getByRole("complementary", { name: "Record detail" });
  assert.match(await detail.getByTestId("record-full-name").textContent(), /Leukocytes \[#\/volume\] in Blood by Automated count/);
  assert.equal((await detail.locator(".kind .flag").textContent()).trim(), "High");
  const labels = await detail.getByTestId("record-facts").locator("dt").allTextContents();
  assert.deepEqual(labels, ["Result", "Usual range", "Flag", "Measured", "Reported", "Performed by", "Status"]);
  const values = (await detail.getByTestId("record-facts").locator("dd").allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(values, ["11.2 thousand per µL", "4.5–11 thousand per µL", "High", "Oct 2, 2026", "Oct 3, 2026",
    "Quest Diagnostics\nDr. Maya Chen", "Final"]);
  // The timeline names the result by its readable part; the full name is its tooltip.
  assert.equal(await page.getByTestId("timeline-item").first().locator(".title").getAttribute("title"), long);

  // Technical details: closed, so neither the JSON nor the request shows until asked for.
  const technical = detail.getByTestId("technical-details");
  assert.equal(await technical.evaluate((d) => d.open), false);
  assert.equal(await detail.getByTestId("record-json").isVisible(), false);
  assert.equal(await detail.getByText("/fhir/Observation?patient=demo-patient&_count=200").isVisible(), false);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: `${screenshots}record-detail.png` });

  await technical.getByText("Technical details").click();
  await detail.getByTestId("record-json").waitFor();
  assert.match(await detail.getByTestId("record-json").textContent(), /"code": "10\*3\/uL"/);
  assert.ok(await detail.getByText("/fhir/Observation?patient=demo-patient&_count=200").isVisible());
  assert.deepEqual(await axeViolations(page), [], "axe with the technical details open");

  // Who performed it leads to their record, and Back returns to the result.
  await detail.getByRole("link", { name: "Quest Diagnostics" }).click();
  await until(page, "the lab's record opened", () => location.hash === "#/records/Organization/lab1?source=c-1");
  await page.getByRole("heading", { name: "Quest Diagnostics", level: 3 }).waitFor();
  await page.getByRole("button", { name: "Back" }).click();
  await until(page, "Back to the result", () => location.hash === "#/records/Observation/o1?source=c-1");
  await page.getByRole("heading", { name: "Leukocytes", level: 3 }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__records), ["Observation/o1", "Organization/lab1", "Observation/o1"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the record detail passes axe's WCAG 2 AA rules in the dark theme", async () => {
  const { page, errors } = await openRecord("dark");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});
