// "My health" in words: pure helpers for the screen (no IPC, no DOM).
import type { AllergyView, CareTeamMember, ConditionView, MedicineStatus, MedicineView, SourceRecord } from "../../ipc";
import { countOf, formatDay, formatNumber } from "../../lib/format";

/** The tabs of the screen, in order; medications first. */
export const TABS = ["medications", "conditions", "allergies", "immunizations", "visits", "care-team"] as const;
export type HealthTab = (typeof TABS)[number];

export const TAB_LABELS: Record<HealthTab, string> = {
  medications: "Medications",
  conditions: "Conditions",
  allergies: "Allergies",
  immunizations: "Immunizations",
  visits: "Visits",
  "care-team": "Care team",
};

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
  switch (status) {
    case "active":
      return "Taking";
    case "on_hold":
      return "On hold";
    case "stopped":
      return "Stopped";
    case "not_stated":
      return "Status not stated";
  }
}

/** "Last filled Mar 4, 2024 · 30-day supply · Corner Pharmacy", or that no fill is on record. */
export function lastFilledText(m: MedicineView, locale?: string): string {
  if (m.lastFilled === null) return "No pharmacy fill on record";
  const parts = [`Last filled ${formatDay(m.lastFilled, locale)}`];
  if (m.daysSupply !== null) parts.push(`${formatNumber(m.daysSupply, locale)}-day supply`);
  if (m.pharmacy) parts.push(m.pharmacy);
  if (m.fills > 1) parts.push(countOf(m.fills, "fill", "fills", locale));
  return parts.join(" · ");
}

/** When a stopped medicine was last on record: "Last on record Jun 2, 2021". */
export function stoppedText(m: MedicineView, locale?: string): string {
  return m.latest ? `Last on record ${formatDay(m.latest, locale)}` : "Date not stated";
}

// The display names of HL7's condition-clinical code system (terminology.hl7.org), in a
// member's words where the display is a bare noun.
const CONDITION_STATUS: Record<string, string> = {
  active: "Active",
  recurrence: "Came back",
  relapse: "Relapsed",
  inactive: "Inactive",
  remission: "In remission",
  resolved: "Resolved",
};

export function conditionStatusWords(c: ConditionView): string {
  if (c.status === null) return c.current ? "Active" : "Ended";
  return CONDITION_STATUS[c.status] ?? c.status;
}

/** "Since Mar 4, 2019" for a current condition; "Mar 4, 2019 – Apr 1, 2019" for one that ended. */
export function conditionWhen(c: ConditionView, locale?: string): string {
  const since = c.since ? formatDay(c.since, locale) : null;
  if (c.current) return since ? `Since ${since}` : "Since: not stated";
  const until = c.until ? formatDay(c.until, locale) : null;
  if (since && until) return `${since} – ${until}`;
  if (until) return `Ended ${until}`;
  return since ? `Began ${since}` : "Dates not stated";
}

// HL7's allergy-intolerance-criticality code system's displays.
const CRITICALITY: Record<string, string> = { low: "Low risk", high: "High risk", "unable-to-assess": "Risk not assessed" };

/** "High risk · severe reactions: Hives, Anaphylaxis". */
export function allergyText(a: AllergyView): string {
  const parts: string[] = [];
  if (a.criticality) parts.push(CRITICALITY[a.criticality] ?? a.criticality);
  if (a.reactions.length > 0) parts.push(`${a.severity ? `${a.severity} reaction` : "Reaction"}: ${a.reactions.join(", ")}`);
  else if (a.severity) parts.push(`${a.severity} reaction`);
  return parts.join(" · ") || "Reaction not stated";
}

/** "12 visits · 30 claims · last seen Mar 4, 2024". */
export function seenText(m: CareTeamMember, locale?: string): string {
  const parts: string[] = [];
  if (m.visits > 0) parts.push(countOf(m.visits, "visit", "visits", locale));
  if (m.claims > 0) parts.push(countOf(m.claims, "claim", "claims", locale));
  if (m.lastSeen) parts.push(`last seen ${formatDay(m.lastSeen, locale)}`);
  return parts.join(" · ");
}

const RECORD_WORDS: Record<string, string> = {
  MedicationRequest: "Prescription",
  MedicationStatement: "Medication statement",
  MedicationDispense: "Pharmacy dispense",
  ExplanationOfBenefit: "Claim",
  Condition: "Condition record",
  AllergyIntolerance: "Allergy record",
  Immunization: "Immunization record",
  Encounter: "Visit",
  Practitioner: "Clinician record",
  Organization: "Organization record",
  Location: "Location record",
};

/** A source record in words: "Prescription, Mar 4, 2024 (Demo plan)". */
export function sourceText(s: SourceRecord, locale?: string): string {
  const what = RECORD_WORDS[s.resourceType] ?? s.resourceType;
  return `${what}${s.date ? `, ${formatDay(s.date, locale)}` : ""} (${s.planName})`;
}
