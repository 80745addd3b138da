// The UI's one port to the host. Only this folder imports @tauri-apps/*; features call these
// functions and receive plain data or a FolioError with a stable code.
import { commands, type ApiError, type AppStatus, type ErrorCode } from "./bindings";

export type { AppStatus, StorageStatus, DataDirOrigin } from "./bindings";

/** Codes the UI can see: the host's, plus one for a broken bridge to the host. */
export type UiErrorCode = ErrorCode | "ipc_unavailable";

/** A failure from the host, carried as `{ code, message }`. */
export class FolioError extends Error {
  readonly code: UiErrorCode;
  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.name = "FolioError";
    this.code = code;
  }
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything thrown by the bridge into a FolioError (never leaks a stack to the member). */
export function toFolioError(error: unknown): FolioError {
  if (error instanceof FolioError) return error;
  if (isApiError(error)) return new FolioError(error.code, error.message);
  return new FolioError(
    "ipc_unavailable",
    "Folio's window could not reach the app. Restart Folio; if it happens again, please report it.",
  );
}

async function unwrap<T>(call: () => Promise<{ status: "ok"; data: T } | { status: "error"; error: ApiError }>): Promise<T> {
  let result;
  try {
    result = await call();
  } catch (error) {
    throw toFolioError(error);
  }
  if (result.status === "error") throw toFolioError(result.error);
  return result.data;
}

/** The app's version, data folder and database facts. */
export function appStatus(): Promise<AppStatus> {
  return unwrap(() => commands.appStatus());
}
