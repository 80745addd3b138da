// Words for sync results. No DOM, tested without a browser.
import type { SyncProgress, SyncReport, TypeResult } from "../../ipc";
import { countOf, formatNumber } from "../../lib/format";

const TYPE_WORDS: Record<string, string> = {
  Patient: "member profile",
  Coverage: "coverage",
  ExplanationOfBenefit: "claims",
  Encounter: "visits",
  Condition: "conditions",
  Observation: "labs and vitals",
  DiagnosticReport: "reports",
  MedicationRequest: "prescriptions",
  Immunization: "immunizations",
  AllergyIntolerance: "allergies",
  Procedure: "procedures",
  DocumentReference: "documents",
  CarePlan: "care plans",
  Goal: "goals",
  Device: "devices",
  MedicationDispense: "pharmacy fills",
};

export function typeWords(resourceType: string): string {
  return TYPE_WORDS[resourceType] ?? resourceType;
}

export function progressLine(p: SyncProgress): string {
  return `Downloading ${typeWords(p.resourceType)}: ${countOf(p.resources, "record")} so far`;
}

export function failures(report: SyncReport): TypeResult[] {
  return report.types.filter((t) => t.outcome === "failed");
}

/** Types not finished because access ended and the plan does not renew it. */
export function unfinishedForAccess(report: SyncReport): TypeResult[] {
  return failures(report).filter((t) => t.failure === "reconnect_to_finish");
}

/** Failures to list one by one (access ending is said once, in the summary). */
export function listedFailures(report: SyncReport): TypeResult[] {
  return failures(report).filter((t) => t.failure !== "reconnect_to_finish");
}

/**
 * What a finished (or stopped) sync comes to, in one number a member can check: the records
 * from this plan now on this computer (`held`, the connection's count). What the plan sent is
 * a bigger number and not the same thing (the same record arrives on more than one page, or
 * again beside each record that points at it; Folio keeps one copy), so it is only in
 * {@link received}'s details.
 */
export function summary(report: SyncReport, held: number): string {
  const onComputer = `${countOf(held, "record")} from this plan on this computer`;
  const failed = failures(report);
  const notShared = report.types.filter((t) => t.outcome === "not_shared").map((t) => typeWords(t.resourceType));
  const unfinished = unfinishedForAccess(report);
  if (!report.cancelled && unfinished.length > 0) {
    const names = unfinished.map((t) => typeWords(t.resourceType)).join(", ");
    return `Sync stopped: access to the plan ended and the plan does not renew it. What was downloaded is kept: ${onComputer}. Connect again to finish (${names} next).`;
  }
  let text = report.cancelled
    ? `Sync stopped: ${onComputer}; the next sync continues from there.`
    : failed.length === 0
      ? `Sync finished: ${onComputer}.`
      : `Sync incomplete: ${onComputer}; ${failed.length} kind${failed.length === 1 ? "" : "s"} of record could not be downloaded. The next sync continues where this one stopped.`;
  if (notShared.length > 0) text += ` Not shared by you or the plan: ${notShared.join(", ")}.`;
  return text;
}

/** Why the counts of what the plan sent add up to more than the records on this computer. */
export const RECEIVED_NOTE =
  "Counted as the plan sent them: the same record can arrive more than once (on more than one page, or again beside each record that points at it, such as a clinic named on many claims), and Folio keeps one copy of each.";

/** What the plan sent in this sync, kind by kind ("claims: 2,024 received"), for the details. */
export function received(report: SyncReport): string[] {
  return report.types
    .filter((t) => t.fetched > 0 || t.markedMissing > 0)
    .map((t) => {
      const gone = t.markedMissing > 0 ? `; ${countOf(t.markedMissing, "record")} no longer sent, kept` : "";
      return `${typeWords(t.resourceType)}: ${formatNumber(t.fetched)} received${gone}`;
    });
}
