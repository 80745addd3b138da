// Prior authorizations in the member's words: the state, how long an approval lasts, units.
import type { CodedWords, PriorAuthItem, PriorAuthOverview, PriorAuthStatus, PriorAuthSummary } from "../../ipc";
import { formatDay, formatNumber } from "../../lib/format";
import { t, type MessageId } from "../../lib/i18n.svelte";

/** The state in words. */
export function statusLabel(status: PriorAuthStatus): string {
  const id: MessageId = `pa.status.${status}`;
  return t(id);
}

/** How long an approval lasts: "Approved through Jun 30, 2027" (or "ended …" once past). */
export function approvalText(
  p: Pick<PriorAuthSummary, "status" | "approvedFrom" | "approvedUntil">,
  today: string,
  locale?: string,
): string | null {
  if (p.status !== "approved" && p.status !== "partly_approved") return null;
  const until = p.approvedUntil;
  const from = p.approvedFrom;
  if (!until) return from ? t("pa.approvedFrom", { day: formatDay(from, locale) }) : null;
  if (until.slice(0, 10) < today) return t("pa.approvalEnded", { day: formatDay(until, locale) });
  return t("pa.approvedThrough", { day: formatDay(until, locale) });
}

/** A number of units as written: no trailing zeros. */
function units(n: number, locale?: string): string {
  return formatNumber(n, locale, { maximumFractionDigits: 2 });
}

/** What was asked, approved and used, in one line; null when the plan said none of it. */
export function quantityText(item: Pick<PriorAuthItem, "quantityRequested" | "quantityApproved" | "quantityUsed">, locale?: string): string | null {
  const parts: string[] = [];
  const { quantityRequested: asked, quantityApproved: approved, quantityUsed: used } = item;
  if (approved !== null && approved !== undefined) {
    parts.push(asked !== null && asked !== undefined && asked !== approved
      ? t("pa.qtyOf", { approved: units(approved, locale), asked: units(asked, locale) })
      : t("pa.qtyApproved", { approved: units(approved, locale) }));
  } else if (asked !== null && asked !== undefined) {
    parts.push(t("pa.qtyAsked", { asked: units(asked, locale) }));
  }
  if (used !== null && used !== undefined && approved !== null && approved !== undefined) parts.push(t("pa.qtyUsed", { used: units(used, locale) }));
  return parts.length > 0 ? parts.join(", ") : null;
}

/** A coded fact: its words, and its code beside when the plan sent words too. */
export function codedText(c: CodedWords | null | undefined): { text: string; code: string | null } | null {
  if (!c) return null;
  return { text: c.text, code: c.code && c.code !== c.text ? c.code : null };
}

/** What a list row says of its service(s): the first, and how many more. */
export function servicesText(services: string[]): string {
  const [first, ...rest] = services;
  if (first === undefined) return t("pa.serviceNotStated");
  return rest.length === 0 ? first : t("pa.servicesMore", { first, count: rest.length });
}

/** The tile's one-line summary: "1 pending · 2 approved · 1 partly approved · 1 denied". */
export function tileCounts(o: PriorAuthOverview): string {
  const parts: string[] = [];
  if (o.pending > 0) parts.push(t("pa.countPending", { count: o.pending }));
  if (o.approved > 0) parts.push(t("pa.countApproved", { count: o.approved }));
  if (o.partlyApproved > 0) parts.push(t("pa.countPartly", { count: o.partlyApproved }));
  if (o.denied > 0) parts.push(t("pa.countDenied", { count: o.denied }));
  return parts.length > 0 ? parts.join(" · ") : t("pa.countOnRecord", { count: o.total });
}

/** The tile's answer: "1 prior authorization pending", "None pending", or none on record. */
export function tileAnswer(o: Pick<PriorAuthOverview, "total" | "pending">): string {
  if (o.total === 0) return t("pa.noneOnRecord");
  if (o.pending === 0) return t("pa.nonePending");
  return t("pa.pendingAnswer", { count: o.pending });
}

/** Today as `YYYY-MM-DD` in the member's own time zone. */
export function todayLocal(now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
