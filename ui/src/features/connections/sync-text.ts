// Words for sync results. No DOM, tested without a browser.
import type { SyncProgress, SyncReport, TypeResult } from "../../ipc";
import { countOf } from "../../lib/format";

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

export function summary(report: SyncReport): string {
  const fetched = report.types.reduce((n, t) => n + t.fetched, 0);
  const failed = failures(report);
  const notShared = report.types.filter((t) => t.outcome === "not_shared").map((t) => typeWords(t.resourceType));
  const unfinished = unfinishedForAccess(report);
  if (!report.cancelled && unfinished.length > 0) {
    const names = unfinished.map((t) => typeWords(t.resourceType)).join(", ");
    return `Sync stopped: access to the plan ended and the plan does not renew it. ${countOf(fetched, "record")} downloaded and kept. Connect again to finish (${names} next).`;
  }
  let text = report.cancelled
    ? `Sync stopped. ${countOf(fetched, "record")} downloaded; the next sync continues from there.`
    : failed.length === 0
      ? `Sync finished: the plan sent ${countOf(fetched, "record")}.`
      : `Sync incomplete: the plan sent ${countOf(fetched, "record")}; ${failed.length} kind${failed.length === 1 ? "" : "s"} of record could not be downloaded. The next sync continues where this one stopped.`;
  if (notShared.length > 0) text += ` Not shared by you or the plan: ${notShared.join(", ")}.`;
  return text;
}
