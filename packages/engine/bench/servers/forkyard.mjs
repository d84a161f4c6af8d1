/**
 * Contender: a Forkyard pool (this process is its primary) serving the built-in demo app.
 * argv[2] is the pool config as JSON ({ mpm, directives, control, standby }). Besides stop, the runner
 * may ask for `info` (children alive, from snapshot()), a `graceful-restart`, `status` (the
 * pool's own /server-status?auto, as numbers) and `memory` (VmRSS of the primary and of each
 * child); every 'spawn' event is forwarded with its wall-clock time, for the child-ready
 * benchmark.
 *
 * With `control: true` the control plane (apps/control, built) runs in this process too, as
 * `forkyard start` runs it: on 127.0.0.1, a port of its own, reads open to loopback clients
 * (so the stream needs no token), a fresh data directory under the system's temp directory,
 * removed on stop. Its port is announced as `controlPort`.
 *
 *   runner ──IPC──▶ this process: primary + control plane (Fastify, /api/v1/stream)
 *                      └─▶ children (─▶ threads)
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { announce, fail, onStop, wallClock } from './control.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');
let plane = null;

/** Resident set size of a process in bytes (0 if it is gone), from /proc/<pid>/status. */
function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** `Key: value` lines of ?auto whose value is a number. */
function autoFigures(body) {
  const out = {};
  for (const line of body.split('\n')) {
    const m = /^([A-Za-z][\w ]*):\s*(-?[\d.]+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

async function startControlPlane(pool) {
  const url = new URL('../../../../apps/control/dist/index.js', import.meta.url);
  let control;
  try {
    control = await import(url.href);
  } catch (err) {
    throw new Error(`cannot load ${url.pathname}: build the control plane first (pnpm build)`, { cause: err });
  }
  const dataDir = mkdtempSync(join(os.tmpdir(), 'forkyard-bench-'));
  const store = control.openStore(dataDir);
  const plane = await control.listenControlPlane({ pool, store, tokens: [], openRead: true, dashboard: false, host: '127.0.0.1', port: 0 });
  return {
    port: new URL(plane.url).port,
    async close() {
      await plane.close().catch(() => undefined);
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

try {
  const { createPool } = await import(new URL('../../dist/index.js', import.meta.url).href);
  const pool = createPool({ mpm: config.mpm, directives: config.directives, listen: { host: '127.0.0.1', port: 0 }, ...(config.standby === undefined ? {} : { standby: config.standby }) });
  pool.on('spawn', (e) => process.send?.({ t: 'spawn', pid: e.pid, slot: e.slot, at: wallClock() }));
  onStop(async () => {
    // The control plane goes first, as in `forkyard start`: its stream clients are told, then the pool stops.
    await plane?.close();
    await pool.stop();
  });

  const acts = {
    info: () => {
      const image = pool.snapshot();
      return { children: image.processes.filter((p) => p.pid > 0).length, generation: image.global.mpmGeneration };
    },
    'graceful-restart': async () => {
      await pool.gracefulRestart();
      return {};
    },
    status: () => ({ figures: autoFigures(pool.renderStatus('auto').body) }),
    memory: () => {
      const children = pool.snapshot().processes.filter((p) => p.pid > 0).map((p) => ({ pid: p.pid, rss: rssOf(p.pid) }));
      return { primary: rssOf(process.pid), children };
    },
  };
  process.on('message', (msg) => {
    const act = acts[msg?.t];
    if (!act) return;
    Promise.resolve()
      .then(act)
      .then(
        (reply) => process.send?.({ t: 'reply', seq: msg.seq, ...reply }),
        (err) => process.send?.({ t: 'reply', seq: msg.seq, error: err.message }),
      );
  });

  if (config.control) plane = await startControlPlane(pool);
  const address = await pool.start();
  const d = pool.directives;
  const shown = {
    prefork: ['StartServers', 'MinSpareServers', 'MaxSpareServers', 'MaxRequestWorkers', 'ServerLimit'],
    worker: ['StartServers', 'ThreadsPerChild', 'MinSpareThreads', 'MaxSpareThreads', 'MaxRequestWorkers', 'ServerLimit'],
    event: ['StartServers', 'ThreadsPerChild', 'MinSpareThreads', 'MaxSpareThreads', 'MaxRequestWorkers', 'ServerLimit', 'AsyncRequestWorkerFactor'],
  }[pool.mpm];
  const effective = Object.fromEntries([...shown, 'MaxConnectionsPerChild', 'MaxKeepAliveRequests', 'KeepAliveTimeout'].map((k) => [k, d[k]]));
  announce({
    port: address.port,
    ...(plane ? { controlPort: Number(plane.port) } : {}),
    mpm: pool.mpm,
    effective,
    warnings: pool.config.warnings.map((w) => w.message ?? String(w)),
  });
} catch (err) {
  await plane?.close();
  fail(err);
}
