// Words for the status screen. Branches on error codes, never on message text.
import type { DataDirOrigin } from "../../ipc";
import { t } from "../../lib/i18n.svelte";

export { describeError } from "../../lib/errors";

export function describeOrigin(origin: DataDirOrigin): string {
  switch (origin) {
    case "flag":
      return t("status.originFlag");
    case "environment":
      return t("status.originEnvironment");
    case "platform":
      return t("status.originPlatform");
  }
}

/**
 * What "Remove all my data" did with Folio's own registrations at plans (RFC 7592): deleted
 * there, or left for the member to remove at the plan's portal. Empty when Folio had none.
 */
export function registrationsRemovedWords(deleted: number, notDeleted: number): string {
  const parts: string[] = [];
  if (deleted > 0) parts.push(t("status.registrationsDeleted", { count: deleted }));
  if (notDeleted > 0) parts.push(t("status.registrationsNotDeleted", { count: notDeleted }));
  return parts.join(" ");
}
