import { chooseLanguage, currentLanguage, currentLocale, LANGUAGE_KEY, resolveLanguage, t, useSystemLocale } from "./i18n.svelte";
import { formatDay, formatMoney, formatNumber } from "./format";

afterEach(() => {
  chooseLanguage(null);
  useSystemLocale(["en-US"]);
});

describe("plural and number rules", () => {
  it("in English: 0 and 2 are plural, 1 is singular, thousands grouped with a comma", () => {
    useSystemLocale(["en-US"]);
    expect(t("status.recordsCount", { count: 0 })).toBe("0 records");
    expect(t("status.recordsCount", { count: 1 })).toBe("1 record");
    expect(t("status.recordsCount", { count: 2 })).toBe("2 records");
    expect(t("status.recordsCount", { count: 1234 })).toBe("1,234 records");
    expect(t("notice.priorAuths", { count: 1 })).toBe("1 prior-authorization decision");
  });

  it("in Spanish: 0 and 2 are plural, 1 is singular, adjectives agree", () => {
    useSystemLocale(["es-US"]);
    expect(t("status.recordsCount", { count: 0 })).toBe("0 registros");
    expect(t("status.recordsCount", { count: 1 })).toBe("1 registro");
    expect(t("status.recordsCount", { count: 2 })).toBe("2 registros");
    expect(t("notice.claims", { count: 1 })).toBe("1 reclamación nueva");
    expect(t("notice.claims", { count: 2 })).toBe("2 reclamaciones nuevas");
    expect(t("pa.pendingAnswer", { count: 0 })).toBe("0 autorizaciones previas pendientes");
    expect(t("pa.pendingAnswer", { count: 1 })).toBe("1 autorización previa pendiente");
  });

  it("in Spanish as written in Mexico or Spain: the same words, that country's digits", () => {
    useSystemLocale(["es-MX"]);
    expect(t("status.recordsCount", { count: 1234 })).toBe("1,234 registros");
    useSystemLocale(["es-ES"]);
    // Spain writes four-digit numbers without a separator, five and more with a point.
    expect(t("status.recordsCount", { count: 12345 })).toBe("12.345 registros");
  });
});

describe("the language and locale", () => {
  it("follow the system: Spanish for a Spanish system (es-US keeps US money), English for any other", () => {
    expect(resolveLanguage("es-US", null)).toEqual({ language: "es", locale: "es-US" });
    expect(resolveLanguage("es-MX", null)).toEqual({ language: "es", locale: "es-MX" });
    expect(resolveLanguage("de-DE", null)).toEqual({ language: "en", locale: "de-DE" });
    expect(resolveLanguage("en-US", null)).toEqual({ language: "en", locale: "en-US" });
  });

  it("follow the member's choice: Spanish on an English system is Spanish as written in the US", () => {
    expect(resolveLanguage("en-US", "es")).toEqual({ language: "es", locale: "es-US" });
    expect(resolveLanguage("es-MX", "es")).toEqual({ language: "es", locale: "es-MX" });
    expect(resolveLanguage("es-MX", "en")).toEqual({ language: "en", locale: "en-US" });
  });

  it("switch every message, number, day and amount at once, and keep the choice", () => {
    useSystemLocale(["C.UTF-8"]);
    expect(currentLanguage()).toBe("en");
    expect(formatMoney(1234.56, "USD")).toBe("$1,234.56");
    chooseLanguage("es");
    expect(localStorage.getItem(LANGUAGE_KEY)).toBe("es");
    expect(currentLanguage()).toBe("es");
    expect(currentLocale()).toBe("es-US");
    expect(t("nav.claims")).toBe("Reclamaciones");
    expect(formatMoney(1234.56, "USD")).toBe("$1,234.56");
    expect(formatNumber(1234.5)).toBe("1,234.5");
    expect(formatDay("2024-03-04")).toBe("4 mar 2024");
    expect(formatMoney(null, "USD")).toBe("no indicado");
    // A new window reads the stored choice.
    useSystemLocale(["en-US"]);
    expect(currentLanguage()).toBe("es");
    chooseLanguage(null);
    expect(localStorage.getItem(LANGUAGE_KEY)).toBeNull();
    expect(currentLanguage()).toBe("en");
    expect(formatDay("2024-03-04")).toBe("Mar 4, 2024");
  });
});
