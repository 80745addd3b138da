// A real plan from Folio's catalog in Chromium, host mocked (issue 15 §3): Folio holds no client
// id for it, so picking it opens the "Register Folio at this plan" guide instead of a sign-in;
// the member copies the redirect address, enters what the portal gave, and the plan is saved
// through add_plan. The screenshot goes to artifacts/browser-register-at-plan.png;
// docs/screenshots/register-at-plan.png is a copy of it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { axeViolations, hostIdle, launchBrowser, mockScript, serveDist, until } from "./harness.mjs";

const artifacts = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const memberPlanId = "medicare-blue-button-2-0-sandbox-cms";
const blueButton = {
  id: "cms-blue-button-sandbox", name: "Medicare Blue Button 2.0 sandbox (CMS)",
  fhirBase: "https://sandbox.bluebutton.cms.gov/v2/fhir", clientId: "", redirect: "custom-scheme",
  fromCatalog: true, isDemo: false,
  notes: "Synthetic Medicare members only. Anyone can register an app at CMS's developer sandbox and get a client id and secret at once.",
  registration: {
    portal: "https://sandbox.bluebutton.cms.gov/",
    endpointSource: "https://staging.bluebutton.cms.gov/api-documentation/calling-the-api; https://bluebutton.cms.gov/api-documentation/developer-sandbox",
    clientAuth: "secret-basic", appType: "confidential",
    scopes: "openid profile patient/Patient.rs patient/Coverage.rs patient/ExplanationOfBenefit.rs",
    redirectNote: "Blue Button accepts a custom URI scheme redirect for native apps.",
    memberPlanId,
  },
};

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

test("a catalog plan to register opens the guide, and what the portal gave is saved as the member's plan", async () => {
  const handler = `(() => { const plans = [${JSON.stringify(blueButton)}]; return (cmd, args) => {
    if (cmd === "list_plans") return plans;
    if (cmd === "list_connections") return [];
    if (cmd === "plan_support") return { planId: args.planId, unknown: true, pageSize: null, linkedFetchedSeparately: false, readOneByOne: [], probedAt: null, types: [], sentences: [] };
    if (cmd === "begin_connect") { window.__signInStarted = true; throw { code: "invalid_plan", message: "must not be asked" }; }
    if (cmd === "add_plan") {
      window.__added = args.request;
      const { registration, ...rest } = plans[0];
      const plan = { ...rest, id: ${JSON.stringify(memberPlanId)}, clientId: args.request.clientId, fromCatalog: false };
      plans.push(plan);
      return { plan, jwks: null };
    }
    throw "unexpected " + cmd;
  }; })()`;
  const page = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript({ content: await mockScript(handler) });
  await page.goto(server.url);
  await page.getByRole("link", { name: "Health plans" }).click();

  await page.getByTestId("connect-cms-blue-button-sandbox").click();
  const guide = page.getByTestId("register-at-plan");
  await guide.waitFor();
  assert.equal(await guide.getByRole("heading").textContent(), `Register Folio at ${blueButton.name}`);
  assert.equal(await guide.getByTestId("register-portal").textContent(), "https://sandbox.bluebutton.cms.gov/");
  assert.deepEqual(await guide.getByTestId("register-redirect").allTextContents(), [`health.folio.desktop:/cb/${memberPlanId}`]);
  assert.match(await guide.getByTestId("register-app-type").textContent(), /confidential app/);
  assert.match(await guide.getByTestId("register-scopes").textContent(), /patient\/ExplanationOfBenefit\.rs/);
  await hostIdle(page);
  assert.deepEqual(await axeViolations(page), [], "WCAG 2 AA (axe) with the registration guide open");
  await guide.screenshot({ path: `${artifacts}browser-register-at-plan.png` });

  await guide.getByLabel("Client id").fill("bb-client-1");
  await guide.getByLabel("Client secret").fill("portal-secret");
  await guide.getByRole("button", { name: "Save and list it" }).click();
  await guide.getByTestId("register-saved").waitFor();
  await until(page, "the member's plan listed", (id) => !!document.querySelector(`[data-testid="connect-${id}"]`), memberPlanId);
  const added = await page.evaluate(() => window.__added);
  assert.deepEqual(added, {
    name: blueButton.name, fhirBase: blueButton.fhirBase, clientId: "bb-client-1", clientAuth: "secret-basic",
    clientSecret: "portal-secret", redirect: "custom-scheme", loopbackPort: null, register: false,
  });
  assert.equal(await page.getByTestId(`connect-${memberPlanId}`).textContent().then((t) => t.trim()), "Connect");
  assert.equal(await page.evaluate(() => window.__signInStarted ?? false), false, "no sign-in was started for the catalog entry");
  assert.deepEqual(errors, []);
  await page.close();
});
