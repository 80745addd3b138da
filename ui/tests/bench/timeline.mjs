// Benchmark (not a test): the Records timeline in Chromium over a 100,000-item history served by
// a mocked host. Prints time to first render and scroll frame times as a Markdown table.
//   npm run build && npm run bench:timeline
import { launchBrowser, mockScript, serveDist } from "../browser/harness.mjs";

const TOTAL = 100_000;
const handler = `(() => (cmd, args) => {
  if (cmd === "list_connections" || cmd === "list_plans") return [];
  if (cmd === "preferences") return { showSensitive: false };
  if (cmd === "overview") return { coverages: [], counts: [], lastVisit: null, changed: [] };
  if (cmd === "timeline") {
    const start = args.query.cursor ? Number(args.query.cursor) : 0;
    const end = Math.min(${TOTAL}, start + args.query.limit);
    const items = [];
    for (let i = start; i < end; i++) {
      const day = new Date(Date.UTC(2026, 10, 28) - Math.floor(i / 4) * 86400000).toISOString().slice(0, 10);
      items.push({ connectionId: "c-1", planName: "Folio Sandbox Health Plan (demo)", resourceType: "Observation", resourceId: "o" + i,
        date: day, title: "Glucose [Mass/volume] in Serum or Plasma " + i, kind: "Lab or vital sign", sensitive: false, otherSources: [] });
    }
    return { items, nextCursor: end < ${TOTAL} ? String(end) : null };
  }
  throw "unexpected " + cmd;
})()`;

const server = await serveDist();
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
await page.addInitScript({ content: await mockScript(handler) });
await page.goto(server.url);
await page.getByRole("button", { name: "Overview" }).waitFor();

// First render: from the click on Records to the first item painted.
const renders = [];
for (let run = 0; run < 5; run++) {
  await page.getByRole("button", { name: "Overview" }).click();
  await page.waitForTimeout(100);
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    [...document.querySelectorAll("nav button")].find((b) => b.textContent?.trim() === "Records")?.click();
    await new Promise((resolve) => {
      const check = () => (document.querySelector("[data-testid=timeline-item]") ? resolve(null) : requestAnimationFrame(check));
      check();
    });
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    return performance.now() - t0;
  });
  renders.push(ms);
}

// Scrolling: 400 px a frame for 600 frames, loading older pages on the way.
const frames = await page.evaluate(async () => {
  const el = document.querySelector(".viewport");
  const times = [];
  let last = performance.now();
  for (let i = 0; i < 600; i++) {
    el.scrollTop += 400;
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return { times, rows: document.querySelectorAll("[data-testid=timeline-item]").length, loaded: document.querySelector(".spacer")?.style.height };
});
const sorted = [...frames.times].sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(1);
console.log("| timeline in Chromium, 100,000-item history (mocked host) | ms |");
console.log("|---|---:|");
console.log(`| first render after opening Records, median of 5 (each: ${renders.map((r) => r.toFixed(0)).join(", ")}) | ${median(renders)} |`);
console.log(`| scroll frame time, median / p95 / max over 600 frames | ${pct(0.5)} / ${pct(0.95)} / ${sorted[sorted.length - 1].toFixed(1)} |`);
console.log(`\nitem rows in the DOM at the end: ${frames.rows}; scrolled list height: ${frames.loaded}`);
await browser.close();
await server.close();
