// What a SMART scope means, in words a member reads.

const TYPES: Record<string, string> = {
  "*": "all your records",
  ExplanationOfBenefit: "claims and payments",
  Coverage: "coverage",
  Patient: "member profile",
  Observation: "lab results and vital signs",
  Condition: "conditions",
  MedicationRequest: "prescriptions",
  Immunization: "immunizations",
  AllergyIntolerance: "allergies",
  Procedure: "procedures",
  Encounter: "visits",
  DiagnosticReport: "reports",
  DocumentReference: "documents",
  Provenance: "record sources",
  Organization: "providers' organizations",
  Practitioner: "providers",
};

export function describeScope(scope: string): string {
  switch (scope) {
    case "openid":
    case "fhirUser":
      return "your identity";
    case "launch/patient":
      return "which member you are";
    case "offline_access":
      return "staying connected without signing in again";
  }
  const match = /^(patient|user)\/([A-Za-z*]+)\./.exec(scope);
  const type = match?.[2];
  if (type === undefined) return scope;
  return TYPES[type] ?? type;
}

/** Distinct descriptions, in order. */
export function describeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map(describeScope))];
}
