// Claims and costs in a member's words: network, progress sentences and bars for the deductible
// and out-of-pocket maximum, and which balance figures to show. Pure: no IPC, no DOM.
import { formatMoney } from "../../lib/format";
import type { ClaimDetail, ClaimSummary } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

/** One deductible or out-of-pocket figure, as the host sends it (`BalanceView`). */
export interface Balance {
  kind: string;
  label: string;
  category: string | null;
  inNetwork: boolean | null;
  family: boolean | null;
  term: string | null;
  allowed: number | null;
  used: number | null;
}

/** "In network", "Out of network", or "Network not stated". */
export function networkLabel(inNetwork: boolean | null | undefined): string {
  if (inNetwork === true) return t("network.in");
  if (inNetwork === false) return t("network.out");
  return t("network.unknown");
}

/** How far along a balance is, 0–100; null when the plan did not give both figures. */
export function progressPercent(b: Pick<Balance, "allowed" | "used">): number | null {
  if (b.allowed === null || b.used === null || !(b.allowed > 0)) return null;
  return Math.max(0, Math.min(100, (b.used / b.allowed) * 100));
}

function what(b: Balance): string {
  if (b.kind === "deductible") return t("balance.deductible");
  if (b.kind === "out_of_pocket") return t("balance.oop");
  return b.label.toLowerCase();
}

/** A balance's name as a title: "Deductible", "Out-of-pocket maximum" (the host's label else). */
export function balanceName(b: Pick<Balance, "kind" | "label">): string {
  if (b.kind === "deductible") return t("balance.deductibleTitle");
  if (b.kind === "out_of_pocket") return t("balance.oopTitle");
  return b.label;
}

/**
 * "You have met $1,240.00 of your $2,000.00 deductible" (or "Your family has met … of its …"),
 * saying plainly which figure the plan left out.
 */
export function progressSentence(b: Balance, currency: string, locale?: string): string {
  const money = (v: number | null): string => formatMoney(v, currency, locale);
  const name = what(b);
  const family = b.family === true ? "yes" : "no";
  const verb = b.kind === "deductible" ? "met" : "paid";
  if (b.used !== null && b.allowed !== null) {
    const done = b.used >= b.allowed ? "yes" : "no";
    return t("balance.both", { family, verb, used: money(b.used), allowed: money(b.allowed), name, done });
  }
  if (b.allowed !== null) return t("balance.allowedOnly", { family, name, allowed: money(b.allowed), verb });
  if (b.used !== null) return t("balance.usedOnly", { family, verb, used: money(b.used), name });
  return t("balance.none", { name });
}

/** Who and which network a figure is for: "Individual · In network · Annual". */
export function balanceScope(b: Balance): string {
  const parts: string[] = [];
  if (b.family !== null) parts.push(b.family ? t("balance.family") : t("balance.individual"));
  if (b.inNetwork !== null) parts.push(b.inNetwork ? t("network.in") : t("network.out"));
  if (b.term) parts.push(b.term);
  return parts.join(" · ");
}

/** The deductible and out-of-pocket figures first (individual before family, in network first). */
export function orderBalances(balances: readonly Balance[]): Balance[] {
  const rank = (b: Balance): number =>
    (b.kind === "deductible" ? 0 : b.kind === "out_of_pocket" ? 10 : 20) + (b.family === true ? 1 : 0) + (b.inNetwork === false ? 2 : 0);
  return [...balances].sort((a, b) => rank(a) - rank(b));
}

/** The status class used for its badge (the same words as the host's snake_case status). */
export function statusTone(status: string): "ok" | "danger" | "warn" | "plain" {
  if (status === "paid") return "ok";
  if (status === "denied") return "danger";
  if (status === "partly_denied" || status === "adjusted") return "warn";
  return "plain";
}

/** "30 days" / "1 day" / "not stated". */
export function daysText(days: number | null | undefined): string {
  if (days === null || days === undefined) return t("format.notStated");
  return t("claims.days", { days });
}

/** The sentence under the year's costs when the plan sends no deductible progress. */
export function noBalanceSentence(planName: string): string {
  return t("claims.noBalance", { plan: planName });
}

const COLUMNS = [
  "submitted",
  "allowed",
  "deductible",
  "copay",
  "coinsurance",
  "not_covered",
  "discount",
  "prior_payer_paid",
  "plan_paid",
  "paid_to_provider",
  "paid_to_member",
  "paid_by_member",
  "member_liability",
] as const;

/** A claim's kind in the chosen language, from the host's typed kind. */
export function claimKindLabel(kind: ClaimSummary["kind"]): string {
  const id: MessageId = `claim.kind.${kind}`;
  return t(id);
}

/** A claim's status in the chosen language, from the host's typed status. */
export function claimStatusLabel(status: ClaimSummary["status"]): string {
  const id: MessageId = `claim.status.${status}`;
  return t(id);
}

/** An amount column's name by its stable key; a category Folio has no words for keeps the
 * host's label. */
export function columnLabel(column: ClaimDetail["columns"][number]): string {
  if (!(COLUMNS as readonly string[]).includes(column.key)) return column.label;
  return t(`claim.col.${column.key}` as MessageId);
}
