import type { ConnectionAccess, ConnectionStatus } from "../../ipc";
import { countOf } from "../../lib/format";

export function statusLabel(status: ConnectionStatus): string {
  switch (status) {
    case "connected":
      return "Connected";
    case "reconnect_needed":
      return "Reconnect needed";
    case "reconnect_to_finish":
      return "Reconnect to finish";
    case "disconnected":
      return "Disconnected";
    case "connecting":
      return "Connecting";
  }
}

/** Whether the member's next step is to sign in at the plan again. */
export function needsSignIn(status: ConnectionStatus): boolean {
  return status === "reconnect_needed" || status === "reconnect_to_finish" || status === "disconnected";
}

/** A length of time in the largest whole unit that fits: "10 minutes", "1 hour", "90 seconds". */
export function lifetimeWords(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) return countOf(seconds / size, unit);
  }
  return countOf(seconds, "second");
}

/** How long the plan's access lasts and whether Folio renews it, in one sentence; null when unknown. */
export function accessLine(access: ConnectionAccess | null | undefined): string | null {
  if (!access) return null;
  const lasts = access.lastsSeconds;
  if (access.renewable) {
    return lasts == null || lasts === 0
      ? "Folio renews this plan's access without asking you."
      : `Access lasts ${lifetimeWords(lasts)}; Folio renews it without asking you.`;
  }
  return lasts == null || lasts === 0
    ? "This plan does not renew access: when it ends, each sync may ask you to sign in again."
    : `Access lasts ${lifetimeWords(lasts)} and this plan does not renew it: each sync may ask you to sign in again.`;
}
