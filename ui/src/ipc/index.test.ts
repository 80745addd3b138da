import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { appStatus, FolioError, toFolioError } from "./index";
import { sampleStatus } from "./fixtures";

afterEach(() => clearMocks());

describe("appStatus", () => {
  it("calls the app_status command and returns its data", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "app_status") return sampleStatus;
      throw new Error(`unexpected ${cmd}`);
    });
    await expect(appStatus()).resolves.toEqual(sampleStatus);
    expect(calls).toEqual(["app_status"]);
  });

  it("turns a host error into a FolioError with its code", async () => {
    mockIPC(() => {
      throw { code: "storage_unavailable", message: "cannot open the database /x/folio.db" };
    });
    const error = await appStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FolioError);
    expect((error as FolioError).code).toBe("storage_unavailable");
    expect((error as FolioError).message).toBe("cannot open the database /x/folio.db");
  });

  it("reports a refused or broken bridge without leaking its text", async () => {
    mockIPC(() => {
      throw "Command app_status not allowed by ACL";
    });
    const error = await appStatus().catch((e: unknown) => e);
    expect((error as FolioError).code).toBe("ipc_unavailable");
    expect((error as FolioError).message).not.toContain("ACL");
  });
});

describe("toFolioError", () => {
  it("keeps FolioErrors and wraps anything else", () => {
    const original = new FolioError("invalid_input", "x");
    expect(toFolioError(original)).toBe(original);
    expect(toFolioError(new TypeError("boom")).code).toBe("ipc_unavailable");
    expect(toFolioError(null).code).toBe("ipc_unavailable");
  });
});
