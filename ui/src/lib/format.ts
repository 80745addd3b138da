// Pure display helpers. No IPC, no DOM.

/**
 * The locale numbers, money and dates are written in when a caller names none. WebKitGTK hands
 * the page the POSIX locale ("c") when the environment sets none, and Intl then falls back to
 * its root locale ("$ 103681.00"); Folio's members are members of US plans, so a locale Intl
 * does not know, or the POSIX one, becomes US English.
 */
let memberLocale = "en-US";

/** The first of `candidates` (e.g. `navigator.languages`) that is a real locale; "en-US" else. */
export function chooseLocale(candidates: readonly string[]): string {
  for (const c of candidates) {
    const tag = c.trim().replace(/[.@].*$/, "").replace(/_/g, "-");
    if (!tag || /^(c|posix|und)$/i.test(tag)) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // Not a BCP 47 tag: the next candidate.
    }
  }
  return "en-US";
}

/** Sets the locale used where a caller names none; returns it. Called once at start. */
export function useMemberLocale(candidates: readonly string[]): string {
  memberLocale = chooseLocale(candidates);
  return memberLocale;
}

/** The locale used where a caller names none. */
export function currentLocale(): string {
  return memberLocale;
}

/** "12,345" in the member's locale. */
export function formatNumber(value: number, locale?: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale ?? memberLocale, options).format(value);
}

const UNITS = ["bytes", "KB", "MB", "GB", "TB"] as const;

/** A byte count in words a member reads at a glance: "0 bytes", "4.2 MB". */
export function formatBytes(bytes: number | null, locale?: string): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return "unknown size";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(locale ?? memberLocale, { maximumFractionDigits: digits }).format(value);
  return `${number} ${unit === 0 && bytes === 1 ? "byte" : UNITS[unit]}`;
}

/** "1 record", "12,345 records". */
export function countOf(count: number, singular: string, plural = `${singular}s`, locale?: string): string {
  return `${formatNumber(count, locale)} ${count === 1 ? singular : plural}`;
}

/** A moment in the member's own words and time zone: "Nov 29, 2026, 1:57 PM". */
export function formatMoment(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale ?? memberLocale, { dateStyle: "medium", timeStyle: "short" }).format(at);
}

/** A FHIR date or dateTime as the member's day: "Mar 4, 2024". Partial dates stay as written. */
export function formatDay(date: string, locale?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(date)) return date;
  const [y, m, d] = date.slice(0, 10).split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return date;
  return new Intl.DateTimeFormat(locale ?? memberLocale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An amount the plan reported, or "not stated" when it did not say (never a made-up zero). */
export function formatMoney(value: number | null | undefined, currency: string, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "not stated";
  return new Intl.NumberFormat(locale ?? memberLocale, { style: "currency", currency }).format(value);
}
