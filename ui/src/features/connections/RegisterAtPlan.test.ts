import { flushSync, mount, unmount } from "svelte";
import { clearHost, mockHost } from "../../ipc/testing";
import type { AddPlanRequest, PlanSummary } from "../../ipc";
import RegisterAtPlan from "./RegisterAtPlan.svelte";
import { connectLabel } from "./connect-flow";
import { completeRequest, parsePort, redirectUris, type Registration } from "./register-at-plan";

const blueButton: PlanSummary = {
  id: "cms-blue-button-sandbox",
  name: "Medicare Blue Button 2.0 sandbox (CMS)",
  fhirBase: "https://sandbox.bluebutton.cms.gov/v2/fhir",
  clientId: "",
  redirect: "custom-scheme",
  fromCatalog: true,
  isDemo: false,
  notes: null,
  clientAuth: "secret-basic",
  registration: {
    portal: "https://sandbox.bluebutton.cms.gov/",
    endpointSource: "https://staging.bluebutton.cms.gov/api-documentation/calling-the-api",
    clientAuth: "secret-basic",
    appType: "confidential",
    scopes: "openid profile patient/Patient.rs patient/Coverage.rs patient/ExplanationOfBenefit.rs",
    redirectNote: null,
    memberPlanId: "medicare-blue-button-2-0-sandbox-cms",
  },
};
const humana: PlanSummary = {
  ...blueButton,
  id: "humana-patient-access",
  name: "Humana",
  fhirBase: "https://fhir.humana.com/api",
  redirect: "loopback",
  registration: { ...(blueButton.registration as Registration), portal: "https://developers.humana.com/", scopes: null, memberPlanId: "humana" },
};

/** The plan as the member's own entry lists it: no registration guide. */
function withoutGuide(plan: PlanSummary): PlanSummary {
  const copy = { ...plan };
  delete copy.registration;
  return copy;
}

function reg(plan: PlanSummary): Registration {
  return plan.registration as Registration;
}

let target: HTMLElement;
let component: ReturnType<typeof mount> | null = null;

function show(plan: PlanSummary, plans: PlanSummary[], saved: string[] = []): void {
  target = document.createElement("div");
  document.body.append(target);
  component = mount(RegisterAtPlan, {
    target,
    props: { plan, registration: reg(plan), plans, onsaved: (name: string) => saved.push(name), onclose: () => {} },
  });
  flushSync();
}

function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

afterEach(() => {
  if (component) unmount(component);
  component = null;
  clearHost();
  document.body.innerHTML = "";
});

describe("register-at-plan helpers", () => {
  it("labels a plan to register as such, never as Connect", () => {
    expect(connectLabel(blueButton)).toBe("Register Folio here");
    expect(connectLabel(withoutGuide({ ...humana, clientId: "mine" }))).toBe("Connect");
  });

  it("gives the redirect address of the member's own entry: Folio's link, or loopback on any or a fixed port", () => {
    expect(redirectUris(blueButton, reg(blueButton), null)).toEqual(["health.folio.desktop:/cb/medicare-blue-button-2-0-sandbox-cms"]);
    expect(redirectUris(humana, reg(humana), null)).toEqual(["http://127.0.0.1/cb/humana"]);
    expect(redirectUris(humana, reg(humana), 8765)).toEqual(["http://127.0.0.1:8765/cb/humana"]);
    expect(parsePort("")).toBeNull();
    expect(parsePort("8765")).toBe(8765);
    expect(parsePort("0")).toBeUndefined();
    expect(parsePort("70000")).toBeUndefined();
    expect(parsePort("80a")).toBeUndefined();
  });

  it("saves under the catalog plan's name and address with its client authentication", () => {
    expect(completeRequest(humana, reg(humana), " abc ", "s3cret", 8765)).toEqual({
      name: "Humana", fhirBase: "https://fhir.humana.com/api", clientId: "abc", clientAuth: "secret-basic",
      clientSecret: "s3cret", redirect: "loopback", loopbackPort: 8765, register: false,
    });
    const publicPlan = { ...reg(humana), clientAuth: "none" as const };
    expect(completeRequest(blueButton, publicPlan, "abc", "ignored", 8765).clientSecret).toBeNull();
    expect(completeRequest(blueButton, publicPlan, "abc", "", 8765).loopbackPort).toBeNull();
  });
});

describe("RegisterAtPlan", () => {
  it("shows the portal, the exact redirect, the app type and the scopes, then saves what the portal gave", async () => {
    const requests: AddPlanRequest[] = [];
    mockHost((cmd, args) => {
      if (cmd !== "add_plan") throw new Error(`unexpected ${cmd}`);
      const request = (args as { request: AddPlanRequest }).request;
      requests.push(request);
      return { plan: { ...withoutGuide(blueButton), id: reg(blueButton).memberPlanId, clientId: request.clientId, fromCatalog: false }, jwks: null };
    });
    const saved: string[] = [];
    show(blueButton, [blueButton], saved);
    expect(target.querySelector("[data-testid=register-portal]")?.textContent).toBe("https://sandbox.bluebutton.cms.gov/");
    expect([...target.querySelectorAll("[data-testid=register-redirect]")].map((e) => e.textContent)).toEqual([
      "health.folio.desktop:/cb/medicare-blue-button-2-0-sandbox-cms",
    ]);
    expect(target.querySelector("[data-testid=register-app-type]")?.textContent).toMatch(/confidential app: the portal gives you a client id and a client secret/);
    expect(target.querySelector("[data-testid=register-scopes]")?.textContent).toContain("patient/ExplanationOfBenefit.rs");

    const form = target.querySelector("form") as HTMLFormElement;
    // Nothing is sent without a client id and the secret this plan requires.
    form.requestSubmit();
    flushSync();
    expect(target.querySelector("[role=alert]")?.textContent).toBe("Enter the client id the plan's portal gave you.");
    const id = target.querySelector("input:not([type=password])") as HTMLInputElement;
    const secret = target.querySelector("input[type=password]") as HTMLInputElement;
    type(id, "bb-client-1");
    form.requestSubmit();
    flushSync();
    expect(target.querySelector("[role=alert]")?.textContent).toBe("Enter the client secret the plan's portal gave you.");
    expect(requests).toEqual([]);

    type(secret, "portal-secret");
    form.requestSubmit();
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelector("[data-testid=register-saved]")).not.toBeNull();
    });
    expect(requests).toEqual([{
      name: blueButton.name, fhirBase: blueButton.fhirBase, clientId: "bb-client-1", clientAuth: "secret-basic",
      clientSecret: "portal-secret", redirect: "custom-scheme", loopbackPort: null, register: false,
    }]);
    expect(saved).toEqual([blueButton.name]);
    // The secret is not kept in the page after saving.
    expect(target.querySelector("input[type=password]")).toBeNull();
  });

  it("shows a loopback plan's address with the port the member fixes, and says so when already saved", () => {
    show(humana, [humana]);
    const port = target.querySelector("input[inputmode=numeric]") as HTMLInputElement;
    type(port, "8765");
    expect(target.querySelector("[data-testid=register-redirect]")?.textContent).toBe("http://127.0.0.1:8765/cb/humana");
    expect(target.querySelector("[data-testid=register-scopes]")?.textContent).toMatch(/do not list scopes/);
    unmount(component as ReturnType<typeof mount>);
    component = null;
    const mine: PlanSummary = { ...withoutGuide(humana), id: "humana", clientId: "mine", fromCatalog: false };
    show(humana, [humana, mine]);
    expect(target.querySelector("[data-testid=register-already]")).not.toBeNull();
    expect(target.querySelector("form")).toBeNull();
  });
});
