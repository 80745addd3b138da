// Words for the status screen. Branches on error codes, never on message text.
import type { DataDirOrigin, UiErrorCode } from "../../ipc";

export function describeError(code: UiErrorCode): string {
  switch (code) {
    case "data_dir_unavailable":
      return "Folio cannot use its data folder";
    case "storage_unavailable":
      return "Folio cannot open its database";
    case "storage_migration_failed":
      return "Folio cannot update its database to this version";
    case "storage_query_failed":
      return "Folio could not read its database";
    case "invalid_input":
      return "Folio refused some data";
    case "ipc_unavailable":
      return "Folio's window lost touch with the app";
  }
}

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
