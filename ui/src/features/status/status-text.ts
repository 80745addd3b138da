// Words for the status screen. Branches on error codes, never on message text.
import type { DataDirOrigin } from "../../ipc";

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
