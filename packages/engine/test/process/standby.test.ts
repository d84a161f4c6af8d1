/**
 * The standby: a pool keeps one child process booted ahead of need (Node, the engine and, for
 * worker/event, its threads) and makes its next child of it. The child taken is that very
 * process, serves at once, and loads the application after it is taken; another standby
 * replaces it. While children are made faster than one boots, several boot side by side. A
 * standby of the wrong kind (after a model switch) is stopped, not used. Stopping the pool stops
 * every standby; `standby: false` keeps none.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Pool, PoolConfig } from '@forkyard/engine';
import { DEFAULT_STANDBYS as MAX_STANDBYS } from '../../src/primary/config.js';
import { childrenOf, get, isAlive, startPoolObserved, stopPool, waitFor } from './helpers.js';

const pidOf = (body: string): number => Number(body.split(' ')[0]);

/** A pool, and the pid of every child it makes from the start (a standby taken included). */
async function startWatched(config: PoolConfig): Promise<{ pool: Pool; port: number; spawned: number[] }> {
  const spawned: number[] = [];
  const { pool, port } = await startPoolObserved(config, (p) => p.on('spawn', (e) => spawned.push(e.pid)));
  return { pool, port, spawned };
}

const booted = (pool: Pool): Promise<{ pid: number; booted: boolean }> =>
  waitFor('a booted standby', () => (pool.standby?.booted ? pool.standby : null), 20_000);

test('event: the child a graceful restart makes is the booted standby, with its threads, and a new standby follows', async () => {
  const { pool, port, spawned } = await startWatched({ mpm: 'event', directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 } });
  const standby = await booted(pool);
  assert.equal(spawned.includes(standby.pid), false, 'the standby is not one of the pool\'s children');
  assert.equal(pool.snapshot().processes.some((p) => p.pid === standby.pid), false, 'it holds no scoreboard slot');

  await pool.gracefulRestart();
  assert.equal(spawned.at(-1), standby.pid, 'the new generation\'s child is the standby');
  const r = await get(port, '/pid');
  assert.equal(pidOf(r.body), standby.pid, 'and it serves');
  const i = pool.snapshot().processes.findIndex((p) => p.pid === standby.pid);
  assert.ok(i >= 0);
  assert.equal(pool.snapshot().workers[i]!.filter((w) => w.status !== '.').length, 2, 'both its threads are up');

  const next = await booted(pool);
  assert.notEqual(next.pid, standby.pid, 'a new standby replaces the one taken');
  await stopPool(pool);
  assert.equal(isAlive(next.pid), false, 'stopping the pool stops the standby');
});

test('prefork: the standby is of its kind; after a switch to worker it is stopped, not used, and a threaded one replaces it', async () => {
  const { pool, port, spawned } = await startWatched({ mpm: 'prefork', directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 4 } });
  const prefork = await booted(pool);
  await pool.switchMpm('worker');
  assert.equal(spawned.includes(prefork.pid), false, 'no worker child was made of the prefork standby');
  // The next standby is prepared once a worker child is up.
  const threaded = await waitFor('a booted threaded standby', () => (pool.standby?.booted && pool.standby.pid !== prefork.pid ? pool.standby : null), 20_000);
  assert.equal(spawned.includes(threaded.pid), false);
  await waitFor('the prefork standby gone', () => !isAlive(prefork.pid), 5_000);
  const r = await get(port, '/pid');
  assert.equal(r.status, 200);
  await stopPool(pool);
});

test('worker: a standby booted for 2 threads becomes a child of 3 after ThreadsPerChild changes', async () => {
  const { pool, port, spawned } = await startWatched({ mpm: 'worker', directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 6 } });
  const standby = await booted(pool);
  await pool.applyDirectives({ ThreadsPerChild: 3, MaxRequestWorkers: 6, MaxSpareThreads: 9 });
  assert.ok(spawned.includes(standby.pid), 'the new generation took the standby');
  const i = pool.snapshot().processes.findIndex((p) => p.pid === standby.pid);
  await waitFor('its 3 threads idle', () => pool.snapshot().workers[i]!.filter((w) => w.status === '_').length === 3, 10_000);
  assert.equal((await get(port, '/')).status, 200);
  await stopPool(pool);
});

test('standby: false keeps no process besides the children', async () => {
  const { pool } = await startPoolObserved({ mpm: 'event', standby: false, directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 } }, () => undefined);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(pool.standby, null);
  // This process's children that run Forkyard's child entry (the test runner has others, e.g. esbuild).
  const cmdline = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return '';
    }
  };
  const forkyard = childrenOf(process.pid).map((s) => s.pid).filter((pid) => /^forkyard: |child\/main\.js/.test(cmdline(pid)));
  const inPool = pool.snapshot().processes.filter((p) => p.pid > 0).map((p) => p.pid);
  assert.equal(inPool.length, 1);
  assert.deepEqual(forkyard.filter((pid) => !inPool.includes(pid)).map(cmdline), [], 'every Forkyard process besides the primary holds a slot');
  await stopPool(pool);
});

test('prefork, every child recycled after one connection: the pool boots several standbys side by side, never more than MAX_STANDBYS, and stops them all with itself', async () => {
  const { pool, port, spawned } = await startWatched({ mpm: 'prefork', directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 4, MaxConnectionsPerChild: 1 } });
  await booted(pool);
  const seen = new Set<number>();
  let most = 0;
  const served = new Set<number>();
  // Each response retires its child, so children are made one per request, faster than one standby boots.
  for (let i = 0; i < 12; i++) {
    served.add(pidOf((await get(port, '/pid')).body));
    most = Math.max(most, pool.standbys.length);
    for (const s of pool.standbys) seen.add(s.pid);
  }
  assert.ok(most >= 2, `more than one standby at once while children churn (most seen: ${most})`);
  assert.ok(most <= MAX_STANDBYS, `at most ${MAX_STANDBYS} (most seen: ${most})`);
  assert.ok(served.size >= 10, `each request served by a new child (${served.size} pids for 12)`);
  const fromStandbys = [...served].filter((pid) => seen.has(pid));
  assert.ok(fromStandbys.length >= 5, `children were made of the standbys (${fromStandbys.length} of ${served.size})`);
  assert.deepEqual([...served].filter((pid) => !spawned.includes(pid)), [], 'every process that served is a child the pool made');
  const waiting = pool.standbys.map((s) => s.pid);
  assert.ok(waiting.length >= 1);
  await stopPool(pool);
  assert.deepEqual(waiting.filter(isAlive), [], 'stopping the pool stops every standby');
});
