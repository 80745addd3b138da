// Grouping timeline items by day, for display. No DOM.
import type { RecordDetail, TimelineItem } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

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

/** The kinds of record a member can pick, with their names' messages. */
export const KINDS: { type: string; label: MessageId }[] = [
  { type: "Encounter", label: "kind.Encounter" },
  { type: "ExplanationOfBenefit", label: "kind.ExplanationOfBenefit" },
  { type: "Observation", label: "kind.Observation" },
  { type: "DiagnosticReport", label: "kind.DiagnosticReport" },
  { type: "MedicationRequest", label: "kind.MedicationRequest" },
  { type: "Immunization", label: "kind.Immunization" },
  { type: "Procedure", label: "kind.Procedure" },
  { type: "Condition", label: "kind.Condition" },
  { type: "DocumentReference", label: "kind.DocumentReference" },
  { type: "AllergyIntolerance", label: "kind.AllergyIntolerance" },
];

/** "Lab or vital sign · Plan A · also from Plan B". */
export function metaLine(item: TimelineItem): string {
  const kind = kindWords(item);
  if (item.otherSources.length > 0) return t("records.metaAlso", { kind, plan: item.planName, others: item.otherSources.join(", ") });
  return t("records.meta", { kind, plan: item.planName });
}

/** "Plan A (also sent by Plan B)". */
export function sourceLine(detail: RecordDetail): string {
  return detail.otherSources.length > 0 ? t("records.sourceAlso", { plan: detail.planName, others: detail.otherSources.join(", ") }) : detail.planName;
}

const KIND_ONE = [
  "Encounter",
  "ExplanationOfBenefit",
  "Observation",
  "DiagnosticReport",
  "MedicationRequest",
  "Immunization",
  "Procedure",
  "Condition",
  "DocumentReference",
  "AllergyIntolerance",
  "CarePlan",
] as const;

/** What kind of record an item is, in the chosen language ("Claim", "Prior authorization"),
 * from its FHIR type (the host's English `kind` for a type Folio has no words for). */
export function kindWords(item: Pick<TimelineItem, "resourceType" | "kind"> & { opensOn?: string | null | undefined }): string {
  if (item.opensOn === "prior_authorization") return t("kindOne.PriorAuthorization");
  if (!(KIND_ONE as readonly string[]).includes(item.resourceType)) return item.kind;
  return t(`kindOne.${item.resourceType}` as MessageId);
}

const COUNTED = [
  "Encounter",
  "ExplanationOfBenefit",
  "Observation",
  "DiagnosticReport",
  "MedicationRequest",
  "MedicationDispense",
  "Immunization",
  "Procedure",
  "Condition",
  "DocumentReference",
  "AllergyIntolerance",
  "CarePlan",
  "Coverage",
  "Patient",
  "Organization",
  "Practitioner",
  "Provenance",
] as const;

/** The word for `count` records of a type ("claims", "reclamación"); the host's for others. */
export function countWord(resourceType: string, count: number, hostWords: string): string {
  if (!(COUNTED as readonly string[]).includes(resourceType)) return hostWords.toLowerCase();
  return t(`countWord.${resourceType}` as MessageId, { count });
}

/** An item's title: its own name, or (when the host named it by its kind) its kind in words. */
export function titleWords(item: Pick<TimelineItem, "title" | "resourceType" | "kind"> & { opensOn?: string | null | undefined }): string {
  return item.title === item.kind ? kindWords(item) : item.title;
}
