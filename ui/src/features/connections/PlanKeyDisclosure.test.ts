import { flushSync, mount, unmount } from "svelte";
import { clearHost, mockHost } from "../../ipc/testing";
import PlanKeyDisclosure from "./PlanKeyDisclosure.svelte";

const JWKS = JSON.stringify(
  { keys: [{ kty: "RSA", use: "sig", alg: "RS384", kid: "k-1", n: "sXch", e: "AQAB" }] },
  null,
  2,
);

let asked: { cmd: string; args: unknown }[] = [];

afterEach(() => {
  clearHost();
  asked = [];
  document.body.innerHTML = "";
  vi.unstubAllGlobals();
});

function open(target: HTMLElement): void {
  const details = target.querySelector("details");
  if (!details) throw new Error("no disclosure");
  details.open = true;
  details.dispatchEvent(new Event("toggle"));
}

describe("PlanKeyDisclosure", () => {
  it("asks the host for the plan's public key set only when opened, shows it and copies it", async () => {
    mockHost((cmd, args) => {
      asked.push({ cmd, args });
      if (cmd === "plan_jwks") return JWKS;
      throw { code: "internal", message: `unexpected ${cmd}` };
    });
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    const target = document.createElement("div");
    document.body.append(target);
    const disclosure = mount(PlanKeyDisclosure, { target, props: { planId: "rsa-plan", planName: "RSA Plan" } });
    flushSync();
    expect(target.querySelector("summary")?.textContent).toBe("Show Folio's public key for this plan");
    expect(asked).toEqual([]);

    open(target);
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelector("pre")?.textContent).toBe(JWKS);
    });
    expect(asked).toEqual([{ cmd: "plan_jwks", args: { planId: "rsa-plan" } }]);
    expect(target.querySelector("pre")?.getAttribute("aria-label")).toBe("Public key set for RSA Plan");

    const copy = [...target.querySelectorAll("button")].find((b) => b.textContent === "Copy JWKS");
    copy?.click();
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelector("[role=status]")?.textContent).toMatch(/^Copied\./);
    });
    expect(writeText).toHaveBeenCalledWith(JWKS);
    unmount(disclosure);
  });

  it("says why when the host cannot give the key set", async () => {
    mockHost(() => {
      throw { code: "keychain_unavailable", message: "the keychain is locked" };
    });
    const target = document.createElement("div");
    document.body.append(target);
    const disclosure = mount(PlanKeyDisclosure, { target, props: { planId: "rsa-plan", planName: "RSA Plan" } });
    open(target);
    await vi.waitFor(() => {
      flushSync();
      const alert = target.querySelector("[role=alert]");
      expect(alert?.getAttribute("data-code")).toBe("keychain_unavailable");
      expect(alert?.textContent).toContain("the keychain is locked");
    });
    expect(target.querySelector("pre")).toBeNull();
    unmount(disclosure);
  });
});
