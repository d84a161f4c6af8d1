/**
 * 4. Child ready: from the primary's 'spawn' event (just after fork()) to the first response
 * that child serves. A client sends sequential `GET /pid` requests with `Connection: close`;
 * each response names the process that served it, and the first response from a new pid,
 * minus that pid's spawn time, is one sample. The client always has a request waiting, so the
 * sample is the child's start-up, not the client's think time.
 *
 *   prefork  MaxConnectionsPerChild 1: every connection retires its child, and the primary
 *            forks the replacement as it hands the last connection over.
 *   event    graceful restarts (2 threads per child): the new child must also start its
 *            threads, each loading the app, before it says it is ready.
 */

import http from 'node:http';
import { startServer } from '../lib/servers.mjs';
import { max, min, percentile } from '../lib/stats.mjs';

const TARGET_P50_MS = 150;
const REQUEST_TIMEOUT_MS = 5000;
const VARIANT_TIMEOUT_MS = 60_000;
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

    ctx.log(`${this.title}: event, ${n} graceful restarts`);
    const event = await measure(
      'Forkyard event',
      [JSON.stringify({ mpm: 'event', directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 } })],
      async ({ server, samples }) => {
        for (let i = 0; i < n; i++) {
          const before = samples().length;
          await server.request('graceful-restart');
          await until(() => samples().length > before);
        }
      },
    );
    rows.push({ key: 'event', label: 'event (2 threads), graceful restart', ...event });

    for (const row of rows) {
      const s = row.samples;
      Object.assign(row, { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), min: min(s), max: max(s) });
      ctx.log(`${this.title}: ${row.label}: p50 ${row.p50.toFixed(1)} ms, p90 ${row.p90.toFixed(1)} ms over ${row.n}`);
    }
    return {
      kind: 'latency',
      title: this.title,
      intro:
        "Time from the primary's `spawn` event (right after `fork()`) to the first response served by that child, with a " +
        'client that always has a request waiting (sequential `GET /pid`, `Connection: close`). prefork: MaxConnectionsPerChild 1, ' +
        'so every connection retires its child and the primary forks the replacement at once. event: one child of 2 threads, ' +
        'replaced by graceful restarts; its threads load the app before the child is ready.',
      rows,
      targets: rows.map((r) => ({ key: r.key, value: TARGET_P50_MS })),
    };
  },
};
