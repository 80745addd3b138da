// Words for the status screen. Branches on error codes, never on message text.
import type { DataDirOrigin } from "../../ipc";
import { countOf } from "../../lib/format";

export { describeError } from "../../lib/errors";

export function describeOrigin(origin: DataDirOrigin): string {
  switch (origin) {
    case "flag":
      return "chosen with --data-dir";
    case "environment":
      return "chosen with FOLIO_DATA_DIR";
    case "platform":
      return "your system's app data folder";
  }
}

/**
 * What "Remove all my data" did with Folio's own registrations at plans (RFC 7592): deleted
 * there, or left for the member to remove at the plan's portal. Empty when Folio had none.
 */
export function registrationsRemovedWords(deleted: number, notDeleted: number): string {
  const parts: string[] = [];
  if (deleted > 0) {
    parts.push(`Folio's registration was deleted at ${countOf(deleted, "plan")} Folio had registered itself at.`);
  }
  if (notDeleted > 0) {
    parts.push(
      `${countOf(notDeleted, "plan")} Folio had registered itself at could not be reached or did not delete the registration: remove Folio at ${notDeleted === 1 ? "that plan's" : "those plans'"} developer portal.`,
    );
  }
  return parts.join(" ");
}
