// The window's language and locale, and its words (ADR 0010). Every sentence the member reads
// is an ICU message in src/locales/<language>.json, formatted by FormatJS (@formatjs/intl) with
// real plural and number rules; this module only holds which language is chosen.
//
// Language: the member's choice in Settings (kept in this window's localStorage), else the
// system's (navigator.languages; in WebKitGTK it follows LANG). Locale, for numbers, money and
// days: the system's when it speaks the chosen language (es-MX stays es-MX), else the chosen
// language as written in the US ("es-US", "en-US"): Folio's members are members of US plans.
import { createIntl, createIntlCache, type IntlShape } from "@formatjs/intl";
import en from "../locales/en.json";
import es from "../locales/es.json";

export type MessageId = keyof typeof en;
export type Language = "en" | "es";
export const LANGUAGES: readonly Language[] = ["en", "es"];

/** The message files, by language. A missing key in one of them fails the typecheck here and
 * the parity test (locales.test.ts). */
export const MESSAGES: Record<Language, Record<MessageId, string>> = { en, es };

/** Where the member's own choice of language is kept (absent: follow the system). */
export const LANGUAGE_KEY = "folio.language";

/** A value a message can take: numbers are formatted in the chosen locale by the message. */
export type MessageValues = Record<string, string | number | Date | boolean | null | undefined>;

/** The first of `candidates` (e.g. `navigator.languages`) that is a real locale; "en-US" else.
 * WebKitGTK hands the page the POSIX locale ("c") when the environment sets none. */
export function chooseLocale(candidates: readonly string[]): string {
  for (const c of candidates) {
    const tag = c.trim().replace(/[.@].*$/, "").replace(/_/g, "-");
    if (!tag || /^(c|posix|und)$/i.test(tag)) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // Not a BCP 47 tag: the next candidate.
    }
  }
  return "en-US";
}

function languageOf(locale: string): Language {
  return locale.toLowerCase().startsWith("es") ? "es" : "en";
}

function isLanguage(value: unknown): value is Language {
  return value === "en" || value === "es";
}

/** The language and locale for a system locale and the member's choice (`null`: none). */
export function resolveLanguage(systemLocale: string, chosen: Language | null): { language: Language; locale: string } {
  const language = chosen ?? languageOf(systemLocale);
  if (chosen === null || languageOf(systemLocale) === chosen) return { language, locale: systemLocale };
  return { language, locale: `${chosen}-US` };
}

const cache = createIntlCache();

class Words {
  /** The system's locale, as the web view reports it. */
  system = $state("en-US");
  /** The member's choice in Settings; `null` follows the system. */
  chosen = $state<Language | null>(null);
  readonly resolved = $derived(resolveLanguage(this.system, this.chosen));
  readonly language = $derived(this.resolved.language);
  readonly locale = $derived(this.resolved.locale);
  readonly intl: IntlShape<string> = $derived(
    createIntl(
      {
        locale: this.locale,
        defaultLocale: "en-US",
        messages: MESSAGES[this.language],
        // A missing message is a test failure (locales.test.ts), not a console line per render.
        onError: () => undefined,
      },
      cache,
    ),
  );
}

const words = new Words();

/** A message in the chosen language, its numbers and plurals by the chosen locale's rules. */
export function t(id: MessageId, values?: MessageValues): string {
  return words.intl.formatMessage({ id }, values as Record<string, string | number | Date | boolean | null | undefined>);
}

/** The chosen language ("en", "es"). */
export function currentLanguage(): Language {
  return words.language;
}

/** The locale numbers, money and days are written in. */
export function currentLocale(): string {
  return words.locale;
}

/** The system's language, as Folio speaks it. */
export function systemLanguage(): Language {
  return languageOf(words.system);
}

/** The member's own choice of language, or `null` when Folio follows the system. */
export function chosenLanguage(): Language | null {
  return words.chosen;
}

function stored(): Language | null {
  try {
    const v = localStorage.getItem(LANGUAGE_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

/** Reads the system's locale (e.g. `navigator.languages`) and the member's stored choice. Returns
 * the locale numbers, money and days are written in. */
export function useSystemLocale(candidates: readonly string[]): string {
  words.system = chooseLocale(candidates);
  words.chosen = stored();
  return words.locale;
}

/** Chooses the window's language (`null`: follow the system) and keeps the choice. */
export function chooseLanguage(language: Language | null): void {
  words.chosen = language;
  try {
    if (language === null) localStorage.removeItem(LANGUAGE_KEY);
    else localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Storage refused: the choice lasts until the window closes.
  }
}

/** Keeps `<html lang>` on the chosen language (screen readers pick their voice by it). */
export function followLanguage(root: HTMLElement): () => void {
  return $effect.root(() => {
    $effect(() => {
      root.lang = words.language;
    });
  });
}
