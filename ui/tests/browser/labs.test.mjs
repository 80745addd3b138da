// The labs and vitals screen in Chromium with the host mocked: latest results, a chart with
// converted units and a reference band, blood pressure as two lines; axe in light and dark.
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

const plan = "Folio Sandbox Health Plan (demo)";
const reading = (value, date, flag = null, range = null) => ({ date, value, range, flag, planName: plan, connectionId: "c-1", resourceId: `o-${date}` });
const tests = [
  { key: "http://loinc.org|2345-7", loinc: "2345-7", name: "Glucose", fullName: "Glucose [Mass/volume] in Serum or Plasma", category: "lab", results: 6,
    latest: reading("104 mg/dL", "2026-10-02T09:00:00Z", "high", "70–99 mg/dL") },
  { key: "http://loinc.org|4548-4", loinc: "4548-4", name: "Hemoglobin A1c", fullName: "Hemoglobin A1c/Hemoglobin.total in Blood", category: "lab", results: 3,
    latest: reading("5.4%", "2026-06-12", "normal", "4–5.6 %") },
  { key: "http://loinc.org|85354-9", loinc: "85354-9", name: "Blood pressure panel", fullName: null, category: "vital", results: 4,
    latest: reading("128/82 mmHg", "2026-10-02") },
];
const point = (date, value, extra = {}) => ({ date, value, reportedAs: null, flag: null, planName: plan, connectionId: "c-1", resourceId: `o-${date}`, ...extra });
const glucose = { key: tests[0].key, name: tests[0].name, lines: [{ name: tests[0].name, unit: "mg/dL", low: 70, high: 99, unconverted: 1,
  points: [point("2024-01-10", 88), point("2024-07-02", 92), point("2025-01-15", 90.08, { reportedAs: "5 mmol/L" }),
    point("2025-08-20", 97), point("2026-03-02", 101, { flag: "high" }), point("2026-10-02T09:00:00Z", 104, { flag: "high" })] }] };
const bp = { key: tests[2].key, name: "Blood pressure panel", lines: [
  { name: "Systolic blood pressure", unit: "mmHg", low: null, high: null, unconverted: 0,
    points: [point("2025-01-15", 122), point("2025-08-20", 126), point("2026-03-02", 131), point("2026-10-02", 128)] },
  { name: "Diastolic blood pressure", unit: "mmHg", low: null, high: null, unconverted: 0,
    points: [point("2025-01-15", 79), point("2025-08-20", 80), point("2026-03-02", 84), point("2026-10-02", 82)] }] };

const handler = `(() => { window.__asked = []; return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "lab_tests") { window.__asked.push(["tests", args.includeSensitive]); return ${JSON.stringify(tests)}; }
  if (cmd === "lab_series") { window.__asked.push(["series", args.key]);
    return args.key === ${JSON.stringify(bp.key)} ? ${JSON.stringify(bp)} : ${JSON.stringify(glucose)}; }
  throw "unexpected " + cmd;
}; })()`;

async function open(colorScheme) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Labs and vitals" }).click();
  await page.getByTestId("lab-chart").waitFor();
  return { page, errors };
}

test("latest results are listed and a test is charted on one scale with its usual range", async () => {
  const { page, errors } = await open("light");
  const rows = page.getByTestId("lab-test");
  assert.equal(await rows.count(), 3);
  assert.match(await rows.nth(0).textContent(), /104 mg\/dL\s*High/);
  assert.match(await rows.nth(0).textContent(), /70–99 mg\/dL/);
  // Readable names, the LOINC long name kept beside (and as the link's tooltip).
  assert.deepEqual(await page.getByTestId("lab-full-name").allTextContents(), ["Glucose [Mass/volume] in Serum or Plasma", "Hemoglobin A1c/Hemoglobin.total in Blood"]);
  assert.equal(await page.getByRole("link", { name: "Glucose", exact: true }).getAttribute("title"), "Glucose [Mass/volume] in Serum or Plasma");
  assert.match(await page.getByRole("table", { name: "Vital signs" }).textContent(), /128\/82 mmHg/);
  // The first test with history is charted: six points, two flagged, a band, a note for the unconverted one.
  assert.equal(await page.getByTestId("lab-point").count(), 6);
  assert.equal(await page.locator("circle.out").count(), 2);
  assert.equal(await page.getByTestId("lab-band").count(), 1);
  assert.match(await page.getByTestId("lab-unconverted").textContent(), /1 .* result is not drawn/);
  await page.getByText("All results as a table").click();
  assert.match(await page.getByTestId("lab-table").textContent(), /reported as 5 mmol\/L/);
  await page.screenshot({ path: `${artifacts}browser-labs.png` });

  await page.getByRole("link", { name: "Blood pressure panel" }).click();
  await page.getByRole("heading", { name: "Blood pressure panel" }).waitFor();
  assert.equal(await page.locator("polyline").count(), 2, "systolic and diastolic");
  assert.equal(await page.getByTestId("lab-band").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.__asked.map((a) => a[0])), ["tests", "series", "series"]);
  assert.deepEqual(await page.evaluate(() => window.__asked[0]), ["tests", false], "sensitive results not asked for");
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the labs screen passes axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(scheme);
    assert.deepEqual(await axeViolations(page), []);
    if (scheme === "dark") await page.screenshot({ path: `${artifacts}browser-labs-dark.png` });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
