import { balanceScope, daysText, networkLabel, orderBalances, progressPercent, progressSentence, statusTone, type Balance } from "./claims-text";

const deductible: Balance = { kind: "deductible", label: "Deductible", category: "Health Benefit Plan Coverage", inNetwork: true, family: false, term: "Annual", allowed: 2000, used: 1240 };

describe("progressSentence", () => {
  it("says how much of the deductible is met, in the member's currency and locale", () => {
    expect(progressSentence(deductible, "USD", "en-US")).toBe("You have met $1,240.00 of your $2,000.00 deductible");
    expect(progressSentence({ ...deductible, family: true, allowed: 4000 }, "USD", "en-US")).toBe("Your family has met $1,240.00 of its $4,000.00 deductible");
  });

  it("speaks of paying toward the out-of-pocket maximum and says when it is met", () => {
    const oop: Balance = { ...deductible, kind: "out_of_pocket", label: "Out-of-pocket maximum", allowed: 6000, used: 6000 };
    expect(progressSentence(oop, "USD", "en-US")).toBe("You have paid $6,000.00 of your $6,000.00 out-of-pocket maximum — your out-of-pocket maximum is met");
  });

  it("never makes up a figure the plan left out", () => {
    expect(progressSentence({ ...deductible, used: null }, "USD", "en-US")).toBe("Your deductible is $2,000.00; the plan did not say how much is met");
    expect(progressSentence({ ...deductible, allowed: null }, "USD", "en-US")).toBe("You have met $1,240.00 toward your deductible; the plan did not say the limit");
    expect(progressPercent({ allowed: null, used: 10 })).toBeNull();
  });
});

describe("progressPercent", () => {
  it("is the share used, kept between 0 and 100", () => {
    expect(progressPercent(deductible)).toBeCloseTo(62);
    expect(progressPercent({ allowed: 100, used: 250 })).toBe(100);
    expect(progressPercent({ allowed: 0, used: 0 })).toBeNull();
  });
});

describe("orderBalances and balanceScope", () => {
  it("puts the individual deductible first and names who a figure is for", () => {
    const family = { ...deductible, family: true };
    const oop = { ...deductible, kind: "out_of_pocket" };
    expect(orderBalances([oop, family, deductible])).toEqual([deductible, family, oop]);
    expect(balanceScope(family)).toBe("Family · In network · Annual");
  });
});

describe("small words", () => {
  it("names the network, the status tone and the days' supply", () => {
    expect(networkLabel(true)).toBe("In network");
    expect(networkLabel(false)).toBe("Out of network");
    expect(networkLabel(null)).toBe("Network not stated");
    expect(statusTone("partly_denied")).toBe("warn");
    expect(statusTone("denied")).toBe("danger");
    expect(daysText(30)).toBe("30 days");
    expect(daysText(null)).toBe("not stated");
  });
});
