#!/usr/bin/env node
/**
 * Frame-time benchmark of the dashboard: 4,096 scoreboard slots (64 children × 64 threads)
 * updated at 10 Hz through the real store and delta path, with the scoreboard, charts (ten
 * minutes of history) and event log mounted, in headless Chromium. Prints one JSON object
 * (p95 frame time and more).
 *
 *   node bench/frame-time.mjs [--seconds 10] [--children 64] [--threads 64] [--change 0.25] [--hz 10]
 *                             [--parts scoreboard,charts,events] [--width 1920 --height 1080]
 *                             [--scroll 300]             (the grid scrolled down that many pixels first)
 *                             [--screenshot board.png]   (the page as it was when measuring ended)
 *                             [--trace trace.json]       (Chromium's trace events, for a per-frame breakdown)
 *                             [--cpuprofile page.cpuprofile]  (unminified build and V8's sampling profile, for
 *                                                       attributing script time; it slows the page, so not for figures)
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium. The page is built into a temporary folder with
 * Vite and served from loopback; nothing is left behind.
 */
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    children: { type: 'string', default: '64' },
    threads: { type: 'string', default: '64' },
    change: { type: 'string', default: '0.25' },
    hz: { type: 'string', default: '10' },
    parts: { type: 'string', default: 'scoreboard,charts,events' },
    screenshot: { type: 'string' },
    trace: { type: 'string' },
    cpuprofile: { type: 'string' },
    width: { type: 'string', default: '1920' },
    scroll: { type: 'string', default: '0' },
    height: { type: 'string', default: '1080' },
  },
});
const opts = {
  seconds: Number(values.seconds),
  children: Number(values.children),
  threads: Number(values.threads),
  changeShare: Number(values.change),
  hz: Number(values.hz),
  parts: values.parts.split(','),
  scroll: Number(values.scroll),
};

/**
 * Main-thread work per frame between the page's `frame-bench:start` and `frame-bench:end`
 * marks, from Chromium's trace of the renderer's main thread: a frame starts with the task
 * that runs its animation-frame callbacks (the page's rAF loop has one in every frame), and its
 * work is that task and every other task the thread ran before the next frame starts —
 * the stream update, React's render, the canvas paint, style, layout, paint and commit.
 * Under 16.7 ms, the frame was ready within one 60 Hz interval.
 */
function workPerFrame(events) {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return null;
  const onMain = (e) => e.pid === main.pid && e.tid === main.tid;
  const mark = (name) => events.find((e) => e.name === name && e.pid === main.pid)?.ts;
  const start = mark('frame-bench:start');
  const end = mark('frame-bench:end');
  if (start === undefined || end === undefined) return null;
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && onMain(e) && e.ts >= start && e.ts < end).sort((x, y) => x.ts - y.ts);
  const rafs = events.filter((e) => e.name === 'FireAnimationFrame' && onMain(e) && e.ts >= start && e.ts < end).map((e) => e.ts).sort((x, y) => x - y);
  // Frame boundaries: the start of each task that fired animation frames.
  const starts = [];
  let r = 0;
  for (const t of tasks) {
    while (r < rafs.length && rafs[r] < t.ts) r++;
    if (r < rafs.length && rafs[r] < t.ts + t.dur) starts.push(t.ts);
  }
  const work = [];
  let i = 0;
  for (let f = 0; f + 1 < starts.length; f++) {
    while (i < tasks.length && tasks[i].ts < starts[f]) i++;
    let us = 0;
    for (let j = i; j < tasks.length && tasks[j].ts < starts[f + 1]; j++) us += tasks[j].dur;
    work.push(us / 1000);
  }
  if (work.length === 0) return null;
  const sorted = work.sort((x, y) => x - y);
  const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
  return { frames: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100), over16ms: sorted.filter((ms) => ms > 16.7).length };
}

const outDir = mkdtempSync(join(tmpdir(), 'forkyard-frame-bench-'));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
let server;
let browser;
try {
  await build({
    configFile: false,
    logLevel: 'error',
    root: join(here, 'page'),
    base: './',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 5000, ...(values.cpuprofile ? { minify: false } : {}) },
  });
  server = createServer((req, res) => {
    const path = normalize(join(outDir, new URL(req.url ?? '/', 'http://x').pathname));
    const file = path.startsWith(outDir) && existsSync(path) && !path.endsWith('/') ? path : join(outDir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/index.html`;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) } });
  await page.goto(url);
  await page.waitForFunction(() => typeof window.runFrameBench === 'function');
  const loadBefore = loadavg()[0];
  // Chromium's own trace of the renderer's main thread: every task it ran, to measure the work
  // behind each frame (the animation-frame intervals alone say only whether frames were dropped).
  const cdp = await page.context().newCDPSession(page);
  const trace = [];
  cdp.on('Tracing.dataCollected', (e) => trace.push(...e.value));
  await cdp.send('Tracing.start', { categories: 'disabled-by-default-devtools.timeline,devtools.timeline,blink.user_timing,__metadata', transferMode: 'ReportEvents' });
  if (values.cpuprofile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const result = await page.evaluate((o) => window.runFrameBench(o), opts);
  if (values.cpuprofile) writeFileSync(values.cpuprofile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.end');
  await traced;
  result.workPerFrameMs = workPerFrame(trace);
  if (values.trace) writeFileSync(values.trace, JSON.stringify(trace));
  if (values.screenshot) await page.screenshot({ path: values.screenshot });
  const out = {
    benchmark: 'dashboard-frame-time',
    browser: `chromium ${browser.version()} headless (--disable-gpu)`,
    viewport: `${values.width}x${values.height}`,
    machine: { cpus: cpus().length, loadAverage1m: [Math.round(loadBefore * 100) / 100, Math.round(loadavg()[0] * 100) / 100] },
    ...result,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  await browser?.close();
  server?.close();
  rmSync(outDir, { recursive: true, force: true });
}
