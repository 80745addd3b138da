// What to do next when connecting a plan fails for a reason on the plan's side (issue 15 §3):
// one plain sentence per error code, shown under the host's message (which says what went
// wrong). Keyed on the code only, never on the message's text.
import type { UiErrorCode } from "../../ipc";
import { t } from "../../lib/i18n.svelte";

export function connectNextStep(code: UiErrorCode): string | null {
  switch (code) {
    case "plan_unreachable":
    case "not_smart_server":
    case "scopes_refused":
    case "plan_response_invalid":
      return t(`next.${code}`);
    default:
      return null;
  }
}
