import { describeScope, describeScopes } from "./scopes";

describe("describeScope", () => {
  it("speaks plainly about v1 and v2 scopes", () => {
    expect(describeScope("patient/*.rs")).toBe("all your records");
    expect(describeScope("patient/*.read")).toBe("all your records");
    expect(describeScope("patient/ExplanationOfBenefit.read")).toBe("claims and payments");
    expect(describeScope("offline_access")).toBe("staying connected without signing in again");
    expect(describeScope("patient/Goal.rs")).toBe("Goal");
    expect(describeScope("something-else")).toBe("something-else");
  });
  it("merges duplicates", () => {
    expect(describeScopes(["openid", "fhirUser", "patient/*.rs"])).toEqual(["your identity", "all your records"]);
  });
});
