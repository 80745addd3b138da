import { t } from "./i18n.svelte";
import { chooseLocale, currentLocale, formatBytes, formatDay, formatMoment, formatMoney, formatNumber, useMemberLocale } from "./format";

describe("formatBytes", () => {
  it("uses plain words and decimal units", () => {
    expect(formatBytes(0, "en-US")).toBe("0 bytes");
    expect(formatBytes(1, "en-US")).toBe("1 byte");
    expect(formatBytes(999, "en-US")).toBe("999 bytes");
    expect(formatBytes(4_200_000, "en-US")).toBe("4.2 MB");
    expect(formatBytes(123_456_789, "en-US")).toBe("123 MB");
  });
  it("says so when the size is unknown", () => {
    expect(formatBytes(-1)).toBe("unknown size");
    expect(formatBytes(Number.NaN)).toBe("unknown size");
    expect(formatBytes(null)).toBe("unknown size");
  });
});

describe("counted words (ICU plurals)", () => {
  it("agree in number and group digits", () => {
    expect(t("status.recordsCount", { count: 1 })).toBe("1 record");
    expect(t("status.recordsCount", { count: 12345 })).toBe("12,345 records");
    expect(t("status.recordsCount", { count: 0 })).toBe("0 records");
  });
});

describe("formatMoment", () => {
  it("reads an RFC 3339 instant, and leaves anything else as it was", () => {
    expect(formatMoment("2026-11-29T13:57:45.049586481Z", "en-US")).toMatch(/^Nov 29, 2026/);
    expect(formatMoment("not a date")).toBe("not a date");
  });
});

describe("formatDay", () => {
  it("shows the day the plan wrote, whatever the time zone", () => {
    expect(formatDay("2024-03-04T23:30:00-05:00", "en-US")).toBe("Mar 4, 2024");
    expect(formatDay("2024-03-04", "en-US")).toBe("Mar 4, 2024");
    expect(formatDay("2024-03", "en-US")).toBe("2024-03");
  });
});

describe("formatMoney", () => {
  it("shows currency and says when the plan did not state an amount", () => {
    expect(formatMoney(1234.5, "USD", "en-US")).toBe("$1,234.50");
    expect(formatMoney(0, "USD", "en-US")).toBe("$0.00");
    expect(formatMoney(null, "USD", "en-US")).toBe("not stated");
  });

  it("groups thousands in the member's locale", () => {
    expect(formatMoney(103681, "USD", "en-US")).toBe("$103,681.00");
    expect(formatMoney(103681, "EUR", "de-DE")).toBe("103.681,00\u00a0€");
    expect(formatMoney(-34.8, "USD", "en-US")).toBe("-$34.80");
    expect(formatMoney(undefined, "USD", "en-US")).toBe("not stated");
  });
});

describe("the member's locale", () => {
  it("is the first real locale offered, and US English for the POSIX one or none", () => {
    expect(chooseLocale(["c"])).toBe("en-US");
    expect(chooseLocale(["C.UTF-8", "POSIX"])).toBe("en-US");
    expect(chooseLocale([])).toBe("en-US");
    expect(chooseLocale(["es_US.UTF-8"])).toBe("es-US");
    expect(chooseLocale(["und", "es-MX", "en-US"])).toBe("es-MX");
  });

  it("is what money, numbers and days are written in where a caller names none", () => {
    try {
      useMemberLocale(["c"]);
      expect(formatMoney(103681, "USD")).toBe("$103,681.00");
      expect(formatNumber(1938)).toBe("1,938");
      expect(t("status.recordsCount", { count: 2024 })).toBe("2,024 records");
      useMemberLocale(["de-DE"]);
      expect(formatMoney(103681, "EUR")).toBe("103.681,00\u00a0€");
      expect(currentLocale()).toBe("de-DE");
    } finally {
      useMemberLocale(["en-US"]);
    }
  });
});
