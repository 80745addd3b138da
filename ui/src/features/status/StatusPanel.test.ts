import { flushSync, mount, unmount } from "svelte";
import { clearHost as clearMocks, mockHost as mockIPC } from "../../ipc/testing";
import StatusPanel from "./StatusPanel.svelte";
import { sampleStatus } from "../../ipc/fixtures";
import { describeError, describeOrigin } from "./status-text";

/** Waits until the panel has rendered `text` (the mocked host answers asynchronously). */
async function until(target: HTMLElement, text: string): Promise<void> {
  await vi.waitFor(() => {
    flushSync();
    expect(target.textContent).toContain(text);
  });
}

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

describe("StatusPanel", () => {
  it("shows the storage facts from the host", async () => {
    mockIPC(() => sampleStatus);
    const target = document.createElement("div");
    document.body.append(target);
    const panel = mount(StatusPanel, { target });
    await until(target, "12,345 records");
    expect(target.textContent).toContain("4.2 MB");
    expect(target.querySelector("[data-testid=schema]")?.textContent).toBe("Schema version 1");
    expect(target.querySelector("[data-testid=data-dir]")?.textContent).toBe(sampleStatus.dataDir);
    unmount(panel);
  });

  it("shows an honest error and retries on request", async () => {
    let fail = true;
    mockIPC(() => {
      if (fail) throw { code: "data_dir_unavailable", message: "cannot create the data folder /nope" };
      return sampleStatus;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const panel = mount(StatusPanel, { target });
    await until(target, "Try again");
    const alert = target.querySelector("[role=alert]");
    expect(alert?.getAttribute("data-code")).toBe("data_dir_unavailable");
    expect(alert?.textContent).toContain("Folio cannot use its data folder");
    expect(alert?.textContent).toContain("cannot create the data folder /nope");
    fail = false;
    target.querySelector("button")?.click();
    await until(target, "3 connections");
    expect(target.querySelector("[role=alert]")).toBeNull();
    unmount(panel);
  });
});

describe("status words", () => {
  it("has a sentence for every code and origin", () => {
    expect(describeError("storage_migration_failed")).toMatch(/update its database/);
    expect(describeError("ipc_unavailable")).toMatch(/lost touch/);
    expect(describeOrigin("environment")).toBe("chosen with FOLIO_DATA_DIR");
  });
});
