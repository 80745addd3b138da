import type { SyncReport } from "../../ipc";
import { failures, progressLine, received, receivedNote, summary } from "./sync-text";

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
  it("summarises success, not-shared types and failures with the records on this computer", () => {
    expect(summary(report(), 1_938)).toBe("Sync finished: 1,938 records from this plan on this computer. Not shared by you or the plan: immunizations.");
    const broken = report({ types: [{ resourceType: "Observation", outcome: "failed", fetched: 40, markedMissing: 0, problem: "the plan kept failing", failure: "server_error" }] });
    expect(summary(broken, 38)).toBe("Sync incomplete: 38 records from this plan on this computer; 1 kind of record could not be downloaded. The next sync continues where this one stopped.");
    expect(failures(broken).map((f) => f.problem)).toEqual(["the plan kept failing"]);
    expect(summary(report({ cancelled: true, types: [] }), 0)).toBe("Sync stopped: 0 records from this plan on this computer; the next sync continues from there.");
  });
  it("says one number, the records on this computer; what the plan sent (more: repeats and linked records) is only in the details", () => {
    // The plan sent 2,024 entries (pages overlap; each claim brings its clinic again) for 1,938 records kept.
    const sent = report({ types: [
      { resourceType: "ExplanationOfBenefit", outcome: "done", fetched: 1_224, markedMissing: 0, problem: null, failure: null },
      { resourceType: "Observation", outcome: "done", fetched: 800, markedMissing: 3, problem: null, failure: null },
      { resourceType: "Immunization", outcome: "not_shared", fetched: 0, markedMissing: 0, problem: "not shared", failure: "not_shared" },
    ] });
    const line = summary(sent, 1_938);
    expect(line).toContain("1,938 records from this plan on this computer");
    expect(line).not.toMatch(/2,024|1,224|800|sent \d/);
    expect(received(sent)).toEqual(["claims: 1,224 received", "labs and vitals: 800 received; 3 records no longer sent, kept"]);
    expect(receivedNote()).toMatch(/more than once/);
  });
});
