// The timeline as fixed-height rows (day headings and items) and the slice of them a
// scrolled viewport shows: only that slice is in the DOM, so 100,000 items scroll like 100.
// Pure: no DOM.
import type { TimelineItem } from "../../ipc";
import type { DayGroup } from "./group";

export type Row = { kind: "day"; day: string } | { kind: "item"; item: TimelineItem };

/**
 * Estimated row heights in CSS pixels, for rows not yet drawn. A drawn row is measured (its text
 * wraps, so it grows with the font size and the zoom) and its measured height replaces these.
 */
export const DAY_ROW = 36;
export const ITEM_ROW = 64;

/** Day headings and items, in order. */
export function flatten(groups: readonly DayGroup[]): Row[] {
  const rows: Row[] = [];
  for (const g of groups) {
    rows.push({ kind: "day", day: g.day });
    for (const item of g.items) rows.push({ kind: "item", item });
  }
  return rows;
}

/** A row's estimated height. */
export function estimatedHeight(row: Row): number {
  return row.kind === "day" ? DAY_ROW : ITEM_ROW;
}

/**
 * Where each row starts; one more entry than rows: the last is the total height. `heightOf`
 * gives a row's measured height (undefined where it has not been drawn: the estimate).
 */
export function offsets(rows: readonly Row[], heightOf: (row: Row) => number | undefined = () => undefined): number[] {
  const tops = new Array<number>(rows.length + 1);
  let y = 0;
  for (let i = 0; i < rows.length; i++) {
    tops[i] = y;
    const row = rows[i];
    if (row) y += heightOf(row) ?? estimatedHeight(row);
  }
  tops[rows.length] = y;
  return tops;
}

/** The first row whose bottom is below `y` (binary search over `tops`). */
function rowAt(tops: readonly number[], y: number): number {
  let lo = 0;
  let hi = Math.max(0, tops.length - 2);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tops[mid + 1] ?? 0) <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows to render for a viewport, with `overscan` rows either side: `[start, end)`. */
export function visibleRange(tops: readonly number[], scrollTop: number, height: number, overscan = 6): { start: number; end: number } {
  const count = tops.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const first = rowAt(tops, Math.max(0, scrollTop));
  const last = rowAt(tops, scrollTop + Math.max(height, 0));
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + 1 + overscan) };
}

/** A stable key for a row. */
export function rowKey(row: Row): string {
  return row.kind === "day" ? `d:${row.day}` : `i:${row.item.connectionId}/${row.item.resourceType}/${row.item.resourceId}`;
}
