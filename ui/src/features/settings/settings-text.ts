// Words and values for the background-sync settings (pure: no IPC, no DOM).
import { t, type MessageId } from "../../lib/i18n.svelte";

/** The choices the Settings screen offers, by how many hours apart syncs run (`null`: off). */
export const BACKGROUND_CHOICES: { hours: number | null; label: MessageId }[] = [
  { hours: null, label: "settings.off" },
  { hours: 6, label: "settings.every6" },
  { hours: 24, label: "settings.daily" },
  { hours: 168, label: "settings.weekly" },
];

/** The choice to show for a stored interval; an interval set elsewhere (e.g. 12 hours) is
 * named in words rather than shown as a choice it is not. */
export function describeInterval(hours: number | null): string {
  const choice = BACKGROUND_CHOICES.find((c) => c.hours === hours);
  if (choice) return t(choice.label);
  return hours === null ? t("settings.off") : t("settings.everyHours", { hours });
}

/** The radio value for an interval (`"off"` or the hours as text). */
export function choiceValue(hours: number | null): string {
  return hours === null ? "off" : String(hours);
}

/** The interval a radio value stands for. */
export function hoursOf(value: string): number | null {
  if (value === "off") return null;
  const hours = Number.parseInt(value, 10);
  return Number.isFinite(hours) && hours > 0 ? hours : null;
}
