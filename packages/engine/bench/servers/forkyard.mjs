/**
 * Contender: a Forkyard pool (this process is its primary) serving the built-in demo app.
 * argv[2] is the pool config as JSON ({ mpm, directives }). Besides stop, the runner may ask
 * for `info` (children alive, from snapshot()) and a `graceful-restart`; every 'spawn' event
 * is forwarded with its wall-clock time, for the child-ready benchmark.
 */

import { announce, fail, onStop, wallClock } from './control.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');

try {
  const { createPool } = await import(new URL('../../dist/index.js', import.meta.url).href);
  const pool = createPool({ ...config, listen: { host: '127.0.0.1', port: 0 } });
  pool.on('spawn', (e) => process.send?.({ t: 'spawn', pid: e.pid, slot: e.slot, at: wallClock() }));
  onStop(() => pool.stop());

  const acts = {
    info: () => {
      const image = pool.snapshot();
      return { children: image.processes.filter((p) => p.pid > 0).length, generation: image.global.mpmGeneration };
    },
    'graceful-restart': async () => {
      await pool.gracefulRestart();
      return {};
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

  const address = await pool.start();
  const d = pool.directives;
  const shown = {
    prefork: ['StartServers', 'MinSpareServers', 'MaxSpareServers', 'MaxRequestWorkers', 'ServerLimit'],
    worker: ['StartServers', 'ThreadsPerChild', 'MinSpareThreads', 'MaxSpareThreads', 'MaxRequestWorkers', 'ServerLimit'],
    event: ['StartServers', 'ThreadsPerChild', 'MinSpareThreads', 'MaxSpareThreads', 'MaxRequestWorkers', 'ServerLimit', 'AsyncRequestWorkerFactor'],
  }[pool.mpm];
  const effective = Object.fromEntries([...shown, 'MaxConnectionsPerChild', 'MaxKeepAliveRequests', 'KeepAliveTimeout'].map((k) => [k, d[k]]));
  announce({ port: address.port, mpm: pool.mpm, effective, warnings: pool.config.warnings.map((w) => w.message ?? String(w)) });
} catch (err) {
  fail(err);
}
