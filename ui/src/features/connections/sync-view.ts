import type { FolioError, SyncProgress, SyncReport } from "../../ipc";

/** What the connections screen knows about one connection's sync. */
export interface SyncView {
  running: boolean;
  progress: SyncProgress | null;
  report: SyncReport | null;
  error: FolioError | null;
}
