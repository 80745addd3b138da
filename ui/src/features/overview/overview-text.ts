// Words for the overview. Pure: no IPC, no DOM.
import type { CoverageCard, KindCount } from "../../ipc";
import { countOf, formatDay } from "../../lib/format";

/** "Jan 1, 2016 – Dec 31, 2019", "since Jan 1, 2020", or "dates not given". */
export function periodText(card: CoverageCard, locale?: string): string {
  if (card.start && card.end) return `${formatDay(card.start, locale)} – ${formatDay(card.end, locale)}`;
  if (card.start) return `since ${formatDay(card.start, locale)}`;
  if (card.end) return `until ${formatDay(card.end, locale)}`;
  return "dates not given";
}

/** Current coverage first, then newest first. */
export function sortCoverages(cards: CoverageCard[]): CoverageCard[] {
  const active = (c: CoverageCard): number => (c.status === "active" ? 0 : 1);
  return [...cards].sort((a, b) => active(a) - active(b) || (b.start ?? "").localeCompare(a.start ?? ""));
}

/** "What's new" in one sentence. */
export function changedText(lastVisit: string | null, changed: KindCount[], moment: (iso: string) => string): string {
  if (lastVisit === null) return "Welcome. This is your first visit on this computer.";
  const total = changed.reduce((n, k) => n + k.count, 0);
  if (total === 0) return `Nothing new since your last visit (${moment(lastVisit)}).`;
  const parts = changed.slice(0, 4).map((k) => `${k.count} ${k.kind.toLowerCase()}`);
  const more = changed.length > 4 ? ", and more" : "";
  return `Since your last visit (${moment(lastVisit)}): ${countOf(total, "new or updated record")}: ${parts.join(", ")}${more}.`;
}
