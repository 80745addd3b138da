import type { SyncReport } from "../../ipc";
import { accessLine, lifetimeWords, needsSignIn, statusLabel } from "./connection-text";
import { listedFailures, summary } from "./sync-text";

describe("how long a plan's access lasts", () => {
  it("says it in plain words, and whether the member will be asked to sign in again", () => {
    expect(accessLine({ lastsSeconds: 600, renewable: false })).toBe(
      "Access lasts 10 minutes and this plan does not renew it: each sync may ask you to sign in again.",
    );
    expect(accessLine({ lastsSeconds: 3600, renewable: true })).toBe("Access lasts 1 hour; Folio renews it without asking you.");
    expect(accessLine({ lastsSeconds: null, renewable: false })).toBe(
      "This plan does not renew access: when it ends, each sync may ask you to sign in again.",
    );
    expect(accessLine({ lastsSeconds: null, renewable: true })).toBe("Folio renews this plan's access without asking you.");
    expect(accessLine(null)).toBeNull();
    expect(accessLine(undefined)).toBeNull();
  });
  it("names a lifetime in the largest whole unit", () => {
    expect(lifetimeWords(90)).toBe("90 seconds");
    expect(lifetimeWords(300)).toBe("5 minutes");
    expect(lifetimeWords(5400)).toBe("90 minutes");
    expect(lifetimeWords(7200)).toBe("2 hours");
    expect(lifetimeWords(86_400)).toBe("1 day");
    expect(lifetimeWords(1)).toBe("1 second");
  });
});

describe("a sync that access outlived", () => {
  const report: SyncReport = {
    connectionId: "c-1",
    cancelled: false,
    types: [
      { resourceType: "Coverage", outcome: "done", fetched: 3, markedMissing: 0, problem: null, failure: null },
      { resourceType: "ExplanationOfBenefit", outcome: "failed", fetched: 0, markedMissing: 0, problem: "access ended", failure: "reconnect_to_finish" },
      { resourceType: "Observation", outcome: "failed", fetched: 0, markedMissing: 0, problem: "access ended", failure: "reconnect_to_finish" },
    ],
  };
  it("says to reconnect to finish, once, and that what arrived is kept", () => {
    expect(summary(report, 3)).toBe(
      "Sync stopped: access to the plan ended and the plan does not renew it. What was downloaded is kept: 3 records from this plan on this computer. Connect again to finish (claims, labs and vitals next).",
    );
    expect(listedFailures(report)).toEqual([]);
  });
  it("labels the connection and offers signing in again", () => {
    expect(statusLabel("reconnect_to_finish")).toBe("Reconnect to finish");
    expect(needsSignIn("reconnect_to_finish")).toBe(true);
    expect(needsSignIn("connected")).toBe(false);
  });
  it("a connection restored from a backup asks to be connected again", () => {
    expect(statusLabel("reconnect_after_restore")).toBe("Reconnect to keep it current");
    expect(needsSignIn("reconnect_after_restore")).toBe(true);
  });
});
