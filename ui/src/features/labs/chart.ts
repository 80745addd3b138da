// The geometry of a lab chart: pure functions from results to SVG coordinates. No DOM.
import type { LabFlag, LabLine } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

/** The drawing area. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const FRAME: Frame = { width: 720, height: 260, left: 56, right: 16, top: 16, bottom: 36 };

/** A point placed on the chart. */
export interface Placed {
  x: number;
  y: number;
  date: string;
  value: number;
  outOfRange: boolean;
}

/** What a chart draws. */
export interface ChartModel {
  /** One polyline per measured value (`points` attribute), with its points. */
  lines: { name: string; path: string; points: Placed[] }[];
  /** The reference band, when there is one line with a range. */
  band: { y: number; height: number } | null;
  /** Value ticks: position and label. */
  yTicks: { y: number; label: string }[];
  /** First and last dates, placed. */
  xTicks: { x: number; label: string }[];
}

type Point = LabLine["points"][number];
type Valued = Point & { value: number };

/** The points that carry a number (the host sends `null` for a value JSON cannot hold). */
export function valued(points: Point[]): Valued[] {
  return points.filter((p): p is Valued => p.value !== null && Number.isFinite(p.value));
}

function time(date: string): number {
  const t = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Number.isNaN(t) ? 0 : t;
}

/** "Nice" tick step for a span: 1, 2 or 5 times a power of ten, about `count` ticks. */
export function niceStep(span: number, count = 4): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function outside(value: number, low: number | null, high: number | null): boolean {
  return (low !== null && value < low) || (high !== null && value > high);
}

/** Whether a flag means "look at this". */
export function flagged(flag: LabFlag | null): boolean {
  return flag !== null && flag !== "normal";
}

/** Lays out lines in `frame`; `formatDate` labels the first and last dates. */
export function layout(lines: LabLine[], formatDate: (d: string) => string, frame: Frame = FRAME): ChartModel {
  const all = lines.flatMap((l) => valued(l.points));
  const empty: ChartModel = { lines: [], band: null, yTicks: [], xTicks: [] };
  if (all.length === 0) return empty;
  const single = lines.length === 1 ? lines[0] : undefined;
  const values = all.map((p) => p.value);
  if (single && single.low !== null) values.push(single.low);
  if (single && single.high !== null) values.push(single.high);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= Math.abs(min) * 0.1 || 1;
    max += Math.abs(max) * 0.1 || 1;
  }
  const step = niceStep(max - min);
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const times = all.map((p) => time(p.date));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const x = (t: number): number => frame.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number): number => frame.top + plotH - ((v - min) / (max - min)) * plotH;
  const round = (n: number): number => Math.round(n * 10) / 10;

  const placedLines = lines.map((l) => {
    const points = valued(l.points).map((p) => ({
      x: round(x(time(p.date))),
      y: round(y(p.value)),
      date: p.date,
      value: p.value,
      outOfRange: flagged(p.flag) || outside(p.value, l.low, l.high),
    }));
    return { name: l.name, path: points.map((p) => `${p.x},${p.y}`).join(" "), points };
  });
  let band: ChartModel["band"] = null;
  if (single && (single.low != null || single.high != null)) {
    const top = y(single.high ?? max);
    const bottom = y(single.low ?? min);
    band = { y: round(top), height: round(bottom - top) };
  }
  const yTicks: ChartModel["yTicks"] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = min; v <= max + step / 2; v += step) {
    yTicks.push({ y: round(y(v)), label: v.toFixed(decimals) });
  }
  const first = all.reduce((a, b) => (time(a.date) <= time(b.date) ? a : b));
  const last = all.reduce((a, b) => (time(a.date) >= time(b.date) ? a : b));
  const xTicks = [{ x: round(x(t0)), label: formatDate(first.date) }];
  if (t1 !== t0) xTicks.push({ x: round(x(t1)), label: formatDate(last.date) });
  return { lines: placedLines, band, yTicks, xTicks };
}

/** A flag in words. */
export function flagText(flag: LabFlag | null): string {
  if (flag === null) return "";
  const id: MessageId = `flag.${flag}`;
  return t(id);
}
