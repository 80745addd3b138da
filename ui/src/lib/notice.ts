// What a background sync's new-records notice says, in the window (pure).

import { formatNumber } from "./format";

/** How many new records of each kind a background sync brought. */
export interface NoticeCounts {
  claims: number;
  results: number;
  priorAuthorizations: number;
}

function count(n: number, one: string, many: string): string | null {
  return n > 0 ? `${formatNumber(n)} ${n === 1 ? one : many}` : null;
}

/** "3 new claims, 4 new results and 1 prior-authorization decision". */
export function noticeWords(c: NoticeCounts): string {
  const parts = [
    count(c.claims, "new claim", "new claims"),
    count(c.results, "new result", "new results"),
    count(c.priorAuthorizations, "prior-authorization decision", "prior-authorization decisions"),
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return "New records";
  if (parts.length === 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1] ?? ""}`;
}
