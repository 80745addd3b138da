import { flushSync, mount, unmount } from "svelte";
import { clearHost, mockHost } from "../../ipc/testing";
import HealthScreen from "./HealthScreen.svelte";
import { sampleHealth } from "./sample";
import type { HealthTab } from "./health-text";

async function until(check: () => void): Promise<void> {
  await vi.waitFor(() => {
    flushSync();
    check();
  });
}

afterEach(() => {
  clearHost();
  document.body.innerHTML = "";
});

function open(tab: HealthTab, asked: unknown[] = []): ReturnType<typeof mount> {
  mockHost((cmd, args) => {
    if (cmd === "preferences") return { showSensitive: false };
    if (cmd === "my_health") {
      asked.push(args);
      return sampleHealth;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  return mount(HealthScreen, { target: document.body, props: { tab, hrefOf: (t: HealthTab) => `#/health/${t}` } });
}

describe("HealthScreen", () => {
  it("answers what the member takes first, with dose, prescriber and last fill, each leading to its records", async () => {
    const asked: unknown[] = [];
    const app = open("medications", asked);
    await until(() => expect(document.querySelectorAll("[data-testid=medicine-taking]").length).toBe(2));
    const first = document.querySelector("[data-testid=medicine-taking]");
    expect(first?.textContent).toContain("lisinopril 10 MG Oral Tablet");
    expect(first?.textContent).toContain("Take 1 tablet by mouth once daily");
    expect(first?.textContent).toContain("Prescribed by Dr. Maya Chen, MD");
    expect(first?.textContent).toMatch(/Last filled .*2026/);
    const links = [...(first?.querySelectorAll("a") ?? [])].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["#/records/ExplanationOfBenefit/eob-88?source=c-1", "#/records/MedicationRequest/mr-12?source=c-1"]);
    expect(document.querySelectorAll("[data-testid=medicine-unknown]").length).toBe(1);
    expect(document.querySelectorAll("[data-testid=medicine-stopped]").length).toBe(1);
    expect(document.querySelector("[aria-current=page]")?.textContent).toBe("Medications");
    expect(asked).toEqual([{ includeSensitive: false }]);
    unmount(app);
  });

  it("shows the care team with how often and when last seen, and visits with what, where, who and why", async () => {
    let app = open("care-team");
    await until(() => expect(document.querySelector("[data-testid=care-clinician]")).not.toBeNull());
    const chen = document.querySelector("[data-testid=care-clinician]");
    expect(chen?.textContent).toMatch(/Dr\. Maya Chen, MD\s*Clinician/);
    expect(chen?.textContent).toMatch(/18 visits · 40 claims · last seen/);
    expect(chen?.querySelector("a")?.getAttribute("href")).toBe("#/records/Practitioner/prac-1?source=c-1");
    unmount(app);

    app = open("visits");
    await until(() => expect(document.querySelector("[data-testid=visit]")).not.toBeNull());
    expect(document.querySelector("[data-testid=visit]")?.textContent).toMatch(/Follow-up encounter.*Riverside Family Clinic.*Dr\. Maya Chen, MD.*Essential hypertension/);
    expect(document.querySelector("[data-testid=visits-shown]")?.textContent).toContain("260 visit records");
    unmount(app);
  });
});
