/**
 * 5. Dashboard frame time: the dashboard's own benchmark (apps/dashboard/bench/frame-time.mjs)
 * in headless Chromium — 4,096 scoreboard slots (64 children × 64 threads), 10 updates a
 * second with a quarter of the slots changing, fed through the real stream client and store,
 * with the scoreboard, charts and event log mounted. Skipped when Chromium is not installed.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = join(dirname(fileURLToPath(import.meta.url)), '../../../../apps/dashboard');
const SCRIPT = join(DASHBOARD, 'bench/frame-time.mjs');
/** One frame at 60 Hz is 16.7 ms: a p95 at one frame (plus timer resolution) means no frame dropped. */
const TARGET_P95_MS = 16.9;

function runFrameBench(seconds) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, '--seconds', String(seconds)], { cwd: DASHBOARD, timeout: 180_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        resolve(JSON.parse(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export default {
  id: 'dashboard',
  title: 'Dashboard frame time',
  async run(ctx) {
    const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    const seconds = ctx.plan.name === 'quick' ? 5 : 15;
    const intro =
      'The dashboard in headless Chromium (1920×1080, no GPU) with 4,096 scoreboard slots (64 children × 64 threads) updated ' +
      '10 times a second, 1,024 slots changing per update, through the real stream client and store, with the scoreboard, ' +
      'charts and event log on the page. Frame time is the interval between animation frames: at 60 Hz one frame is 16.7 ms, ' +
      'so a p95 of one frame means at least 95 % of frames were not dropped (the issue\'s "< 16 ms" reads as that).';
    if (!existsSync(SCRIPT) || !existsSync(chromium)) {
      ctx.log(`${this.title}: skipped (no ${existsSync(SCRIPT) ? chromium : SCRIPT})`);
      return { kind: 'frames', title: this.title, intro: `${intro}\n\nNot run: Chromium or the dashboard is missing.`, rows: [], targets: [] };
    }
    ctx.log(`${this.title}: ${seconds} s in headless Chromium`);
    const r = await runFrameBench(seconds);
    ctx.log(`${this.title}: p95 ${r.frameTimeMs.p95} ms, p99 ${r.frameTimeMs.p99} ms, ${r.fps} fps`);
    const row = {
      key: 'full-page',
      label: `${r.slots} slots, ${r.updateHz} Hz, ${r.changedSlotsPerUpdate} changing, page: ${r.mounted.join(' + ')}`,
      frames: r.frames,
      fps: r.fps,
      p50: r.frameTimeMs.p50,
      p95: r.frameTimeMs.p95,
      p99: r.frameTimeMs.p99,
      max: r.frameTimeMs.max,
      paintP95: r.canvasPaintMs?.p95,
      storeP95: r.storeUpdateMs?.p95,
      loadavg: r.machine?.loadAverage1m,
    };
    return { kind: 'frames', title: this.title, intro, rows: [row], targets: [{ key: row.key, value: TARGET_P95_MS }] };
  },
};
