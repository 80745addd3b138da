// Light or dark: the system's choice unless the member picks one in Settings. The choice is a
// display preference kept in this window's localStorage (no record, nothing about the member);
// app.css reads it as data-theme on <html>.
export type ThemeChoice = "system" | "light" | "dark";
export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];
const KEY = "folio.theme";

function isChoice(v: unknown): v is ThemeChoice {
  return v === "system" || v === "light" || v === "dark";
}

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return isChoice(v) ? v : "system";
  } catch {
    return "system";
  }
}

class Theme {
  choice = $state<ThemeChoice>("system");

  /** Reads the stored choice and applies it (before the first paint: main.ts). */
  load(): void {
    this.apply(stored());
  }

  /** Applies and remembers `choice`. */
  choose(choice: ThemeChoice): void {
    try {
      localStorage.setItem(KEY, choice);
    } catch {
      // Storage refused: the choice holds until the window closes.
    }
    this.apply(choice);
  }

  private apply(choice: ThemeChoice): void {
    this.choice = choice;
    if (choice === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = choice;
  }
}

export const theme = new Theme();
