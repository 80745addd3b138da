// A small W3C WebDriver client for driving Folio's window through tauri-driver: the end-to-end
// test (tests/e2e) and the installed package's journey (tests/package) share it.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A session against `url` (tauri-driver). Screenshots go to `artifacts`; when text never
 * appears, a picture named by `failedShot(css)` is saved and the window's text is reported.
 */
export function webdriver({ url, artifacts, failedShot }) {
  let session;

  async function wd(method, path, body) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value)}`);
    return json.value;
  }

  const at = (path) => `/session/${session}${path}`;
  const find = (using, value) => wd("POST", at("/element"), { using, value });

  /** Starts the app (`application` for tauri:options). */
  async function start(application) {
    session = (await wd("POST", "/session", { capabilities: { alwaysMatch: { "tauri:options": { application } } } })).sessionId;
  }

  async function end() {
    if (session) await wd("DELETE", at("")).catch(() => {});
  }

  /** Two animation frames so WebKit has painted what the DOM holds; returns the PNG. */
  async function screenshot(name) {
    await wd("POST", at("/execute/async"), {
      script: "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
      args: [],
    });
    const png = Buffer.from(await wd("GET", at("/screenshot")), "base64");
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, name), png);
    return png;
  }

  /**
   * Tries `attempt` every `every` ms until it returns something other than undefined, and
   * returns that; after `timeoutMs` fails saying `what` never happened, with the last error,
   * what the window showed and a picture named by `failedShot(shot)`.
   */
  async function poll(what, shot, timeoutMs, attempt, every = 200) {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        const got = await attempt();
        if (got !== undefined) return got;
      } catch (e) {
        last = `: ${e}`;
      }
      if (Date.now() >= deadline) break;
      await pause(every);
    }
    // What the member would have seen, for the report (synthetic data only).
    const shown = await wd("POST", at("/execute/sync"), { script: "return document.body.innerText.slice(0, 2000)", args: [] }).catch(() => "?");
    await screenshot(failedShot(shot)).catch(() => {});
    throw new Error(`${what}: not after ${timeoutMs} ms${last}\nthe window showed:\n${shown}`);
  }

  /** The first non-empty text of `css`, waiting for it up to `timeoutMs`. */
  function textOf(css, timeoutMs = 20000) {
    return poll(`no text at ${css}`, css, timeoutMs, async () => {
      const text = await wd("GET", at(`/element/${(await find("css selector", css))[ELEMENT]}/text`));
      return text || undefined;
    });
  }

  /**
   * Waits until `script`, the body of a function run in the window, returns true (checked
   * every 100 ms); after `timeoutMs` fails naming `what`, the state that never came.
   */
  async function until(what, script, timeoutMs = 20000) {
    await poll(what, what, timeoutMs, async () => ((await wd("POST", at("/execute/sync"), { script, args: [] })) === true ? true : undefined), 100);
  }

  async function click(css) {
    await wd("POST", at(`/element/${(await find("css selector", css))[ELEMENT]}/click`), {});
  }

  /** Clicks the button (or the header's screen link) labelled `text`, waiting for it up to `timeoutMs`. */
  async function clickButton(text, timeoutMs = 20000) {
    await poll(`no button labelled "${text}" to click`, `button-${text}`, timeoutMs, async () => {
      const el = await find("xpath", `(//button|//nav//a)[normalize-space()="${text}"]`);
      await wd("POST", at(`/element/${el[ELEMENT]}/click`), {});
      return true;
    });
  }

  /** The elements matching `css` (possibly none). */
  const all = (css) => wd("POST", at("/elements"), { using: "css selector", value: css });
  const title = () => wd("GET", at("/title"));

  /** Presses keys together as the keyboard would (WebDriver key codes, e.g. "\uE00A" for Alt). */
  async function press(...keys) {
    const actions = [...keys.map((value) => ({ type: "keyDown", value })), ...keys.reverse().map((value) => ({ type: "keyUp", value }))];
    await wd("POST", at("/actions"), { actions: [{ type: "key", id: "keyboard", actions }] });
    await wd("DELETE", at("/actions"));
  }

  /** Presses each key in turn, down then up (e.g. Tab three times), as typing would. */
  async function type(...keys) {
    const actions = keys.flatMap((value) => [
      { type: "keyDown", value },
      { type: "keyUp", value },
    ]);
    await wd("POST", at("/actions"), { actions: [{ type: "key", id: "keyboard", actions }] });
    await wd("DELETE", at("/actions"));
  }

  /** Runs `script` (the body of a function) in the window and returns what it returns. */
  const run = (script, args = []) => wd("POST", at("/execute/sync"), { script, args });
  /** Runs `script` with a callback as its last argument, and returns what it passes to it. */
  const runAsync = (script, args = []) => wd("POST", at("/execute/async"), { script, args });
  /** Sets the window's outer size in pixels. */
  const resize = (width, height) => wd("POST", at("/window/rect"), { width, height });

  return { start, end, textOf, until, click, clickButton, press, type, run, runAsync, resize, screenshot, all, title };
}
