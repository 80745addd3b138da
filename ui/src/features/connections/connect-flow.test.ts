import { clearHost, mockHost } from "../../ipc/testing";
import type { ConnectionSummary, PlanSummary } from "../../ipc";
import { connect, connectLabel, filterPlans, type ConnectPhase } from "./connect-flow";

const demo: PlanSummary = {
  id: "demo", name: "Folio Sandbox Health Plan (demo)", fhirBase: "", clientId: "folio-desktop",
  redirect: "loopback", fromCatalog: true, isDemo: true, notes: null, clientAuth: "none",
};
const acme: PlanSummary = { ...demo, id: "acme-health", name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", isDemo: false, fromCatalog: false };
const connection: ConnectionSummary = {
  id: "c-1", planId: "demo", planName: demo.name, patientId: "demo-patient", status: "connected",
  grantedScopes: ["patient/*.rs"], scopesNotGranted: [], tokenExpiresAt: null, access: null, lastSyncedAt: null, records: 0, problem: null, kind: "plan",
};

afterEach(() => clearHost());

describe("connect", () => {
  it("reports starting, waiting with the sign-in link, then connected", async () => {
    const calls: string[] = [];
    mockHost((cmd) => {
      calls.push(cmd);
      if (cmd === "begin_connect") return { planId: "demo", authorizeUrl: "http://127.0.0.1:9/auth/authorize?x=1" };
      if (cmd === "finish_connect") return connection;
      throw new Error(cmd);
    });
    const phases: ConnectPhase[] = [];
    const end = await connect(demo, (p) => phases.push(p));
    expect(phases.map((p) => p.kind)).toEqual(["starting", "waiting", "connected"]);
    expect(phases[1]).toMatchObject({ url: "http://127.0.0.1:9/auth/authorize?x=1" });
    expect(end).toMatchObject({ kind: "connected", connection: { id: "c-1" } });
    expect(calls).toEqual(["begin_connect", "finish_connect"]);
  });

  it("ends in failed with the host's code when the member says no", async () => {
    mockHost((cmd) => {
      if (cmd === "begin_connect") return { planId: "demo", authorizeUrl: "http://x" };
      throw { code: "member_denied", message: "you did not allow access at the plan" };
    });
    const end = await connect(demo, () => {});
    expect(end.kind).toBe("failed");
    expect(end.kind === "failed" && end.error.code).toBe("member_denied");
  });

  it("fails before waiting when the plan cannot be reached", async () => {
    mockHost(() => {
      throw { code: "plan_unreachable", message: "the plan's server could not be reached" };
    });
    const phases: string[] = [];
    await connect(acme, (p) => phases.push(p.kind));
    expect(phases).toEqual(["starting", "failed"]);
  });
});

describe("filterPlans", () => {
  it("matches every word in name, id or address", () => {
    expect(filterPlans([demo, acme], "")).toHaveLength(2);
    expect(filterPlans([demo, acme], "acme")).toEqual([acme]);
    expect(filterPlans([demo, acme], "sandbox demo")).toEqual([demo]);
    expect(filterPlans([demo, acme], "fhir.acme r4")).toEqual([acme]);
    expect(filterPlans([demo, acme], "nothing")).toEqual([]);
  });
});

describe("connectLabel", () => {
  it("names the demo plan's two entries apart and says Connect for the rest", () => {
    const viaLink: PlanSummary = { ...demo, id: "demo-app-link", redirect: "custom-scheme" };
    expect(connectLabel(demo)).toBe("Try the demo plan");
    expect(connectLabel(viaLink)).toBe("Try it through Folio's link");
    expect(connectLabel(acme)).toBe("Connect");
    expect(connectLabel({ ...acme, redirect: "custom-scheme" })).toBe("Connect");
  });
});
