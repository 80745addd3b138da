// Pure display helpers. No IPC, no DOM.

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
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return `${number} ${unit === 0 && bytes === 1 ? "byte" : UNITS[unit]}`;
}

/** "1 record", "12,345 records". */
export function countOf(count: number, singular: string, plural = `${singular}s`, locale?: string): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${count === 1 ? singular : plural}`;
}

/** A moment in the member's own words and time zone: "Nov 29, 2026, 1:57 PM". */
export function formatMoment(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(at);
}

/** A FHIR date or dateTime as the member's day: "Mar 4, 2024". Partial dates stay as written. */
export function formatDay(date: string, locale?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(date)) return date;
  const [y, m, d] = date.slice(0, 10).split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return date;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An amount the plan reported, or "not stated" when it did not say (never a made-up zero). */
export function formatMoney(value: number | null | undefined, currency: string, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "not stated";
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
}
