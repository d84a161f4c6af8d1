/**
 * 4. Child ready: from the primary's 'spawn' event (the pool makes the child: a fork, or the
 * standby taken) to the first response that child serves. A client sends sequential
 * `GET /pid` requests with `Connection: close`; each response names the process that served
 * it, and the first response from a new pid, minus that pid's spawn time, is one sample. The
 * client always has a request waiting, so the sample is the child's start-up, not the client's
 * think time.
 *
 *   prefork  MaxConnectionsPerChild 1: every connection retires its child, and the primary
 *            makes the replacement as it hands the last connection over. Children are needed
 *            faster than one standby boots, so the pool keeps up to three booting side by side;
 *            a sample is what is left of the oldest one's boot, then the app's load.
 *   event    graceful restarts (2 threads per child) a second apart (quick: 0.7 s): the new
 *            child must also start its threads, each loading the app, before it says it is
 *            ready. With the
 *            standby (the default) its Node, engine and threads are already up; without it
 *            (`standby: false`) every child is a cold fork.
 */

import http from 'node:http';
import { startServer } from '../lib/servers.mjs';
import { max, min, percentile } from '../lib/stats.mjs';

const TARGET_P50_MS = 150;
const REQUEST_TIMEOUT_MS = 5000;
const VARIANT_TIMEOUT_MS = 90_000;
/** Graceful restarts this far apart (quick run: closer): the standby taken by one is replaced before the next. */
const RESTART_SPACING_MS = { full: 1000, quick: 700 };
const wallClock = () => performance.timeOrigin + performance.now();

/** One request on a new connection; resolves with the pid that served it and when. */
function getPid(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/pid', agent: false, headers: { connection: 'close' }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ pid: Number(body.split(' ')[0]), at: wallClock() }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

/** Runs `drive` while recording spawns and first responses; returns spawn→first-served in ms. */
async function measure(label, serverArgs, drive) {
  const server = await startServer(label, 'forkyard', serverArgs);
  const spawned = new Map();
  const firstServed = new Map();
  server.on('spawn', (e) => spawned.set(e.pid, e.at));
  const since = wallClock();
  let running = true;
  const client = (async () => {
    while (running) {
      const { pid, at } = await getPid(server.port);
      if (!firstServed.has(pid)) firstServed.set(pid, at);
    }
  })();
  const samples = () => [...firstServed].filter(([pid]) => (spawned.get(pid) ?? 0) > since).map(([pid, at]) => at - spawned.get(pid));
  try {
    await Promise.race([
      drive({ server, samples }),
      client,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${label}: not done within ${VARIANT_TIMEOUT_MS / 1000} s`)), VARIANT_TIMEOUT_MS).unref()),
    ]);
  } finally {
    running = false;
    await client.catch(() => undefined);
    await server.stop();
  }
  return { samples: samples(), details: server.details };
}

const until = async (cond) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

export default {
  id: 'child-ready',
  title: 'Child ready',
  async run(ctx) {
    const n = ctx.plan.spawns;
    const rows = [];

    ctx.log(`${this.title}: prefork, ${n} recycled children`);
    const prefork = await measure(
      'Forkyard prefork',
      [JSON.stringify({ mpm: 'prefork', directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 4, MaxConnectionsPerChild: 1 } })],
      ({ samples }) => until(() => samples().length >= n),
    );
    rows.push({ key: 'prefork', label: 'prefork, MaxConnectionsPerChild 1', ...prefork });

    const eventShape = { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 };
    const restarts = async ({ server, samples }) => {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setTimeout(r, RESTART_SPACING_MS[ctx.plan.name] ?? 1000));
        const before = samples().length;
        await server.request('graceful-restart');
        await until(() => samples().length > before);
      }
    };
    ctx.log(`${this.title}: event, ${n} graceful restarts`);
    const event = await measure('Forkyard event', [JSON.stringify({ mpm: 'event', directives: eventShape })], restarts);
    rows.push({ key: 'event', label: 'event (2 threads), graceful restart', ...event });

    ctx.log(`${this.title}: event without a standby, ${n} graceful restarts`);
    const cold = await measure('Forkyard event (no standby)', [JSON.stringify({ mpm: 'event', directives: eventShape, standby: false })], restarts);
    rows.push({ key: 'event-cold', label: 'event (2 threads), graceful restart, no standby (cold fork)', ...cold });

    for (const row of rows) {
      const s = row.samples;
      Object.assign(row, { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), min: min(s), max: max(s) });
      ctx.log(`${this.title}: ${row.label}: p50 ${row.p50.toFixed(1)} ms, p90 ${row.p90.toFixed(1)} ms over ${row.n}`);
    }
    return {
      kind: 'latency',
      title: this.title,
      intro:
        "Time from the primary's `spawn` event (the pool makes the child: a fork, or its standby taken) to the first response " +
        'served by that child, with a client that always has a request waiting (sequential `GET /pid`, `Connection: close`). ' +
        'By default a pool keeps one standby process booted (Node, the engine and, for worker/event, its threads) and makes ' +
        'its next child of it; the application is loaded after, so a graceful restart still loads new code. ' +
        'prefork: MaxConnectionsPerChild 1, so every connection retires its child and the pool makes the replacement at once, ' +
        'faster than one standby boots; the pool then keeps up to three booting side by side, and most samples are what is left ' +
        'of the oldest one\'s boot. event: one child of 2 threads, ' +
        'replaced by graceful restarts a second apart (0.7 s in the quick run); its threads load the app before the child is ready. The same with ' +
        '`standby: false` shows a cold fork, without a target.',
      rows,
      targets: rows.filter((r) => r.key !== 'event-cold').map((r) => ({ key: r.key, value: TARGET_P50_MS })),
    };
  },
};
