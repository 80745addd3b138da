// A record's facts as the detail shows them. Pure; no IPC, no DOM.
import type { RecordFact } from "../../ipc";
import { formatDay, formatMoment } from "../../lib/format";

/** A FHIR date or dateTime in the member's words: a day alone as a day, a time with its time. */
export function whenText(date: string, locale?: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(date) ? formatMoment(date, locale) : formatDay(date, locale);
}

/** A fact's value in words. */
export function factText(fact: Pick<RecordFact, "text" | "date">, locale?: string): string {
  if (fact.date) return whenText(fact.date, locale);
  return fact.text ?? "";
}

/** Facts with the same label side by side ("Performed by": two labs), in first-seen order. */
export function groupFacts<T extends Pick<RecordFact, "label">>(facts: T[]): { label: string; facts: T[] }[] {
  const groups: { label: string; facts: T[] }[] = [];
  for (const f of facts) {
    const g = groups.find((x) => x.label === f.label);
    if (g) g.facts.push(f);
    else groups.push({ label: f.label, facts: [f] });
  }
  return groups;
}
