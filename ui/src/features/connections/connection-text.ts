import type { ConnectionAccess, ConnectionStatus } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

export function statusLabel(status: ConnectionStatus): string {
  const id: MessageId = `conn.status.${status}`;
  return t(id);
}

/** Whether the member's next step is to sign in at the plan again. */
export function needsSignIn(status: ConnectionStatus): boolean {
  return (
    status === "reconnect_needed" ||
    status === "reconnect_to_finish" ||
    status === "reconnect_after_restore" ||
    status === "disconnected"
  );
}

/** A length of time in the largest whole unit that fits: "10 minutes", "1 hour", "90 seconds". */
export function lifetimeWords(seconds: number): string {
  const units: [number, MessageId][] = [
    [86_400, "conn.lifetime.day"],
    [3_600, "conn.lifetime.hour"],
    [60, "conn.lifetime.minute"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) return t(unit, { count: seconds / size });
  }
  return t("conn.lifetime.second", { count: seconds });
}

/** How long the plan's access lasts and whether Folio renews it, in one sentence; null when unknown. */
export function accessLine(access: ConnectionAccess | null | undefined): string | null {
  if (!access) return null;
  const lasts = access.lastsSeconds;
  if (access.renewable) {
    return lasts == null || lasts === 0
      ? t("conn.access.renews")
      : t("conn.access.lastsRenews", { time: lifetimeWords(lasts) });
  }
  return lasts == null || lasts === 0
    ? t("conn.access.noRenew")
    : t("conn.access.lastsNoRenew", { time: lifetimeWords(lasts) });
}
