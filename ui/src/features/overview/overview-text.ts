// Words for the overview. Pure: no IPC, no DOM.
import type { ConnectionStatus, ConnectionSummary, CoverageCard, KindCount, PlanCosts, TimelineItem } from "../../ipc";
import { formatDay, formatMoney, formatNumber } from "../../lib/format";
import { t } from "../../lib/i18n.svelte";
import { formatRoute, recordHref } from "../../lib/route";
import { orderBalances, type Balance } from "../claims/claims-text";
import { countWord, kindWords } from "../records/group";

/** "Jan 1, 2016 – Dec 31, 2019", "since Jan 1, 2020", or "dates not given". */
export function periodText(card: CoverageCard, locale?: string): string {
  if (card.start && card.end) return t("overview.period", { start: formatDay(card.start, locale), end: formatDay(card.end, locale) });
  if (card.start) return t("overview.since", { start: formatDay(card.start, locale) });
  if (card.end) return t("overview.until", { end: formatDay(card.end, locale) });
  return t("overview.noDates");
}

/** Current coverage first, then newest first. */
export function sortCoverages(cards: CoverageCard[]): CoverageCard[] {
  const active = (c: CoverageCard): number => (c.status === "active" ? 0 : 1);
  return [...cards].sort((a, b) => active(a) - active(b) || (b.start ?? "").localeCompare(a.start ?? ""));
}

/** "What's new" in one sentence. */
export function changedText(lastVisit: string | null, changed: KindCount[], moment: (iso: string) => string): string {
  if (lastVisit === null) return t("overview.welcome");
  const total = changed.reduce((n, k) => n + k.count, 0);
  if (total === 0) return t("overview.nothingNew", { when: moment(lastVisit) });
  const parts = changed
    .slice(0, 4)
    .map((k) => t("overview.countOf", { n: formatNumber(k.count), word: countWord(k.resourceType, k.count, k.kind) }));
  return t("overview.sinceLast", { when: moment(lastVisit), total, parts: parts.join(", "), more: changed.length > 4 ? "yes" : "no" });
}

/** "this year" when `year` is the current one, else "in 2025" (the newest year with claims). */
export function yearWords(year: number, currentYear: number): string {
  return year === currentYear ? t("overview.thisYear") : t("overview.inYear", { year: String(year) });
}

/**
 * The costs tile's answer: what the member owes from the year's claims, across plans of one
 * currency ("You owe $1,240.00 this year"); each plan on its own line when currencies differ.
 * Claims that do not say what the member owes add nothing, and a year where none says is
 * said so, never shown as $0.
 */
export function oweAnswer(plans: readonly PlanCosts[], year: number, currentYear: number, locale?: string): string[] {
  const when = yearWords(year, currentYear);
  const stated = plans.filter((p) => p.youOwe !== null && p.youOwe !== undefined);
  if (plans.length === 0) return [t("overview.noClaimsWhen", { when })];
  if (stated.length === 0) return [t("overview.noOwe", { when })];
  const currencies = new Set(stated.map((p) => p.currency));
  const [only] = currencies;
  if (currencies.size === 1 && only !== undefined) {
    const sum = stated.reduce((n, p) => n + (p.youOwe ?? 0), 0);
    return [t("overview.owe", { amount: formatMoney(sum, only, locale), when })];
  }
  return stated.map((p) => t("overview.oweTo", { amount: formatMoney(p.youOwe, p.currency, locale), when, plan: p.planName }));
}

/** Under the answer: "From 14 claims · billed $9,000.00 · your plan paid $7,000.00" (one plan). */
export function costDetail(plans: readonly PlanCosts[], locale?: string): string {
  const claims = plans.reduce((n, p) => n + p.claims, 0);
  const [one] = plans;
  const parts = [t("overview.fromClaims", { count: claims })];
  if (plans.length === 1 && one) {
    parts.push(
      t("overview.billed", { amount: formatMoney(one.billed, one.currency, locale) }),
      t("overview.planPaid", { amount: formatMoney(one.planPaid, one.currency, locale) }),
    );
  } else if (plans.length > 1) {
    parts.push(t("overview.fromPlans", { count: plans.length }));
  }
  return parts.join(" · ");
}

/**
 * The figures a glance needs: the member's own deductible and out-of-pocket maximum (in
 * network when the plan says which), at most one of each; the family's when only it is sent.
 */
export function glanceBalances(balances: readonly Balance[]): Balance[] {
  const ordered = orderBalances(balances);
  const out: Balance[] = [];
  for (const kind of ["deductible", "out_of_pocket"]) {
    const first = ordered.find((b) => b.kind === kind);
    if (first) out.push(first);
  }
  return out;
}

/** "3 medicines you take", "1 medicine you take", "No medicines on record as taken". */
export function medicinesAnswer(taking: number): string {
  if (taking === 0) return t("overview.noMeds");
  return t("overview.meds", { count: taking });
}

/** A plan's sync state in words: syncing now, needs a sign-in, its last sync, or none yet. */
export function syncStateText(
  c: Pick<ConnectionSummary, "status" | "lastSyncedAt" | "kind">,
  syncing: boolean,
  moment: (iso: string) => string,
): string {
  if (syncing) return t("overview.downloading");
  if (c.status === "reconnect_needed") return t("overview.signInAgainDownload");
  if (c.status === "reconnect_to_finish") return t("overview.signInAgainFinish");
  if (c.status === "reconnect_after_restore") return t("overview.signInAgainRestored");
  if (c.status === "disconnected")
    return c.lastSyncedAt ? t("overview.disconnectedLast", { when: moment(c.lastSyncedAt) }) : t("overview.disconnected");
  if (c.kind === "file") return c.lastSyncedAt ? t("overview.importedWhen", { when: moment(c.lastSyncedAt) }) : t("overview.importedFile");
  return c.lastSyncedAt ? t("overview.upToDate", { when: moment(c.lastSyncedAt) }) : t("overview.notDownloaded");
}

/** Whether a plan's state asks something of the member (shown as a warning). */
export function syncNeedsMember(status: ConnectionStatus): boolean {
  return status === "reconnect_needed" || status === "reconnect_to_finish" || status === "reconnect_after_restore";
}

/** A new record's line: "Claim · Mar 4, 2026" (its kind, when its title is not already that). */
export function newItemMeta(item: Pick<TimelineItem, "title" | "kind" | "date" | "resourceType"> & { opensOn?: string | null | undefined }, locale?: string): string {
  const when = formatDay(item.date, locale);
  return item.title === item.kind ? when : t("overview.itemMeta", { kind: kindWords(item), when });
}

/**
 * Where a new item opens: a claim on the claim screen, a prior authorization on its own screen
 * (as the host says with `opensOn`), any other record on its detail.
 */
export function newItemHref(item: Pick<TimelineItem, "connectionId" | "resourceType" | "resourceId" | "opensOn">): string {
  switch (item.opensOn) {
    case "claim":
      return formatRoute({ screen: "claim", id: item.resourceId, source: item.connectionId });
    case "prior_authorization":
      return formatRoute({ screen: "prior-authorization", id: item.resourceId, source: item.connectionId });
    default:
      return recordHref(item.connectionId, item.resourceType, item.resourceId);
  }
}
