import { describe, expect, it } from "vitest";
import type { TimelineItem } from "../../ipc";
import { groupByDay } from "./group";
import { DAY_ROW, flatten, ITEM_ROW, offsets, rowKey, visibleRange } from "./window";

const item = (date: string, id: string): TimelineItem => ({
  connectionId: "c", planName: "P", resourceType: "Observation", resourceId: id, date, title: id, fullTitle: null, kind: "Lab or vital sign",
  sensitive: false, otherSources: [],
});

/** `days` days of `perDay` items each, newest first. */
function history(days: number, perDay: number): TimelineItem[] {
  const out: TimelineItem[] = [];
  for (let d = 0; d < days; d++) {
    const day = new Date(Date.UTC(2026, 10, 28) - d * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < perDay; i++) out.push(item(day, `${day}-${i}`));
  }
  return out;
}

describe("the virtual timeline", () => {
  it("flattens days into heading and item rows, estimated heights until drawn", () => {
    const rows = flatten(groupByDay(history(2, 3)));
    expect(rows.map((r) => r.kind)).toEqual(["day", "item", "item", "item", "day", "item", "item", "item"]);
    const tops = offsets(rows);
    expect(tops[1]).toBe(DAY_ROW);
    expect(tops[rows.length]).toBe(2 * DAY_ROW + 6 * ITEM_ROW);
    expect(new Set(rows.map(rowKey)).size).toBe(rows.length);
  });

  it("renders only the rows in view plus a little either side, wherever the scroll is", () => {
    const rows = flatten(groupByDay(history(25_000, 4))); // 100,000 items
    const tops = offsets(rows);
    const top = visibleRange(tops, 0, 600, 5);
    expect(top.start).toBe(0);
    expect(top.end - top.start).toBeLessThan(30);
    const deep = visibleRange(tops, 4_000_000, 600, 5);
    expect(deep.end - deep.start).toBeLessThan(30);
    // The rows it picked cover the viewport.
    expect(tops[deep.start + 5]).toBeLessThanOrEqual(4_000_000);
    expect(tops[deep.end - 5]).toBeGreaterThanOrEqual(4_000_600);
    const end = visibleRange(tops, tops[rows.length] ?? 0, 600, 5);
    expect(end.end).toBe(rows.length);
    expect(visibleRange([0], 0, 600)).toEqual({ start: 0, end: 0 });
  });

  it("places rows by their measured height where drawn (a wrapped title makes its row taller)", () => {
    const rows = flatten(groupByDay(history(1, 3)));
    const first = rows[1];
    if (!first) throw new Error("a row");
    const tall = rowKey(first);
    const tops = offsets(rows, (r) => (rowKey(r) === tall ? 3 * ITEM_ROW : undefined));
    expect(tops[2]).toBe(DAY_ROW + 3 * ITEM_ROW);
    expect(tops[rows.length]).toBe(DAY_ROW + 5 * ITEM_ROW);
  });
});
