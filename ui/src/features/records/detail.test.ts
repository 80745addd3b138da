import { factText, groupFacts, whenText } from "./detail";

describe("record facts", () => {
  it("shows a day as a day and a moment with its time", () => {
    expect(whenText("2026-10-02", "en-US")).toBe("Oct 2, 2026");
    expect(whenText("2026-10", "en-US")).toBe("2026-10");
    expect(whenText("2026-10-02T09:00:00Z", "en-US")).toMatch(/^Oct [12], 2026, \d{1,2}:\d{2}\s?[AP]M$/);
  });
  it("reads a fact's words, or its date", () => {
    expect(factText({ text: "11.2 thousand per µL", date: null })).toBe("11.2 thousand per µL");
    expect(factText({ text: null, date: "2025-03-01" }, "en-US")).toBe("Mar 1, 2025");
  });
  it("keeps facts with one label together, in the order they came", () => {
    const groups = groupFacts([{ label: "Result" }, { label: "Performed by", n: 1 }, { label: "Status" }, { label: "Performed by", n: 2 }]);
    expect(groups.map((g) => [g.label, g.facts.length])).toEqual([["Result", 1], ["Performed by", 2], ["Status", 1]]);
  });
});
