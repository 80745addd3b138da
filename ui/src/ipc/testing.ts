// Test doubles for the host, for Vitest only: the official Tauri IPC mock behind our own names,
// so that tests outside src/ipc never import @tauri-apps/* either.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

/** Answers every command with `handler(command, args)`; throw to answer with an error. */
export function mockHost(handler: (command: string, args: unknown) => unknown): void {
  mockIPC((cmd, args) => handler(cmd, args));
}

/** Removes the mock. */
export function clearHost(): void {
  clearMocks();
}
