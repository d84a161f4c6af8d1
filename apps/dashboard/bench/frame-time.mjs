#!/usr/bin/env node
/**
 * Frame-time benchmark of the dashboard: 4,096 scoreboard slots (64 children × 64 threads)
 * updated at 10 Hz through the real store and delta path, with the scoreboard, charts and event
 * log mounted, in headless Chromium. Prints one JSON object (p95 frame time and more).
 *
 *   node bench/frame-time.mjs [--seconds 10] [--children 64] [--threads 64] [--change 0.25] [--hz 10]
 *                             [--parts scoreboard,charts,events] [--width 1920 --height 1080]
 *                             [--screenshot board.png]   (the page as it was when measuring ended)
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium. The page is built into a temporary folder with
 * Vite and served from loopback; nothing is left behind.
 */
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
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
    width: { type: 'string', default: '1920' },
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
};

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
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 5000 },
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
  const result = await page.evaluate((o) => window.runFrameBench(o), opts);
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
