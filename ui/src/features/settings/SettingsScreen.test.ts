import { flushSync, mount, unmount } from "svelte";
import { clearHost, mockHost } from "../../ipc/testing";
import SettingsScreen from "./SettingsScreen.svelte";
import { choiceValue, describeInterval, hoursOf } from "./settings-text";

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

function radio(target: HTMLElement, label: string): HTMLInputElement {
  const found = [...target.querySelectorAll("label")].find((l) => l.textContent?.trim() === label);
  const input = found?.querySelector("input");
  if (!input) throw new Error(`no choice ${label}`);
  return input;
}

describe("SettingsScreen", () => {
  it("shows daily as chosen, saves Weekly and Off, and turns opening at login on", async () => {
    let everyHours: number | null = 24;
    let atLogin = false;
    const calls: [string, unknown][] = [];
    mockHost((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "background_sync") return { everyHours };
      if (cmd === "set_background_sync") {
        everyHours = (args as { setting: { everyHours: number | null } }).setting.everyHours;
        return { everyHours };
      }
      if (cmd === "launch_at_login") return atLogin;
      if (cmd === "set_launch_at_login") {
        atLogin = (args as { enabled: boolean }).enabled;
        return atLogin;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(SettingsScreen, { target });
    await until(() => expect(radio(target, "Daily (default)").checked).toBe(true));
    expect(radio(target, "Off").checked).toBe(false);

    radio(target, "Weekly").click();
    await until(() => expect(target.querySelector("[data-testid=background-saved]")?.textContent).toBe("Saved: Weekly."));
    expect(everyHours).toBe(168);
    expect(radio(target, "Weekly").checked).toBe(true);

    radio(target, "Off").click();
    await until(() => expect(target.querySelector("[data-testid=background-saved]")?.textContent).toBe("Saved: Off."));
    expect(calls).toContainEqual(["set_background_sync", { setting: { everyHours: null } }]);

    const login = [...target.querySelectorAll<HTMLInputElement>("input[type=checkbox]")][0];
    expect(login?.checked).toBe(false);
    login?.click();
    await until(() => expect(atLogin).toBe(true));
    expect(calls).toContainEqual(["set_launch_at_login", { enabled: true }]);
    unmount(screen);
  });

  it("says when the settings cannot be read, with its code", async () => {
    mockHost((cmd) => {
      if (cmd === "background_sync") throw { code: "storage_unavailable", message: "cannot open the database" };
      if (cmd === "launch_at_login") return false;
      throw new Error(`unexpected ${cmd}`);
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(SettingsScreen, { target });
    await until(() => expect(target.querySelector("[role=alert]")?.getAttribute("data-code")).toBe("storage_unavailable"));
    unmount(screen);
  });
});

describe("settings words", () => {
  it("maps intervals to choices and back", () => {
    expect(choiceValue(null)).toBe("off");
    expect(hoursOf("off")).toBeNull();
    expect(hoursOf(choiceValue(6))).toBe(6);
    expect(describeInterval(24)).toBe("Daily (default)");
    expect(describeInterval(12)).toBe("Every 12 hours");
  });
});
