// "My health" in words: pure helpers for the screen (no IPC, no DOM).
import type { AllergyView, CareTeamMember, ConditionView, MedicineStatus, MedicineView, SourceRecord } from "../../ipc";
import { formatDay } from "../../lib/format";
import { t, type MessageId } from "../../lib/i18n.svelte";

/** The tabs of the screen, in order; medications first. */
export const TABS = ["medications", "conditions", "allergies", "immunizations", "visits", "care-team"] as const;
export type HealthTab = (typeof TABS)[number];

/** A tab's name in the chosen language. */
export function tabLabel(tab: HealthTab): string {
  const id: MessageId = `health.tab.${tab}`;
  return t(id);
}

export function isHealthTab(name: string): name is HealthTab {
  return (TABS as readonly string[]).includes(name);
}

/** Medicines the member takes (active, on hold), those with fills only, and stopped ones. */
export function medicineGroups(meds: MedicineView[]): { taking: MedicineView[]; unknown: MedicineView[]; stopped: MedicineView[] } {
  return {
    taking: meds.filter((m) => m.status === "active" || m.status === "on_hold"),
    unknown: meds.filter((m) => m.status === "not_stated"),
    stopped: meds.filter((m) => m.status === "stopped"),
  };
}

export function medicineStatusWords(status: MedicineStatus): string {
  const id: MessageId = `health.med.${status}`;
  return t(id);
}

/** "Last filled Mar 4, 2024 · 30-day supply · Corner Pharmacy", or that no fill is on record. */
export function lastFilledText(m: MedicineView, locale?: string): string {
  if (m.lastFilled === null) return t("health.noFill");
  const parts = [t("health.lastFilled", { day: formatDay(m.lastFilled, locale) })];
  if (m.daysSupply !== null) parts.push(t("health.supply", { days: m.daysSupply }));
  if (m.pharmacy) parts.push(m.pharmacy);
  if (m.fills > 1) parts.push(t("health.fills", { count: m.fills }));
  return parts.join(" · ");
}

/** When a stopped medicine was last on record: "Last on record Jun 2, 2021". */
export function stoppedText(m: MedicineView, locale?: string): string {
  return m.latest ? t("health.lastOnRecord", { day: formatDay(m.latest, locale) }) : t("health.dateNotStated");
}

// The display names of HL7's condition-clinical code system (terminology.hl7.org), in a
// member's words where the display is a bare noun.
const CONDITION_STATUS = ["active", "recurrence", "relapse", "inactive", "remission", "resolved"] as const;

export function conditionStatusWords(c: ConditionView): string {
  if (c.status === null) return c.current ? t("health.cond.active") : t("health.cond.ended");
  if (!(CONDITION_STATUS as readonly string[]).includes(c.status)) return c.status;
  return t(`health.cond.${c.status}` as MessageId);
}

/** "Since Mar 4, 2019" for a current condition; "Mar 4, 2019 – Apr 1, 2019" for one that ended. */
export function conditionWhen(c: ConditionView, locale?: string): string {
  const since = c.since ? formatDay(c.since, locale) : null;
  if (c.current) return since ? t("health.since", { day: since }) : t("health.sinceNotStated");
  const until = c.until ? formatDay(c.until, locale) : null;
  if (since && until) return t("health.range", { start: since, end: until });
  if (until) return t("health.ended", { day: until });
  return since ? t("health.began", { day: since }) : t("health.datesNotStated");
}

// HL7's allergy-intolerance-criticality code system's displays.
const CRITICALITY = ["low", "high", "unable-to-assess"] as const;

/** "High risk · severe reactions: Hives, Anaphylaxis". The severity is the plan's word. */
export function allergyText(a: AllergyView): string {
  const parts: string[] = [];
  if (a.criticality)
    parts.push((CRITICALITY as readonly string[]).includes(a.criticality) ? t(`health.crit.${a.criticality}` as MessageId) : a.criticality);
  const reactions = a.reactions.join(", ");
  if (a.reactions.length > 0)
    parts.push(a.severity ? t("health.reactionsSeverity", { severity: a.severity, reactions }) : t("health.reactions", { reactions }));
  else if (a.severity) parts.push(t("health.reactionSeverity", { severity: a.severity }));
  return parts.join(" · ") || t("health.reactionNotStated");
}

/** "12 visits · 30 claims · last seen Mar 4, 2024". */
export function seenText(m: CareTeamMember, locale?: string): string {
  const parts: string[] = [];
  if (m.visits > 0) parts.push(t("health.visits", { count: m.visits }));
  if (m.claims > 0) parts.push(t("health.claims", { count: m.claims }));
  if (m.lastSeen) parts.push(t("health.lastSeen", { day: formatDay(m.lastSeen, locale) }));
  return parts.join(" · ");
}

const RECORD_WORDS = [
  "MedicationRequest",
  "MedicationStatement",
  "MedicationDispense",
  "ExplanationOfBenefit",
  "Condition",
  "AllergyIntolerance",
  "Immunization",
  "Encounter",
  "Practitioner",
  "Organization",
  "Location",
] as const;

/** A source record in words: "Prescription, Mar 4, 2024 (Demo plan)". */
export function sourceText(s: SourceRecord, locale?: string): string {
  const what = (RECORD_WORDS as readonly string[]).includes(s.resourceType) ? t(`health.src.${s.resourceType}` as MessageId) : s.resourceType;
  return s.date
    ? t("health.sourceDated", { what, day: formatDay(s.date, locale), plan: s.planName })
    : t("health.source", { what, plan: s.planName });
}
