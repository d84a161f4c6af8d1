/**
 * Event's per-process connection cap: a child stops accepting once
 * open − lingering ≥ ThreadsPerChild + idle × AsyncRequestWorkerFactor (12 for T = 4, factor 2,
 * all idle). Its idle threads then no longer count as spare, so the maintenance loop starts
 * another child, which takes the connections that waited.
 * (reference/apache-mpm.md §5.4, §8.3 item 9)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, test } from 'node:test';
import type { ChildEvent, Pool } from '@forkyard/engine';
import { get, keepAliveAgent, liveChildren, startPool, waitFor } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

/** waitFor, with each child's counters in the error if it times out. */
async function waitForChildren<T>(pool: Pool, what: string, fn: () => T, timeoutMs: number): Promise<NonNullable<T>> {
  try {
    return await waitFor(what, fn, timeoutMs, 20);
  } catch (err) {
    const seen = pool.snapshot().processes.filter((p) => p.pid !== 0).map((p) => ({ pid: p.pid, connections: p.connections, keepAlive: p.keepAlive, notAccepting: p.notAccepting }));
    throw new Error(`${(err as Error).message}; children: ${JSON.stringify(seen)}, accept queue ${pool.snapshot().global.acceptQueue}`, { cause: err });
  }
}

function openKeptAlive(port: number): Promise<number> {
  const agent = keepAliveAgent();
  agents.push(agent);
  return get(port, '/', agent).then((r) => r.status);
}

test('event: a child stops accepting at T + idle × AsyncRequestWorkerFactor = 12 and a second child takes the rest', { timeout: 60_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'event',
    directives: {
      ThreadsPerChild: 4,
      AsyncRequestWorkerFactor: 2,
      ServerLimit: 4,
      MaxRequestWorkers: 16,
      StartServers: 1,
      MinSpareThreads: 1,
      MaxSpareThreads: 16,
      KeepAliveTimeout: 30,
    },
  });
  const d = pool.directives;
  // No adjustment: MaxSpareThreads 16 ≥ MinSpareThreads + ThreadsPerChild + 1 = 6; D = 16 / 4 = 4.
  assert.deepEqual(
    { T: d.ThreadsPerChild, D: d.MaxDaemons, factor: d.AsyncRequestWorkerFactor, start: d.StartServers, min: d.MinSpareThreads, max: d.MaxSpareThreads },
    { T: 4, D: 4, factor: 2, start: 1, min: 1, max: 16 },
  );
  assert.deepEqual(pool.config.warnings, []);
  const spawned: ChildEvent[] = [];
  pool.on('spawn', (e) => spawned.push(e));
  assert.equal(liveChildren(pool), 1);
  const first = pool.snapshot().processes[0]!;
  assert.notEqual(first.pid, 0);
  assert.equal(first.notAccepting, false);

  // Twelve kept-alive clients, one after another: all fit in the first child.
  for (let i = 0; i < 12; i++) assert.equal(await openKeptAlive(port), 200);
  const full = await waitForChildren(
    pool,
    'the first child at its limit',
    () => {
      const p = pool.snapshot().processes[0]!;
      return p.connections === 12 && p.keepAlive === 12 && p.notAccepting ? p : null;
    },
    2000,
  );
  assert.equal(full.pid, first.pid);

  // Eight more, one after another (a burst would keep the second child's threads all busy,
  // and a child with no idle thread is not counted as spare either: a third would be forked).
  // The first child takes none of them; the child the maintenance loop started takes them all.
  for (let i = 0; i < 8; i++) assert.equal(await openKeptAlive(port), 200);
  assert.equal(spawned.length, 1, 'the maintenance loop started exactly one child');

  // Counters arrive every 100 ms: wait for the report taken after the 8 were parked.
  const settled = await waitForChildren(
    pool,
    'a second child holding the other 8 parked and still accepting',
    () => {
      const image = pool.snapshot();
      const p0 = image.processes[0]!;
      const others = image.processes.filter((p) => p.pid !== 0 && p.pid !== first.pid);
      const firstStillFull = p0.pid === first.pid && p0.connections === 12 && p0.notAccepting;
      const second = others.length === 1 ? others[0]! : null;
      return firstStillFull && second && second.connections === 8 && second.keepAlive === 8 && !second.notAccepting ? second : null;
    },
    3000,
  );
  assert.equal(settled.pid, spawned[0]!.pid);
  assert.equal(liveChildren(pool), 2);
  assert.equal(pool.snapshot().global.acceptQueue, 0);
});
