import { connectNextStep } from "./connect-next-step";

describe("connectNextStep", () => {
  it("says what to do next, in one sentence, when discovery, TLS, the plan's answer or its scopes fail", () => {
    for (const code of ["plan_unreachable", "not_smart_server", "scopes_refused", "plan_response_invalid"] as const) {
      const text = connectNextStep(code);
      expect(text, code).not.toBeNull();
      // One sentence: a single full stop, at the end.
      expect(text?.match(/\./g)?.length, code).toBe(1);
      expect(text?.endsWith("."), code).toBe(true);
    }
    expect(connectNextStep("plan_unreachable")).toMatch(/security certificate/);
    expect(connectNextStep("not_smart_server")).toMatch(/Patient Access FHIR base address/);
  });

  it("adds nothing where the host's message already says what to do", () => {
    expect(connectNextStep("invalid_plan")).toBeNull();
    expect(connectNextStep("member_denied")).toBeNull();
  });
});
