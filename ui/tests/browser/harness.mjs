// Serves the built UI (ui/dist) on 127.0.0.1 and opens it in Debian's Chromium through
// playwright-core, with Tauri's official IPC mock injected in place of the Rust host.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ui = fileURLToPath(new URL("../..", import.meta.url));
const dist = join(ui, "dist");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml" };

export async function serveDist() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(dist, path === "/" ? "index.html" : path);
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Chromium with the flags this machine's closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/**
 * The official mockIPC, wrapped to run before the page's own scripts. `handlerSource` is the
 * text of a function `(cmd, args) => result` evaluated in the page. The page's
 * `window.__ipcPending` counts the commands the host has not answered yet (see `hostIdle`).
 */
export async function mockScript(handlerSource) {
  const mocks = await readFile(join(ui, "node_modules/@tauri-apps/api/mocks.js"), "utf8");
  const body = mocks.replace(/^export \{[^}]*\};?\s*$/m, "");
  return `(() => {\n${body}
const handler = ${handlerSource};
window.__ipcPending = 0;
mockIPC((cmd, args) => {
  window.__ipcPending += 1;
  const answered = () => { window.__ipcPending -= 1; };
  try {
    const result = handler(cmd, args);
    Promise.resolve(result).then(answered, answered);
    return result;
  } catch (e) {
    answered();
    throw e;
  }
}, { shouldMockEvents: true });\n})();`;
}

/**
 * Waits until `predicate(arg)`, run in the page, is true (checked on every animation frame);
 * after `timeout` ms fails saying what never happened, instead of a bare timeout.
 */
export async function until(page, what, predicate, arg, timeout = 10_000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch (e) {
    throw new Error(`${what}: still not so after ${timeout} ms (${String(e.message).split("\n")[0]})`);
  }
}

/** Waits until every command the page sent to the mocked host has been answered. */
export function hostIdle(page, what = "the host answered every command") {
  return until(page, what, () => window.__ipcPending === 0);
}

/**
 * axe-core's WCAG 2 A/AA rules run in the page; returns the violations as
 * `rule: target, target` lines (empty when there are none).
 */
export async function axeViolations(page) {
  const source = await readFile(join(ui, "node_modules/axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
  return violations;
}
