// The colour tokens of app.css, read from the file itself, meet WCAG 2.1 AA contrast in both
// themes: text 4.5:1 on every surface it is drawn on (1.4.3), and the borders of inputs and
// cards, focus rings and the lab chart's lines and band edges 3:1 (1.4.11). The ratio is axe-core's
// own (the same computation the end-to-end audit runs), so lowering a token fails here first.
import axe from "axe-core";
import css from "./app.css?raw";

// axe-core's colour helpers (axe.commons.color), which its type declarations leave out.
interface AxeColor {
  parseString(text: string): void;
}
const color = (axe.commons as unknown as { color: { Color: new () => AxeColor; getContrast(bg: AxeColor, fg: AxeColor): number } }).color;

/** The `--name: #hex` declarations of the block that starts with `selector {`. */
function tokens(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`app.css has no block ${selector}`);
  const body = css.slice(start, css.indexOf("}", start));
  const found = new Map<string, string>();
  for (const m of body.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)) found.set(m[1] ?? "", m[2] ?? "");
  return found;
}

const light = tokens(":root");
const dark = tokens(':root[data-theme="dark"]');
const systemDark = tokens(':root:not([data-theme="light"])');

function ratio(theme: Map<string, string>, fg: string, bg: string): number {
  const parse = (name: string): AxeColor => {
    const hex = theme.get(name);
    if (!hex) throw new Error(`no colour token --${name}`);
    const c = new color.Color();
    c.parseString(hex);
    return c;
  };
  return color.getContrast(parse(bg), parse(fg));
}

const SURFACES = ["bg", "surface", "surface-2"];
// Text colours on every surface, and the coloured notes' text on their own backgrounds.
const TEXT: [string, string][] = [
  ...["text", "muted", "brand", "danger", "ok", "warn"].flatMap((fg) => SURFACES.map((bg): [string, string] => [fg, bg])),
  ["brand-text", "brand"],
  ["brand-text", "danger"],
  ["brand", "brand-soft"],
  ["text", "brand-soft"],
  ["text", "ok-bg"],
  ["ok", "ok-bg"],
  ["muted", "ok-bg"],
  ["text", "danger-bg"],
  ["danger", "danger-bg"],
  ["text", "warn-bg"],
  ["warn", "warn-bg"],
];
// Borders of inputs and cards and focus rings on every surface; the chart's lines (brand, warn),
// out-of-range points (danger) and band edges (ok) on the chart's surface and on its band.
const NON_TEXT: [string, string][] = [
  ...["border", "focus"].flatMap((fg) => SURFACES.map((bg): [string, string] => [fg, bg])),
  ...["brand", "warn", "danger", "ok"].flatMap((fg) => ["surface", "ok-bg"].map((bg): [string, string] => [fg, bg])),
];

describe.each([
  ["light", light],
  ["dark", dark],
])("the %s theme's tokens", (_name, theme) => {
  test.each(TEXT)("text --%s on --%s is at least 4.5:1", (fg, bg) => {
    expect(ratio(theme, fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
  test.each(NON_TEXT)("--%s on --%s is at least 3:1", (fg, bg) => {
    expect(ratio(theme, fg, bg)).toBeGreaterThanOrEqual(3);
  });
});

test("the system's dark theme and the chosen dark theme are the same colours", () => {
  expect(dark.size).toBeGreaterThan(10);
  expect(Object.fromEntries(systemDark)).toEqual(Object.fromEntries(dark));
});

test("the ratio is computed, not assumed: the old 1.4:1 card border fails", () => {
  const old = new Map([...light, ["border", "#d5dbe2"]]);
  expect(ratio(old, "border", "surface")).toBeLessThan(3);
});

test("the root font follows the system size: no fixed pixel size on :root, no minimum window width", () => {
  const root = css.slice(css.indexOf(":root {"), css.indexOf("}", css.indexOf(":root {")));
  expect(root).toMatch(/font-size:\s*100%/);
  expect(css).not.toMatch(/min-width:\s*\d+px/);
});
