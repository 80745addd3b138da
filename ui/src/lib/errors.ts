// Headlines for every error code the host can send, in the chosen language (messages
// "error.<code>" in src/locales). Chosen by code, never by message text.
import type { UiErrorCode } from "../ipc";
import { t, type MessageId } from "./i18n.svelte";

export function describeError(code: UiErrorCode): string {
  const id: MessageId = `error.${code}`;
  return t(id);
}
