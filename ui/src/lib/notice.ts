// What a background sync's new-records notice says, in the window (pure).

import { formatList } from "./format";
import { t } from "./i18n.svelte";

/** How many new records of each kind a background sync brought. */
export interface NoticeCounts {
  claims: number;
  results: number;
  priorAuthorizations: number;
}

/** "3 new claims, 4 new results, and 1 prior-authorization decision". */
export function noticeWords(c: NoticeCounts): string {
  const parts = [
    c.claims > 0 ? t("notice.claims", { count: c.claims }) : null,
    c.results > 0 ? t("notice.results", { count: c.results }) : null,
    c.priorAuthorizations > 0 ? t("notice.priorAuths", { count: c.priorAuthorizations }) : null,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return t("notice.none");
  return formatList(parts);
}
