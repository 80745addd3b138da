import { describe, expect, it } from "vitest";
import type { LabLine } from "../../ipc";
import { flagText, FRAME, layout, niceStep, valued } from "./chart";

function at<T>(items: T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

const point = (date: string, value: number, flag: LabLine["points"][number]["flag"] = null) => ({
  date, value, flag, reportedAs: null, planName: "Plan", connectionId: "c", resourceId: date,
});
const glucose: LabLine = {
  name: "Glucose", unit: "mg/dL", low: 70, high: 99, unconverted: 0,
  points: [point("2024-01-01", 90), point("2025-01-01", 110, "high"), point("2026-01-01", 95)],
};

describe("lab chart layout", () => {
  it("picks 1-2-5 steps", () => {
    expect(niceStep(40)).toBe(10);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0.3)).toBeCloseTo(0.1);
    expect(niceStep(0)).toBe(1);
  });

  it("places points by date and value, inside the frame, with the reference band", () => {
    const m = layout([glucose], (d) => d.slice(0, 4));
    const pts = at(m.lines, 0).points;
    expect(at(pts, 0).x).toBe(FRAME.left);
    expect(at(pts, 2).x).toBe(FRAME.width - FRAME.right);
    expect(Math.abs(at(pts, 1).x - (FRAME.left + FRAME.width - FRAME.right) / 2)).toBeLessThan(1);
    // Higher values sit higher (smaller y).
    expect(at(pts, 1).y).toBeLessThan(at(pts, 0).y);
    for (const p of pts) {
      expect(p.y).toBeGreaterThanOrEqual(FRAME.top);
      expect(p.y).toBeLessThanOrEqual(FRAME.height - FRAME.bottom);
    }
    expect(pts.map((p) => p.outOfRange)).toEqual([false, true, false]);
    expect(m.band?.height).toBeGreaterThan(0);
    expect(m.xTicks.map((t) => t.label)).toEqual(["2024", "2026"]);
    expect(m.yTicks.length).toBeGreaterThanOrEqual(3);
    expect(at(m.lines, 0).path.split(" ")).toHaveLength(3);
  });

  it("draws one result, no results and two lines without a band", () => {
    expect(layout([], String).lines).toEqual([]);
    const one = layout([{ ...glucose, low: null, high: null, points: [point("2026-01-01", 5)] }], String);
    expect(at(at(one.lines, 0).points, 0).x).toBe(Math.round((FRAME.left + (FRAME.width - FRAME.right)) / 2 * 10) / 10);
    expect(one.band).toBeNull();
    const bp = layout([
      { ...glucose, name: "Systolic", points: [point("2026-01-01", 128), point("2026-02-01", 135)] },
      { ...glucose, name: "Diastolic", points: [point("2026-01-01", 82), point("2026-02-01", 79)] },
    ], String);
    expect(bp.lines).toHaveLength(2);
    expect(bp.band).toBeNull();
  });

  it("leaves out values the host could not send", () => {
    const line = { ...glucose, points: [point("2026-01-01", 5), { ...point("2026-02-01", 0), value: null }] };
    expect(valued(line.points)).toHaveLength(1);
    expect(at(layout([line], String).lines, 0).points).toHaveLength(1);
  });

  it("says flags in words", () => {
    expect(flagText("critical_high")).toBe("Critically high");
    expect(flagText(null)).toBe("");
  });
});
