// My health in Chromium with the host mocked: medications first (what the member takes, with
// instructions, prescriber and last fill), every tab by its address, an item's record opened and
// Back to the same tab; axe on the screen and on each tab, light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const screenshots = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
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
const src = (resourceType, resourceId, date) => ({ connectionId: "c-1", resourceType, resourceId, planName: plan, date });
const med = (name, status, extra) => ({ name, status, dosage: null, prescriber: null, lastFilled: null, pharmacy: null, daysSupply: null,
  fills: 0, since: null, latest: null, rxnorm: null, sources: [], ...extra });
const chen = "Dr. Maya Chen, MD";
const health = {
  medications: [
    med("amlodipine 5 MG Oral Tablet", "active", { dosage: "Take 1 tablet by mouth once daily", prescriber: chen, lastFilled: "2026-10-03",
      pharmacy: "Corner Street Pharmacy", daysSupply: 30, fills: 22, since: "2023-04-11", latest: "2026-10-03", rxnorm: "197361",
      sources: [src("ExplanationOfBenefit", "eob-301", "2026-10-03"), src("MedicationRequest", "mr-44", "2026-04-02T10:00:00Z")] }),
    med("lisinopril 10 MG Oral Tablet", "active", { dosage: "Take 1 tablet by mouth once daily", prescriber: chen, lastFilled: "2026-09-14",
      pharmacy: "Corner Street Pharmacy", daysSupply: 30, fills: 41, since: "2021-03-02", latest: "2026-09-14", rxnorm: "314076",
      sources: [src("ExplanationOfBenefit", "eob-288", "2026-09-14"), src("MedicationRequest", "mr-12", "2026-02-01T10:00:00Z")] }),
    med("metformin hydrochloride 500 MG Oral Tablet", "on_hold", { dosage: "Take 1 tablet by mouth twice daily with meals", prescriber: "Dr. Omar Haddad, DO",
      since: "2025-05-10", latest: "2025-05-10", sources: [src("MedicationRequest", "mr-30", "2025-05-10")] }),
    med("Prozac, 100 CAPSULE in 1 BOTTLE (0777-3105-02) (package)", "not_stated", { lastFilled: "2019-07-02", pharmacy: "XXX Health Plan", daysSupply: 30, fills: 1,
      latest: "2019-07-02", sources: [src("ExplanationOfBenefit", "EOBPharmacy1", "2019-07-02")] }),
    med("amoxicillin 500 MG Oral Capsule", "stopped", { dosage: "Take 1 capsule three times daily for 10 days", prescriber: "Dr. Omar Haddad, DO",
      lastFilled: "2024-01-09", fills: 1, since: "2024-01-08", latest: "2024-01-09", sources: [src("MedicationRequest", "mr-7", "2024-01-08")] }),
    med("benzonatate 100 MG Oral Capsule", "stopped", { prescriber: chen, latest: "2022-11-20", sources: [src("MedicationRequest", "mr-3", "2022-11-20")] }),
  ],
  conditions: [
    { name: "Essential hypertension (disorder)", current: true, status: "active", since: "2021-03-02", until: null, sources: [src("Condition", "cond-1", "2026-09-10")] },
    { name: "Type 2 diabetes mellitus (disorder)", current: true, status: "active", since: "2025-05-10", until: null, sources: [src("Condition", "cond-2", "2025-05-10")] },
    { name: "Acute bronchitis (disorder)", current: false, status: "resolved", since: "2024-01-05", until: "2024-01-25", sources: [src("Condition", "cond-9", "2024-01-08")] },
    { name: "Sprain of ankle (disorder)", current: false, status: "resolved", since: "2022-06-14", until: "2022-07-20", sources: [src("Condition", "cond-5", "2022-06-14")] },
  ],
  allergies: [
    { substance: "Penicillin G", current: true, criticality: "high", category: "medication", reactions: ["Hives"], severity: "severe", since: "2018-06-01",
      sources: [src("AllergyIntolerance", "alg-1", "2018-06-01")] },
    { substance: "Peanut", current: true, criticality: "low", category: "food", reactions: ["Itching of mouth"], severity: "mild", since: "2016-02-11",
      sources: [src("AllergyIntolerance", "alg-2", "2016-02-11")] },
  ],
  immunizations: [
    { vaccine: "Influenza, seasonal, injectable, preservative free", dates: ["2025-10-12", "2024-10-03", "2023-10-20"],
      sources: [src("Immunization", "imm-9", "2025-10-12"), src("Immunization", "imm-6", "2024-10-03"), src("Immunization", "imm-3", "2023-10-20")] },
    { vaccine: "Td (adult), 5 Lf tetanus toxoid, preservative free", dates: ["2019-04-02"], sources: [src("Immunization", "imm-1", "2019-04-02")] },
  ],
  visits: [
    { start: "2026-09-10T14:00:00Z", end: "2026-09-10T14:30:00Z", kind: "Follow-up encounter", place: "Riverside Family Clinic", clinicians: [chen],
      reasons: ["Essential hypertension (disorder)"], sources: [src("Encounter", "enc-40", "2026-09-10T14:00:00Z")] },
    { start: "2025-05-10T09:00:00Z", end: "2025-05-10T09:40:00Z", kind: "Encounter for problem", place: "Riverside Family Clinic", clinicians: ["Dr. Omar Haddad, DO"],
      reasons: ["Type 2 diabetes mellitus (disorder)"], sources: [src("Encounter", "enc-31", "2025-05-10T09:00:00Z")] },
  ],
  visitsTotal: 2,
  careTeam: [
    { name: chen, kind: "clinician", roles: ["primary performer", "Prescribing provider"], visits: 18, claims: 63, lastSeen: "2026-10-03",
      record: src("Practitioner", "prac-1", null), sources: [src("Encounter", "enc-40", "2026-09-10T14:00:00Z")] },
    { name: "Riverside Family Clinic", kind: "organization", roles: ["Where the visit took place", "Billing provider"], visits: 20, claims: 22, lastSeen: "2026-09-10",
      record: src("Organization", "org-2", null), sources: [src("Encounter", "enc-40", "2026-09-10T14:00:00Z")] },
    { name: "Corner Street Pharmacy", kind: "organization", roles: ["Billing provider"], visits: 0, claims: 63, lastSeen: "2026-10-03",
      record: src("Organization", "org-5", null), sources: [src("ExplanationOfBenefit", "eob-301", "2026-10-03")] },
    { name: "Dr. Omar Haddad, DO", kind: "clinician", roles: ["primary performer"], visits: 4, claims: 5, lastSeen: "2025-05-10",
      record: null, sources: [src("Encounter", "enc-31", "2025-05-10T09:00:00Z")] },
  ],
  readLimit: 5000,
  readInPart: [],
};

const handler = `(() => { window.__asked = []; window.__records = []; return (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "my_health") { window.__asked.push(args.includeSensitive); return ${JSON.stringify(health)}; }
  if (cmd === "timeline") return { items: [], nextCursor: null };
  if (cmd === "claim_years") return [];
  if (cmd === "record") { window.__records.push(args.resourceType + "/" + args.resourceId);
    return { connectionId: args.connectionId, resourceType: args.resourceType, resourceId: args.resourceId, kind: "Prescription",
      planName: ${JSON.stringify(plan)}, fhirBase: "http://x/fhir", fetchedAt: "2026-11-29T10:00:00Z", sourceRequest: null,
      sensitive: false, missingSince: null, json: "{}", otherSources: [], narrativeHtml: null, attachments: [], claim: null,
      summary: { title: null, fullName: null, flag: null, facts: [] } }; }
  throw "unexpected " + cmd;
}; })()`;

async function open(colorScheme, hash = "") {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url + hash);
  return { page, errors };
}

const TABS = [
  ["medications", "Medications"],
  ["conditions", "Conditions"],
  ["allergies", "Allergies"],
  ["immunizations", "Immunizations"],
  ["visits", "Visits"],
  ["care-team", "Care team"],
];

test("medications answer what the member takes at a glance, and an item's record opens and Back returns", async () => {
  const { page, errors } = await open("light");
  await page.getByRole("link", { name: "My health" }).click();
  await page.getByTestId("medicine-taking").first().waitFor();
  assert.equal(new URL(page.url()).hash, "#/health");
  const taking = page.getByTestId("medicine-taking");
  assert.equal(await taking.count(), 3);
  const first = await taking.nth(0).textContent();
  assert.match(first, /amlodipine 5 MG Oral Tablet/);
  assert.match(first, /Take 1 tablet by mouth once daily/);
  assert.match(first, /Prescribed by Dr\. Maya Chen, MD/);
  assert.match(first, /Last filled Oct 3, 2026 · 30-day supply · Corner Street Pharmacy/);
  assert.match(await taking.nth(2).textContent(), /On hold/);
  assert.equal(await page.getByTestId("medicine-unknown").count(), 1);
  assert.equal(await page.getByTestId("medicine-stopped").count(), 2);
  // Stopped ones sit below what the member takes.
  const order = await page.evaluate(() => [...document.querySelectorAll("[data-testid^=medicine-]")].map((e) => e.getAttribute("data-testid")));
  assert.deepEqual(order, ["medicine-taking", "medicine-taking", "medicine-taking", "medicine-unknown", "medicine-stopped", "medicine-stopped"]);
  await hostIdle(page);
  await page.screenshot({ path: `${screenshots}medications.png`, fullPage: true });

  // An item leads to its records, and Back comes back to the same tab.
  await page.getByText("From 2 records").first().click();
  await page.getByRole("link", { name: /Prescription, Apr 2, 2026/ }).click();
  await until(page, "the record opened", () => location.hash.startsWith("#/records/MedicationRequest/mr-44"));
  await until(page, "the host was asked for it", () => window.__records.includes("MedicationRequest/mr-44"));
  await page.getByTestId("back").click();
  await until(page, "back on My health", () => location.hash === "#/health");
  await page.getByTestId("medicine-taking").first().waitFor();
  // Read by the overview's medicines tile, by the screen, and by the screen again after Back.
  assert.deepEqual(await page.evaluate(() => window.__asked), [false, false, false], "sensitive records not asked for");
  assert.deepEqual(errors, []);
  await page.close();
});

test("each tab has its address, and conditions, care team and visits read in words", async () => {
  const { page, errors } = await open("light", "#/health/conditions");
  await page.getByTestId("condition-current").first().waitFor();
  assert.equal(await page.getByTestId("condition-current").count(), 2);
  assert.match(await page.getByTestId("condition-current").nth(0).textContent(), /Active · Since Mar 2, 2021/);
  assert.match(await page.getByTestId("condition-past").nth(0).textContent(), /Resolved · Jan 5, 2024 – Jan 25, 2024/);
  await hostIdle(page);
  await page.screenshot({ path: `${screenshots}conditions.png`, fullPage: true });

  await page.getByRole("link", { name: "Care team" }).click();
  await until(page, "the care team tab", () => location.hash === "#/health/care-team");
  const chen = page.getByTestId("care-clinician").first();
  assert.match(await chen.textContent(), /18 visits · 63 claims · last seen Oct 3, 2026/);
  assert.equal(await chen.getByRole("link", { name: "Dr. Maya Chen, MD" }).getAttribute("href"), "#/records/Practitioner/prac-1?source=c-1");
  assert.equal(await page.getByTestId("care-organization").count(), 2);
  await page.screenshot({ path: `${screenshots}care-team.png`, fullPage: true });

  await page.getByRole("link", { name: "Visits" }).click();
  await page.getByTestId("visit").first().waitFor();
  assert.match(await page.getByTestId("visit").first().textContent(), /Follow-up encounter\s*Riverside Family Clinic\s*Dr\. Maya Chen, MD\s*Essential hypertension/);
  await page.getByRole("link", { name: "Allergies" }).click();
  assert.match(await page.getByTestId("allergy").first().textContent(), /Penicillin G.*High risk · severe reaction: Hives/);
  await page.getByRole("link", { name: "Immunizations" }).click();
  assert.match(await page.getByTestId("immunization").first().textContent(), /Last given Oct 12, 2025 · 3 doses/);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`My health and each of its tabs pass axe's WCAG 2 AA rules in the ${scheme} theme`, async () => {
    const { page, errors } = await open(scheme, "#/health");
    await page.getByTestId("medicine-taking").first().waitFor();
    for (const [tab, label] of TABS) {
      await page.getByRole("link", { name: label, exact: true }).click();
      await until(page, `the ${tab} tab`, (t) => location.hash === `#/health/${t}` && document.querySelector("[aria-current=page]") !== null, tab);
      await hostIdle(page);
      assert.deepEqual(await axeViolations(page), [], `${tab} (${scheme})`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}
