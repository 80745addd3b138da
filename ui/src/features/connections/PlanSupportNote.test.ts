import { flushSync, mount, unmount } from "svelte";
import { clearHost, mockHost } from "../../ipc/testing";
import type { PlanSupport } from "../../ipc";
import PlanSupportNote from "./PlanSupportNote.svelte";

const limited: PlanSupport = {
  planId: "acme",
  unknown: false,
  pageSize: 50,
  linkedFetchedSeparately: true,
  readOneByOne: [],
  probedAt: "2026-11-28T09:30:00Z",
  types: [],
  sentences: [
    "This plan does not send a claim's doctors and insurer with the claim; Folio fetched them separately.",
    "This plan gives 50 records per page.",
  ],
};

/** Waits until the note has had the host's answer (`phase`: known, unknown or failed). */
async function answered(target: HTMLElement, phase: string): Promise<void> {
  await vi.waitFor(() => {
    flushSync();
    expect(target.querySelector("[data-testid=plan-support-slot]")?.getAttribute("data-phase")).toBe(phase);
  });
}

let asked: unknown[] = [];

afterEach(() => {
  clearHost();
  asked = [];
  document.body.innerHTML = "";
});

describe("PlanSupportNote", () => {
  it("shows what the plan supports as the host's plain sentences, for the plan asked about", async () => {
    mockHost((cmd, args) => {
      asked.push(args);
      if (cmd === "plan_support") return limited;
      throw { code: "internal", message: `unexpected ${cmd}` };
    });
    const target = document.createElement("div");
    document.body.append(target);
    const note = mount(PlanSupportNote, { target, props: { planId: "acme", refresh: "" } });
    await answered(target, "known");
    expect(asked).toEqual([{ planId: "acme" }]);
    const items = [...target.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual(limited.sentences);
    expect(target.querySelector("h4")?.textContent).toBe("What this plan supports");
    expect(target.querySelector("[data-testid=plan-support-checked]")?.textContent).toMatch(/^Checked .*2026/);
    unmount(note);
  });

  it("says nothing before a sync has taught Folio anything, or when the host cannot answer", async () => {
    mockHost((_cmd, args) => {
      asked.push(args);
      return { ...limited, unknown: true, sentences: ["Folio has not synced with this plan yet, so it does not know what the plan supports."] };
    });
    const target = document.createElement("div");
    document.body.append(target);
    let note = mount(PlanSupportNote, { target, props: { planId: "acme", refresh: "" } });
    await answered(target, "unknown");
    expect(target.querySelector("[data-testid=plan-support]")).toBeNull();
    unmount(note);

    clearHost();
    asked = [];
    mockHost((_cmd, args) => {
      asked.push(args);
      throw { code: "plan_not_found", message: "no such plan" };
    });
    note = mount(PlanSupportNote, { target, props: { planId: "gone", refresh: "" } });
    await answered(target, "failed");
    expect(target.querySelector("[data-testid=plan-support]")).toBeNull();
    expect(target.querySelector("[role=alert]")).toBeNull();
    unmount(note);
  });
});
