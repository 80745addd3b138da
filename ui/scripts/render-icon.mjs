// Renders icons/folio.svg to a 1024x1024 PNG in Chromium, the source for `tauri icon`.
// Usage: node scripts/render-icon.mjs && npx tauri icon ../icons/folio-1024.png -o ../icons
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../tests/browser/harness.mjs";

const svg = await readFile(fileURLToPath(new URL("../../icons/folio.svg", import.meta.url)), "utf8");
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator("svg").screenshot({ path: fileURLToPath(new URL("../../icons/folio-1024.png", import.meta.url)), omitBackground: true });
await browser.close();
