import { describe, expect, it } from "vitest";
import { approvalText, codedText, quantityText, servicesText, statusLabel, tileAnswer, tileCounts, todayLocal } from "./prior-auth-text";

describe("prior authorization words", () => {
  it("names every state as a member would", () => {
    expect(statusLabel("pending")).toBe("Pending");
    expect(statusLabel("partly_approved")).toBe("Partly approved");
    expect(statusLabel("denied")).toBe("Denied");
    expect(statusLabel("not_stated")).toBe("Status not stated");
  });

  it("says how long an approval lasts, and when it ended", () => {
    const approved = { status: "approved" as const, approvedFrom: "2026-06-24", approvedUntil: "2027-06-30" };
    expect(approvalText(approved, "2026-12-08", "en-US")).toBe("Approved through Jun 30, 2027");
    expect(approvalText({ ...approved, approvedUntil: "2025-01-31" }, "2026-12-08", "en-US")).toBe("Approval ended Jan 31, 2025");
    expect(approvalText({ ...approved, approvedUntil: null }, "2026-12-08", "en-US")).toBe("Approved from Jun 24, 2026");
    expect(approvalText({ ...approved, status: "denied" }, "2026-12-08", "en-US")).toBeNull();
  });

  it("puts units asked, approved and used in one line", () => {
    expect(quantityText({ quantityRequested: 24, quantityApproved: 12, quantityUsed: 2 }, "en-US")).toBe("12 of 24 approved, 2 used");
    expect(quantityText({ quantityRequested: 12, quantityApproved: 12, quantityUsed: null }, "en-US")).toBe("12 approved");
    expect(quantityText({ quantityRequested: 1, quantityApproved: null, quantityUsed: null }, "en-US")).toBe("1 asked for");
    expect(quantityText({ quantityRequested: null, quantityApproved: null, quantityUsed: null })).toBeNull();
  });

  it("shows a code beside words, and a bare code once", () => {
    expect(codedText({ text: "Not Certified", code: "A3" })).toEqual({ text: "Not Certified", code: "A3" });
    expect(codedText({ text: "A3", code: null })).toEqual({ text: "A3", code: null });
    expect(codedText(null)).toBeNull();
  });

  it("summarizes services and counts", () => {
    expect(servicesText(["MRI lumbar spine without contrast"])).toBe("MRI lumbar spine without contrast");
    expect(servicesText(["Sleep study", "CPAP machine", "Mask"])).toBe("Sleep study and 2 more");
    expect(servicesText([])).toBe("Service not stated");
    expect(tileCounts({ total: 5, pending: 1, approved: 2, partlyApproved: 1, denied: 1, expiring: [] })).toBe(
      "1 pending · 2 approved · 1 partly approved · 1 denied",
    );
    expect(tileCounts({ total: 1, pending: 0, approved: 0, partlyApproved: 0, denied: 0, expiring: [] })).toBe("1 on record");
  });

  it("answers the tile first: how many are pending", () => {
    expect(tileAnswer({ total: 5, pending: 1 })).toBe("1 prior authorization pending");
    expect(tileAnswer({ total: 5, pending: 3 })).toBe("3 prior authorizations pending");
    expect(tileAnswer({ total: 5, pending: 0 })).toBe("None pending");
    expect(tileAnswer({ total: 0, pending: 0 })).toBe("No prior authorizations on record");
  });

  it("reads today in local time", () => {
    expect(todayLocal(new Date(2026, 11, 8, 23, 30))).toBe("2026-12-08");
  });
});
