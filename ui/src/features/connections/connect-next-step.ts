// What to do next when connecting a plan fails for a reason on the plan's side (issue 15 §3):
// one plain sentence per error code, shown under the host's message (which says what went
// wrong). Keyed on the code only, never on the message's text.
import type { UiErrorCode } from "../../ipc";

export function connectNextStep(code: UiErrorCode): string | null {
  switch (code) {
    case "plan_unreachable":
      return "Check this computer's internet connection and try again; if it keeps failing, the plan's server is down or its security certificate cannot be verified (Folio never connects without one), so check the FHIR address on the plan's developer pages or try again later.";
    case "not_smart_server":
      return "Use the plan's Patient Access FHIR base address, as its developer pages give it for apps (not its website), and add the plan again with it.";
    case "scopes_refused":
      return "Connect again and allow access to your records on the plan's consent page; a plan that offers apps no access to a member's own records cannot be connected.";
    case "plan_response_invalid":
      return "Try again later; if it keeps happening, tell the plan's developer support that its sign-in service answers outside the SMART on FHIR standard.";
    default:
      return null;
  }
}
