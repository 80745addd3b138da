// What a SMART scope means, in words a member reads (messages "scope.*").
import { t, type MessageId } from "./i18n.svelte";

const TYPES = [
  "ExplanationOfBenefit",
  "Coverage",
  "Patient",
  "Observation",
  "Condition",
  "MedicationRequest",
  "Immunization",
  "AllergyIntolerance",
  "Procedure",
  "Encounter",
  "DiagnosticReport",
  "DocumentReference",
  "Provenance",
  "Organization",
  "Practitioner",
] as const;
type ScopeType = (typeof TYPES)[number];

function isScopeType(type: string): type is ScopeType {
  return (TYPES as readonly string[]).includes(type);
}

export function describeScope(scope: string): string {
  switch (scope) {
    case "openid":
    case "fhirUser":
      return t("scope.identity");
    case "launch/patient":
      return t("scope.launchPatient");
    case "offline_access":
      return t("scope.offline");
  }
  const match = /^(patient|user)\/([A-Za-z*]+)\./.exec(scope);
  const type = match?.[2];
  if (type === undefined) return scope;
  if (type === "*") return t("scope.all");
  if (!isScopeType(type)) return type;
  const id: MessageId = `scope.${type}`;
  return t(id);
}

/** Distinct descriptions, in order. */
export function describeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map(describeScope))];
}
