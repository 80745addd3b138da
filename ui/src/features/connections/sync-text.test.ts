import type { SyncReport } from "../../ipc";
import { failures, progressLine, summary } from "./sync-text";

const report = (over: Partial<SyncReport> = {}): SyncReport => ({
  connectionId: "c-1",
  cancelled: false,
  types: [
    { resourceType: "ExplanationOfBenefit", outcome: "done", fetched: 1200, markedMissing: 0, problem: null, failure: null },
    { resourceType: "Immunization", outcome: "not_shared", fetched: 0, markedMissing: 0, problem: "the plan does not share this type", failure: "not_shared" },
  ],
  ...over,
});

describe("sync words", () => {
  it("describes progress in plain words", () => {
    expect(progressLine({ connectionId: "c", resourceType: "Observation", pages: 3, resources: 1250, bytes: 1, done: false })).toBe(
      "Downloading labs and vitals: 1,250 records so far",
    );
  });
  it("summarises success, not-shared types and failures", () => {
    expect(summary(report())).toBe("Sync finished: the plan sent 1,200 records. Not shared by you or the plan: immunizations.");
    const broken = report({ types: [{ resourceType: "Observation", outcome: "failed", fetched: 40, markedMissing: 0, problem: "the plan kept failing", failure: "server_error" }] });
    expect(summary(broken)).toBe("Sync incomplete: the plan sent 40 records; 1 kind of record could not be downloaded. The next sync continues where this one stopped.");
    expect(failures(broken).map((f) => f.problem)).toEqual(["the plan kept failing"]);
    expect(summary(report({ cancelled: true, types: [] }))).toMatch(/^Sync stopped\. 0 records downloaded/);
  });
});
