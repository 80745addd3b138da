import type { TimelineItem } from "../../ipc";
import { groupByDay, metaLine } from "./group";

const item = (date: string, id: string): TimelineItem => ({
  connectionId: "c", planName: "P", resourceType: "Observation", resourceId: id, date, title: id, fullTitle: null, kind: "Lab or vital sign",
  sensitive: false, otherSources: [],
});

describe("groupByDay", () => {
  it("groups consecutive items by their day", () => {
    const groups = groupByDay([item("2024-05-02T10:00:00Z", "a"), item("2024-05-02", "b"), item("2024-04-30T08:00:00-05:00", "c")]);
    expect(groups.map((g) => [g.day, g.items.map((i) => i.resourceId)])).toEqual([
      ["2024-05-02", ["a", "b"]],
      ["2024-04-30", ["c"]],
    ]);
    expect(groupByDay([])).toEqual([]);
  });
});

describe("metaLine", () => {
  it("names the kind, the plan and the other plans", () => {
    expect(metaLine({ ...item("2024-01-01", "x"), otherSources: ["B", "C"] })).toBe("Lab or vital sign · P · also from B, C");
    expect(metaLine(item("2024-01-01", "x"))).toBe("Lab or vital sign · P");
  });
});
