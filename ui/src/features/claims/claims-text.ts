// Claims and costs in a member's words: network, progress sentences and bars for the deductible
// and out-of-pocket maximum, and which balance figures to show. Pure: no IPC, no DOM.
import { formatMoney } from "../../lib/format";

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
  if (inNetwork === true) return "In network";
  if (inNetwork === false) return "Out of network";
  return "Network not stated";
}

/** How far along a balance is, 0–100; null when the plan did not give both figures. */
export function progressPercent(b: Pick<Balance, "allowed" | "used">): number | null {
  if (b.allowed === null || b.used === null || !(b.allowed > 0)) return null;
  return Math.max(0, Math.min(100, (b.used / b.allowed) * 100));
}

function what(b: Balance): string {
  if (b.kind === "deductible") return "deductible";
  if (b.kind === "out_of_pocket") return "out-of-pocket maximum";
  return b.label.toLowerCase();
}

/**
 * "You have met $1,240.00 of your $2,000.00 deductible" (or "Your family has met … of its …"),
 * saying plainly which figure the plan left out.
 */
export function progressSentence(b: Balance, currency: string, locale?: string): string {
  const money = (v: number | null): string => formatMoney(v, currency, locale);
  const name = what(b);
  const who = b.family === true ? "Your family has" : "You have";
  const whose = b.family === true ? "its" : "your";
  const verb = b.kind === "deductible" ? "met" : "paid";
  if (b.used !== null && b.allowed !== null) {
    const done = b.used >= b.allowed ? ` — ${b.family === true ? "its" : "your"} ${name} is met` : "";
    return `${who} ${verb} ${money(b.used)} of ${whose} ${money(b.allowed)} ${name}${done}`;
  }
  if (b.allowed !== null) return `${b.family === true ? "Your family's" : "Your"} ${name} is ${money(b.allowed)}; the plan did not say how much is ${verb}`;
  if (b.used !== null) return `${who} ${verb} ${money(b.used)} toward ${whose} ${name}; the plan did not say the limit`;
  return `The plan did not state this ${name}`;
}

/** Who and which network a figure is for: "Individual · In network · Annual". */
export function balanceScope(b: Balance): string {
  const parts: string[] = [];
  if (b.family !== null) parts.push(b.family ? "Family" : "Individual");
  if (b.inNetwork !== null) parts.push(b.inNetwork ? "In network" : "Out of network");
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
  if (days === null || days === undefined) return "not stated";
  return `${days} ${days === 1 ? "day" : "days"}`;
}

/** The sentence under the year's costs when the plan sends no deductible progress. */
export function noBalanceSentence(planName: string): string {
  return `${planName} does not send deductible or out-of-pocket progress with its claims, so Folio cannot show how close you are to them.`;
}
