import { describe, expect, it } from "vitest";
import type { CoverageCard } from "../../ipc";
import { changedText, periodText, sortCoverages } from "./overview-text";

const card = (over: Partial<CoverageCard>): CoverageCard => ({
  planName: "P", connectionId: "c", payor: null, memberId: null, plan: null, group: null, kind: null,
  start: null, end: null, status: null, relationship: null, ...over,
});

describe("overview words", () => {
  it("says a coverage period in days, open ends in words", () => {
    expect(periodText(card({ start: "2016-01-01", end: "2019-12-31" }), "en-US")).toBe("Jan 1, 2016 – Dec 31, 2019");
    expect(periodText(card({ start: "2020-01-01" }), "en-US")).toBe("since Jan 1, 2020");
    expect(periodText(card({}), "en-US")).toBe("dates not given");
  });

  it("puts the active coverage first, then the newest", () => {
    const sorted = sortCoverages([
      card({ start: "2016-01-01", status: "cancelled" }),
      card({ start: "2020-01-01", status: "cancelled" }),
      card({ start: "2018-01-01", status: "active" }),
    ]);
    expect(sorted.map((c) => c.start)).toEqual(["2018-01-01", "2020-01-01", "2016-01-01"]);
  });

  it("says what is new since the last visit, or that nothing is", () => {
    const at = (iso: string): string => iso.slice(0, 10);
    expect(changedText(null, [], at)).toMatch(/first visit/);
    expect(changedText("2026-11-01T00:00:00Z", [], at)).toBe("Nothing new since your last visit (2026-11-01).");
    const text = changedText("2026-11-01T00:00:00Z", [
      { resourceType: "ExplanationOfBenefit", kind: "Claims", count: 3 },
      { resourceType: "Observation", kind: "Labs and vital signs", count: 12 },
    ], at);
    expect(text).toBe("Since your last visit (2026-11-01): 15 new or updated records: 3 claims, 12 labs and vital signs.");
  });
});
