import {
  allergyText,
  conditionStatusWords,
  conditionWhen,
  isHealthTab,
  lastFilledText,
  medicineGroups,
  seenText,
  sourceText,
  stoppedText,
} from "./health-text";
import { sampleHealth } from "./sample";

const [lisinopril, metformin, prozac, amoxicillin] = sampleHealth.medications as [
  (typeof sampleHealth.medications)[number],
  (typeof sampleHealth.medications)[number],
  (typeof sampleHealth.medications)[number],
  (typeof sampleHealth.medications)[number],
];

describe("My health in words", () => {
  it("puts what the member takes first, fills without a status next, stopped last", () => {
    const groups = medicineGroups(sampleHealth.medications);
    expect(groups.taking.map((m) => m.name)).toEqual([lisinopril.name, metformin.name]);
    expect(groups.unknown.map((m) => m.name)).toEqual([prozac.name]);
    expect(groups.stopped.map((m) => m.name)).toEqual([amoxicillin.name]);
  });

  it("says when and where a medicine was last filled, or that no fill is on record", () => {
    expect(lastFilledText(lisinopril, "en-US")).toBe("Last filled Sep 14, 2026 · 30-day supply · Corner Street Pharmacy · 14 fills");
    expect(lastFilledText(metformin, "en-US")).toBe("No pharmacy fill on record");
    expect(stoppedText(amoxicillin, "en-US")).toBe("Last on record Jan 9, 2024");
  });

  it("says since when a condition is current, and when a past one began and ended", () => {
    const [current, past] = sampleHealth.conditions as [(typeof sampleHealth.conditions)[number], (typeof sampleHealth.conditions)[number]];
    expect(conditionWhen(current, "en-US")).toBe("Since Mar 2, 2021");
    expect(conditionWhen(past, "en-US")).toBe("Jan 5, 2024 – Jan 25, 2024");
    expect(conditionStatusWords(past)).toBe("Resolved");
    expect(conditionStatusWords({ ...past, status: "remission" })).toBe("In remission");
    // A status outside the published code system is shown as sent.
    expect(conditionStatusWords({ ...past, status: "local-x" })).toBe("local-x");
    expect(conditionWhen({ ...current, since: null }, "en-US")).toBe("Since: not stated");
  });

  it("describes an allergy's risk and reactions", () => {
    const [penicillin] = sampleHealth.allergies as [(typeof sampleHealth.allergies)[number]];
    expect(allergyText(penicillin)).toBe("High risk · severe reaction: Hives");
    expect(allergyText({ ...penicillin, criticality: null, reactions: [], severity: null })).toBe("Reaction not stated");
  });

  it("counts how often a care-team member was seen and names a source record in words", () => {
    const [chen] = sampleHealth.careTeam as [(typeof sampleHealth.careTeam)[number]];
    expect(seenText(chen, "en-US")).toBe("18 visits · 40 claims · last seen Sep 14, 2026");
    expect(seenText({ ...chen, claims: 0, visits: 1 }, "en-US")).toBe("1 visit · last seen Sep 14, 2026");
    const [claim] = lisinopril.sources as [(typeof lisinopril.sources)[number]];
    expect(sourceText(claim, "en-US")).toBe("Claim, Sep 14, 2026 (Folio Sandbox Health Plan (demo))");
    expect(sourceText({ ...claim, resourceType: "Basic", date: null })).toBe("Basic (Folio Sandbox Health Plan (demo))");
  });

  it("knows its tabs", () => {
    expect(isHealthTab("care-team")).toBe(true);
    expect(isHealthTab("claims")).toBe(false);
  });
});

describe("My health's addresses", () => {
  it("gives each tab an address that reads back to it, under My health", async () => {
    const { formatRoute, parseRoute, sectionOf } = await import("../../lib/route");
    for (const tab of ["medications", "care-team"]) {
      const href = formatRoute({ screen: "health-tab", tab });
      expect(href).toBe(`#/health/${tab}`);
      const route = parseRoute(href);
      expect(route).toEqual({ screen: "health-tab", tab });
      expect(route && sectionOf(route)).toBe("health");
    }
    expect(parseRoute("#/health")).toEqual({ screen: "health" });
  });
});
