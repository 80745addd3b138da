// Sample host answers for UI tests (Vitest and the browser tests). Synthetic values only.
import type { AppStatus } from "./bindings";

export const sampleStatus: AppStatus = {
  version: "0.1.0",
  dataDir: "/home/member/.local/share/health.folio.desktop",
  dataDirSource: "platform",
  storage: {
    path: "/home/member/.local/share/health.folio.desktop/folio.db",
    schemaVersion: 1,
    migrationsApplied: 1,
    migrationsKnown: 1,
    sizeBytes: 4_200_000,
    journalMode: "wal",
    plans: 2,
    connections: 3,
    resources: 12345,
    syncRuns: 7,
    keyHome: "keychain",
  },
};
