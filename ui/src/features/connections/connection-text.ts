import type { ConnectionStatus } from "../../ipc";

export function statusLabel(status: ConnectionStatus): string {
  switch (status) {
    case "connected":
      return "Connected";
    case "reconnect_needed":
      return "Reconnect needed";
    case "disconnected":
      return "Disconnected";
    case "connecting":
      return "Connecting";
  }
}
