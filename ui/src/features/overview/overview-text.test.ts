import { describe, expect, it } from "vitest";
import type { CoverageCard, PlanCosts } from "../../ipc";
import type { Balance } from "../claims/claims-text";
import { changedText, costDetail, glanceBalances, medicinesAnswer, newItemHref, newItemMeta, oweAnswer, periodText, sortCoverages, syncNeedsMember, syncStateText, yearWords } from "./overview-text";

const card = (over: Partial<CoverageCard>): CoverageCard => ({
  planName: "P", connectionId: "c", payor: null, memberId: null, plan: null, group: null, kind: null,
  start: null, end: null, status: null, relationship: null, ...over,
});

describe("overview words", () => {
  it("says a coverage period in days, open ends in words", () => {
    expect(periodText(card({ start: "2016-01-01", end: "2019-12-31" }), "en-US")).toBe("Jan 1, 2016 – Dec 31, 2019");
    expect(periodText(card({ start: "2020-01-01" }), "en-US")).toBe("since Jan 1, 2020");
    expect(periodText(card({}), "en-US")).toBe("dates not given");
  });

  it("puts the active coverage first, then the newest", () => {
    const sorted = sortCoverages([
      card({ start: "2016-01-01", status: "cancelled" }),
      card({ start: "2020-01-01", status: "cancelled" }),
      card({ start: "2018-01-01", status: "active" }),
    ]);
    expect(sorted.map((c) => c.start)).toEqual(["2018-01-01", "2020-01-01", "2016-01-01"]);
  });

  it("says what is new since the last visit, or that nothing is", () => {
    const at = (iso: string): string => iso.slice(0, 10);
    expect(changedText(null, [], at)).toMatch(/first visit/);
    expect(changedText("2026-11-01T00:00:00Z", [], at)).toBe("Nothing new since your last visit (2026-11-01).");
    const text = changedText("2026-11-01T00:00:00Z", [
      { resourceType: "ExplanationOfBenefit", kind: "Claims", count: 3 },
      { resourceType: "Observation", kind: "Labs and vital signs", count: 12 },
    ], at);
    expect(text).toBe("Since your last visit (2026-11-01): 15 new or updated records: 3 claims, 12 labs and vital signs.");
  });
});

const plan = (over: Partial<PlanCosts>): PlanCosts => ({
  connectionId: "c-1", planName: "Folio Sandbox Health Plan", currency: "USD", claims: 14, billed: 9000, planPaid: 7000,
  youOwe: 1240.5, claimsWithoutYourShare: 0, balances: [], balancesAsOf: null, ...over,
});
const balance = (over: Partial<Balance>): Balance => ({
  kind: "deductible", label: "Deductible", category: null, inNetwork: true, family: false, term: "Annual", allowed: 2000, used: 1240, ...over,
});

describe("the overview's answers", () => {
  it("says what the member owes this year, or in the newest year with claims", () => {
    expect(yearWords(2026, 2026)).toBe("this year");
    expect(yearWords(2025, 2026)).toBe("in 2025");
    expect(oweAnswer([plan({})], 2026, 2026, "en-US")).toEqual(["You owe $1,240.50 this year"]);
    // Two plans in dollars add up; a plan whose claims do not say adds nothing (never $0).
    expect(oweAnswer([plan({}), plan({ connectionId: "c-2", youOwe: 100 }), plan({ connectionId: "c-3", youOwe: null })], 2025, 2026, "en-US")).toEqual([
      "You owe $1,340.50 in 2025",
    ]);
    expect(oweAnswer([plan({ youOwe: null })], 2026, 2026, "en-US")).toEqual(["Your claims this year do not say what you owe"]);
    expect(oweAnswer([], 2026, 2026, "en-US")).toEqual(["No claims this year"]);
    // Different currencies are not added together.
    expect(oweAnswer([plan({}), plan({ connectionId: "c-2", planName: "Other", currency: "EUR", youOwe: 50 })], 2026, 2026, "en-US")).toEqual([
      "You owe $1,240.50 this year to Folio Sandbox Health Plan",
      "You owe €50.00 this year to Other",
    ]);
  });

  it("says where the figure comes from", () => {
    expect(costDetail([plan({})], "en-US")).toBe("From 14 claims · billed $9,000.00 · your plan paid $7,000.00");
    expect(costDetail([plan({ billed: null })], "en-US")).toBe("From 14 claims · billed not stated · your plan paid $7,000.00");
    expect(costDetail([plan({ claims: 1 }), plan({ claims: 2 })], "en-US")).toBe("From 3 claims · from 2 plans");
  });

  it("picks the member's own deductible and out-of-pocket maximum for a glance", () => {
    const picked = glanceBalances([
      balance({ kind: "out_of_pocket", label: "Out-of-pocket maximum", family: true, allowed: 12000, used: 3000 }),
      balance({ family: true, allowed: 4000, used: 2500 }),
      balance({ kind: "out_of_pocket", label: "Out-of-pocket maximum", allowed: 6000, used: 1500 }),
      balance({ inNetwork: false, allowed: 4000, used: 0 }),
      balance({}),
    ]);
    expect(picked.map((b) => [b.kind, b.family, b.inNetwork, b.allowed])).toEqual([
      ["deductible", false, true, 2000],
      ["out_of_pocket", false, true, 6000],
    ]);
    // Only the family's figure sent: that one.
    expect(glanceBalances([balance({ family: true })]).map((b) => b.family)).toEqual([true]);
    expect(glanceBalances([])).toEqual([]);
  });

  it("counts the medicines the member takes", () => {
    expect(medicinesAnswer(3)).toBe("3 medicines you take");
    expect(medicinesAnswer(1)).toBe("1 medicine you take");
    expect(medicinesAnswer(0)).toBe("No medicines on record as taken");
  });

  it("says each plan's sync state, and which ask something of the member", () => {
    const at = (iso: string): string => iso.slice(0, 10);
    const c = { status: "connected" as const, lastSyncedAt: "2026-11-29T10:00:00Z", kind: "plan" as const };
    expect(syncStateText(c, false, at)).toBe("Up to date as of 2026-11-29");
    expect(syncStateText(c, true, at)).toBe("Downloading your records now…");
    expect(syncStateText({ ...c, lastSyncedAt: null }, false, at)).toBe("Not downloaded yet");
    expect(syncStateText({ ...c, status: "reconnect_needed" }, false, at)).toBe("Sign in again to download new records");
    expect(syncStateText({ ...c, status: "reconnect_to_finish" }, false, at)).toBe("Sign in again to finish downloading");
    expect(syncStateText({ ...c, status: "disconnected" }, false, at)).toBe("Disconnected · last downloaded 2026-11-29");
    expect(syncStateText({ ...c, kind: "file" }, false, at)).toBe("Imported 2026-11-29");
    expect(syncNeedsMember("reconnect_needed")).toBe(true);
    expect(syncNeedsMember("reconnect_to_finish")).toBe(true);
    expect(syncStateText({ ...c, status: "reconnect_after_restore" }, false, at)).toBe(
      "Restored from a backup: sign in again to keep it current",
    );
    expect(syncNeedsMember("reconnect_after_restore")).toBe(true);
    expect(syncNeedsMember("connected")).toBe(false);
    expect(syncNeedsMember("disconnected")).toBe(false);
  });

  it("describes a new record by its kind and day", () => {
    expect(newItemMeta({ title: "Cholesterol", kind: "Lab or vital sign", resourceType: "Observation", date: "2026-11-20" }, "en-US")).toBe("Lab or vital sign · Nov 20, 2026");
    expect(newItemMeta({ title: "Claim", kind: "Claim", resourceType: "ExplanationOfBenefit", date: "2026-11-20T09:00:00Z" }, "en-US")).toBe("Nov 20, 2026");
  });

  it("opens a new claim or prior authorization on its own screen, anything else on its record", () => {
    const item = { connectionId: "c 1", resourceType: "ExplanationOfBenefit", resourceId: "eob/7" };
    expect(newItemHref({ ...item, opensOn: "claim" })).toBe("#/claims/eob%2F7?source=c%201");
    expect(newItemHref({ ...item, opensOn: "prior_authorization" })).toBe("#/prior-authorizations/eob%2F7?source=c%201");
    expect(newItemHref({ ...item, resourceType: "Observation" })).toBe("#/records/Observation/eob%2F7?source=c%201");
  });
});
