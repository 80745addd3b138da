// Pure display helpers. No IPC, no DOM. Numbers, money and days in the chosen locale
// (lib/i18n.svelte.ts); their words from the message files.
import { currentLocale, t, useSystemLocale } from "./i18n.svelte";

export { chooseLocale, currentLocale } from "./i18n.svelte";

/** Reads the system's locale (and the member's stored choice of language); returns the locale
 * used where a caller names none. Called once at start. */
export function useMemberLocale(candidates: readonly string[]): string {
  return useSystemLocale(candidates);
}

/** "12,345" in the member's locale. */
export function formatNumber(value: number, locale?: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale ?? currentLocale(), options).format(value);
}

const UNITS = ["KB", "MB", "GB", "TB"] as const;

/** A byte count in words a member reads at a glance: "0 bytes", "4.2 MB". */
export function formatBytes(bytes: number | null, locale?: string): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return t("format.unknownSize");
  if (bytes < 1000) return t("format.bytes", { count: bytes });
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(locale ?? currentLocale(), { maximumFractionDigits: digits }).format(value);
  return t("format.size", { number, unit: UNITS[unit] ?? "TB" });
}

/** A moment in the member's own words and time zone: "Nov 29, 2026, 1:57 PM". */
export function formatMoment(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale ?? currentLocale(), { dateStyle: "medium", timeStyle: "short" }).format(at);
}

/** A FHIR date or dateTime as the member's day: "Mar 4, 2024". Partial dates stay as written. */
export function formatDay(date: string, locale?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(date)) return date;
  const [y, m, d] = date.slice(0, 10).split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return date;
  return new Intl.DateTimeFormat(locale ?? currentLocale(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An amount the plan reported, or "not stated" (in the chosen language) when it did not say (never a made-up zero). */
export function formatMoney(value: number | null | undefined, currency: string, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t("format.notStated");
  return new Intl.NumberFormat(locale ?? currentLocale(), { style: "currency", currency }).format(value);
}

/** "a, b, and c" / "a, b y c": a list joined by the chosen locale's rule. */
export function formatList(items: readonly string[], locale?: string): string {
  return new Intl.ListFormat(locale ?? currentLocale(), { type: "conjunction" }).format(items);
}
