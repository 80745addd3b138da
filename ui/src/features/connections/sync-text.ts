// Words for sync results. No DOM, tested without a browser.
import type { SyncProgress, SyncReport, TypeResult } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

const TYPES = [
  "Patient",
  "Coverage",
  "ExplanationOfBenefit",
  "Encounter",
  "Condition",
  "Observation",
  "DiagnosticReport",
  "MedicationRequest",
  "Immunization",
  "AllergyIntolerance",
  "Procedure",
  "DocumentReference",
  "CarePlan",
  "Goal",
  "Device",
  "MedicationDispense",
] as const;

/** A FHIR resource type as a member names it ("claims"); an unknown type as written. */
export function typeWords(resourceType: string): string {
  if (!(TYPES as readonly string[]).includes(resourceType)) return resourceType;
  const id = `type.${resourceType}` as MessageId;
  return t(id);
}

export function progressLine(p: SyncProgress): string {
  return t("sync.progress", { what: typeWords(p.resourceType), count: p.resources });
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
  const onComputer = t("sync.onComputer", { count: held });
  const failed = failures(report);
  const notShared = report.types.filter((t) => t.outcome === "not_shared").map((t) => typeWords(t.resourceType));
  const unfinished = unfinishedForAccess(report);
  if (!report.cancelled && unfinished.length > 0) {
    const names = unfinished.map((t) => typeWords(t.resourceType)).join(", ");
    return t("sync.accessEnded", { onComputer, names });
  }
  let text = report.cancelled
    ? t("sync.stopped", { onComputer })
    : failed.length === 0
      ? t("sync.finished", { onComputer })
      : t("sync.incomplete", { onComputer, failed: failed.length });
  if (notShared.length > 0) text += ` ${t("sync.notShared", { names: notShared.join(", ") })}`;
  return text;
}

/** Why the counts of what the plan sent add up to more than the records on this computer. */
export function receivedNote(): string {
  return t("sync.receivedNote");
}

/** What the plan sent in this sync, kind by kind ("claims: 2,024 received"), for the details. */
export function received(report: SyncReport): string[] {
  return report.types
    .filter((r) => r.fetched > 0 || r.markedMissing > 0)
    .map((r) =>
      r.markedMissing > 0
        ? t("sync.receivedGone", { what: typeWords(r.resourceType), count: r.fetched, gone: r.markedMissing })
        : t("sync.received", { what: typeWords(r.resourceType), count: r.fetched }),
    );
}
