/**
 * 6. Idle keep-alive connections on event: 2,000 clients that sent one request each and then
 * went quiet, parked in the children without occupying a thread's slot. While they sit there,
 * new visitors must still be served at once, and each parked connection should cost little
 * memory.
 *
 *   runner ── 2,000 raw keep-alive sockets (one request each, then silent) ──▶ primary ─▶ 2 children
 *          ── probes: a request on a fresh connection + the next request of a random parked one
 *
 * The shape: 2 children × 25 threads. An event child accepts while
 * open < ThreadsPerChild + idle threads × AsyncRequestWorkerFactor, so with every thread idle
 * and AsyncRequestWorkerFactor 48 each child holds 25 + 25 × 48 = 1,225 connections, 2,450 for
 * the pool. ServerLimit 2 and MaxRequestWorkers 50 keep it at two children (parked connections
 * leave every thread idle, so maintenance has no reason to change that); KeepAliveTimeout 60
 * keeps them open through the run.
 *
 * Memory per parked connection: (VmRSS of the primary and its children with the connections
 * parked − the same before they were opened) / connections. The "before" comes after the
 * no-parked probes, so JIT warm-up and first-request allocations are not charged to them.
 * worker is not run: it holds one connection per thread, so 2,000 idle connections need
 * 2,000 threads.
 */

import { readFileSync } from 'node:fs';
import { freshRequest, RawConnection } from '../lib/raw-http.mjs';
import { startServer } from '../lib/servers.mjs';
import { max, percentile } from '../lib/stats.mjs';

const IDLE = 2000;
const TARGET_P99_MS = 20;
/** Connections opened at once: well inside ListenBacklog (511). */
const OPEN_BATCH = 100;
/** Probe ticks per second; each tick sends a fresh request and, once some are parked, a parked one's next. */
const PROBE_HZ = 100;
const SETTLE_TIMEOUT_MS = 15_000;
/** Keep-alive load before anything is measured: one connection per thread. */
const WARMUP_CONNECTIONS = 50;
/** Descriptors this process needs besides the idle connections (probes, IPC, stdio, modules). */
const FD_HEADROOM = 256;

const SHAPE = {
  StartServers: 2,
  ServerLimit: 2,
  ThreadsPerChild: 25,
  MaxRequestWorkers: 50,
  MinSpareThreads: 25,
  MaxSpareThreads: 75,
  AsyncRequestWorkerFactor: 48,
  KeepAliveTimeout: 60,
};
const SHAPE_TEXT = '2 children × 25 threads, AsyncRequestWorkerFactor 48 (1,225 connections per child)';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Memory is measured on a pool of its own with as few V8 heaps as an event pool can have (one
 * child, two threads, a listener): with the probe pool's 50 thread heaps, garbage not yet
 * collected moved the total by more than 2,000 connections cost. One child holds them all:
 * ThreadsPerChild 2 + 2 idle × AsyncRequestWorkerFactor 1,000 = 2,002 connections.
 */
const MEMORY_SHAPE = {
  StartServers: 1,
  ServerLimit: 1,
  ThreadsPerChild: 2,
  MaxRequestWorkers: 2,
  MinSpareThreads: 1,
  MaxSpareThreads: 4,
  AsyncRequestWorkerFactor: 1000,
  KeepAliveTimeout: 60,
};
const MEMORY_SHAPE_TEXT = '1 child × 2 threads, AsyncRequestWorkerFactor 1,000';

/** This process's soft limit on open files (Node cannot raise it), or Infinity if unknown. */
function openFileLimit() {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    return Infinity;
  }
}

const rssTotal = (m) => m.primary + m.children.reduce((n, c) => n + c.rss, 0);
const status = async (server) => (await server.request('status')).figures;

/** Polls ?auto until `cond(figures)` holds; resolves with the last figures either way. */
async function settle(server, cond) {
  const until = performance.now() + SETTLE_TIMEOUT_MS;
  let f = await status(server);
  while (!cond(f) && performance.now() < until) {
    await sleep(250);
    f = await status(server);
  }
  return f;
}

/** Opens `n` keep-alive connections, each serving one request, OPEN_BATCH at a time. */
async function openParked(port, n) {
  const conns = [];
  let failed = 0;
  for (let i = 0; i < n; i += OPEN_BATCH) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(OPEN_BATCH, n - i) }, async () => {
        const conn = await RawConnection.open(port);
        try {
          if ((await conn.get('/')) !== 200) throw new Error('not 200');
        } catch (err) {
          conn.destroy();
          throw err;
        }
        return conn;
      }),
    );
    for (const r of batch) if (r.status === 'fulfilled') conns.push(r.value);
    else failed++;
  }
  return { conns, failed };
}

/**
 * Open-loop probes for `seconds`: every tick a request on a fresh connection and, if `parked`
 * is not empty, the next request of one parked connection not already in use. Each is timed
 * from its own send, so a slow answer never delays the next probe.
 */
async function probe(port, seconds, parked) {
  const fresh = [];
  const wake = [];
  let errors = 0;
  const inUse = new Set();
  const inflight = [];
  const t0 = performance.now();
  for (let i = 0; i < seconds * PROBE_HZ; i++) {
    const wait = t0 + (i * 1000) / PROBE_HZ - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      freshRequest(port, '/').then(
        (r) => (r.status === 200 ? fresh.push(r.ms) : errors++),
        () => errors++,
      ),
    );
    if (parked.length === 0) continue;
    const conn = parked[Math.floor(Math.random() * parked.length)];
    if (inUse.has(conn) || conn.closed) continue;
    inUse.add(conn);
    const sent = performance.now();
    inflight.push(
      conn
        .get('/')
        .then(
          (s) => (s === 200 ? wake.push(performance.now() - sent) : errors++),
          () => errors++,
        )
        .finally(() => inUse.delete(conn)),
    );
  }
  await Promise.all(inflight);
  return { fresh, wake, errors };
}

function latencyRow(key, label, samples, errors) {
  return { key, label, n: samples.length, errors, p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), max: max(samples) };
}

/**
 * Parks IDLE connections in two halves (into `parked`, so the caller can close them whatever
 * happens) and reads the pool's memory a second after each: both readings are of the same warm
 * pool, so the heaps' own growth and shrinkage after the warm-up does not count against the
 * connections.
 */
async function parkInHalves(server, parked) {
  const first = await openParked(server.port, IDLE / 2);
  parked.push(...first.conns);
  const halfCount = parked.length;
  await settle(server, (f) => f.ConnsAsyncKeepAlive >= halfCount && f.BusyWorkers === 0);
  await sleep(1000);
  const half = await server.request('memory');
  const second = await openParked(server.port, IDLE - IDLE / 2);
  parked.push(...second.conns);
  const atRest = await settle(server, (f) => f.ConnsAsyncKeepAlive >= parked.length && f.BusyWorkers === 0);
  await sleep(1000);
  const after = await server.request('memory');
  return { failed: first.failed + second.failed, halfCount, half, after, atRest };
}

/** Memory per parked connection: the growth over the second half, and the readings around it. */
function memoryFigures(before, p, parkedCount, later) {
  const added = Math.max(1, parkedCount - p.halfCount);
  return {
    before: rssTotal(before),
    half: rssTotal(p.half),
    halfCount: p.halfCount,
    after: rssTotal(p.after),
    perConnection: (rssTotal(p.after) - rssTotal(p.half)) / added,
    primaryPerConnection: (p.after.primary - p.half.primary) / added,
    afterProbes: rssTotal(later),
    sameChildren: before.children.map((c) => c.pid).join() === p.after.children.map((c) => c.pid).join(),
  };
}

/**
 * VmRSS of the memory pool (primary, child) warm, with half of IDLE parked and with all: the
 * growth over the second half, per connection. Resolves with null if they could not be parked.
 */
async function measureParkedMemory(ctx, log) {
  const server = await startServer('Forkyard event (memory)', 'forkyard', [JSON.stringify({ mpm: 'event', directives: MEMORY_SHAPE })]);
  const parked = [];
  try {
    const port = server.port;
    await ctx.load.run({ port, connections: 2, duration: Math.max(1, ctx.plan.warmup) });
    await settle(server, (f) => f.ConnsTotal === 0);
    await sleep(1000);
    const before = await server.request('memory');
    const halves = await parkInHalves(server, parked);
    const later = await server.request('memory');
    log(`Idle keep-alive connections (event): memory pool: ${parked.length} parked, ConnsAsyncKeepAlive ${halves.atRest.ConnsAsyncKeepAlive}`);
    if (halves.atRest.ConnsAsyncKeepAlive < 0.98 * IDLE) return null;
    return { shape: MEMORY_SHAPE_TEXT, ...memoryFigures(before, halves, parked.length, later) };
  } finally {
    for (const c of parked) c.destroy();
    await server.stop();
  }
}

export default {
  id: 'idle',
  title: 'Idle keep-alive connections (event)',
  async run(ctx) {
    const { log } = ctx;
    const seconds = ctx.plan.name === 'quick' ? 3 : 10;
    const baselineSeconds = ctx.plan.name === 'quick' ? 2 : 4;
    const intro =
      `${IDLE.toLocaleString('en-US')} keep-alive connections to an event pool (${SHAPE_TEXT}; ServerLimit 2, MaxRequestWorkers 50, ` +
      'KeepAliveTimeout 60) each send one `GET /` and then stay silent, parked: held by the children, occupying no thread\'s slot. ' +
      `Then probes at ${PROBE_HZ} a second for ${seconds} s: each sends \`GET /\` on a fresh connection (\`Connection: close\`; timed from ` +
      'before the connect to the last byte: what a new visitor waits) and the next request of a randomly chosen parked ' +
      'connection (timed from its write). The same fresh probes run first with nothing parked, for contrast. Percentiles are ' +
      'exact, from every sample. Before anything is measured, autocannon keeps all 50 threads busy for a moment, so every ' +
      'heap has grown to its working size. Memory per parked connection is the growth of VmRSS (/proc) of the primary and ' +
      'its children between a second after half of the connections were parked and a second after all of them were, ' +
      `divided by the second half's number: both readings are of the same warm pool. It is measured again on a pool of ${MEMORY_SHAPE_TEXT}, ` +
      'where all 2,000 are parked in one child: each of the probe pool\'s 50 threads is a V8 heap of its own, and their ' +
      'garbage not yet collected moves its total by more than the connections do. The connections and probes run in ' +
      'the runner\'s own process. worker is not run: it holds one connection per thread, so this many idle connections would ' +
      'need as many threads.';

    const limit = openFileLimit();
    if (limit < IDLE + FD_HEADROOM) {
      log(`${this.title}: skipped: this process may open ${limit} files, it needs ${IDLE + FD_HEADROOM} (raise ulimit -n)`);
      return {
        kind: 'idle',
        title: this.title,
        intro: `${intro}\n\nNot run: the runner may open ${limit} files (ulimit -n) and needs ${IDLE + FD_HEADROOM}.`,
        rows: [],
        parked: null,
        memory: null,
        targets: [{ key: 'fresh', value: TARGET_P99_MS }],
      };
    }

    const server = await startServer('Forkyard event', 'forkyard', [JSON.stringify({ mpm: 'event', directives: SHAPE })]);
    const parked = [];
    try {
      const port = server.port;
      // Every thread serves for a while first, so the "before" memory is of a pool that has
      // been working (heaps grown to their working size), not of one that has just started.
      await ctx.load.run({ port, connections: WARMUP_CONNECTIONS, duration: Math.max(1, ctx.plan.warmup) });
      log(`${this.title}: ${baselineSeconds} s of fresh probes with nothing parked`);
      const base = await probe(port, baselineSeconds, []);
      await settle(server, (f) => f.ConnsTotal === 0);
      const before = await server.request('memory');

      log(`${this.title}: opening ${IDLE} keep-alive connections, half at a time`);
      const halves = await parkInHalves(server, parked);
      const { atRest } = halves;
      log(`${this.title}: ${parked.length} open (${halves.failed} failed); ConnsTotal ${atRest.ConnsTotal}, ConnsAsyncKeepAlive ${atRest.ConnsAsyncKeepAlive}, BusyWorkers ${atRest.BusyWorkers}`);

      log(`${this.title}: ${seconds} s of probes with ${parked.length} parked`);
      const loaded = await probe(port, seconds, parked);
      const afterProbes = await settle(server, (f) => f.ConnsAsyncKeepAlive >= parked.filter((c) => !c.closed).length && f.BusyWorkers === 0);
      const closedByServer = parked.filter((c) => c.closed).length;
      const later = await server.request('memory');

      const memory = memoryFigures(before, halves, parked.length, later);
      const rows = [
        latencyRow('fresh-none', 'fresh connection, nothing parked', base.fresh, base.errors),
        latencyRow('fresh', `fresh connection, ${parked.length.toLocaleString('en-US')} parked`, loaded.fresh, loaded.errors),
        latencyRow('wake', 'next request of a parked connection', loaded.wake, 0),
      ];
      for (const r of rows) log(`${this.title}: ${r.label}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms over ${r.n}`);
      log(`${this.title}: ${(memory.perConnection / 1024).toFixed(1)} KiB per parked connection in the probe pool`);
      const parkedSummary = { wanted: IDLE, opened: parked.length, failed: halves.failed, atRest, afterProbes, closedByServer };
      const details = server.details;
      for (const c of parked) c.destroy();
      parked.length = 0;
      await server.stop();
      // The quick run reports the probe pool's figure only: the second pool takes seconds to fill.
      const quick = ctx.plan.name === 'quick';
      if (!quick) log(`${this.title}: memory on a pool of ${MEMORY_SHAPE_TEXT}`);
      const small = quick ? null : await measureParkedMemory(ctx, log);
      if (small) log(`${this.title}: ${(small.perConnection / 1024).toFixed(1)} KiB per parked connection (${MEMORY_SHAPE_TEXT})`);
      return {
        kind: 'idle',
        title: this.title,
        intro,
        rows,
        parked: parkedSummary,
        memory: small ?? memory,
        memoryProbePool: small ? memory : null,
        details,
        targets: [{ key: 'fresh', value: TARGET_P99_MS }],
      };
    } finally {
      for (const c of parked) c.destroy();
      await server.stop();
    }
  },
};
