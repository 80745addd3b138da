// Grouping timeline items by day, for display. No DOM.
import type { RecordDetail, TimelineItem } from "../../ipc";

export interface DayGroup {
  day: string;
  items: TimelineItem[];
}

/** Consecutive items of the same day (the list is newest first). */
export function groupByDay(items: readonly TimelineItem[]): DayGroup[] {
  const groups: DayGroup[] = [];
  for (const item of items) {
    const day = item.date.slice(0, 10);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}

export const KINDS: { type: string; label: string }[] = [
  { type: "Encounter", label: "Visits" },
  { type: "ExplanationOfBenefit", label: "Claims" },
  { type: "Observation", label: "Labs and vitals" },
  { type: "DiagnosticReport", label: "Reports" },
  { type: "MedicationRequest", label: "Prescriptions" },
  { type: "Immunization", label: "Immunizations" },
  { type: "Procedure", label: "Procedures" },
  { type: "Condition", label: "Conditions" },
  { type: "DocumentReference", label: "Documents" },
  { type: "AllergyIntolerance", label: "Allergies" },
];

/** "Lab or vital sign · Plan A · also from Plan B". */
export function metaLine(item: TimelineItem): string {
  const parts = [item.kind, item.planName];
  if (item.otherSources.length > 0) parts.push(`also from ${item.otherSources.join(", ")}`);
  return parts.join(" · ");
}

/** "Plan A (also sent by Plan B)". */
export function sourceLine(detail: RecordDetail): string {
  return detail.otherSources.length > 0 ? `${detail.planName} (also sent by ${detail.otherSources.join(", ")})` : detail.planName;
}
