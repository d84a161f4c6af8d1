/**
 * Prefork MaxConnectionsPerChild 3 under a steady stream of connections: every child serves
 * its three connections and exits 'recycled', its replacement is forked before it goes (so
 * there is no gap in capacity), and no request fails.
 * (reference/apache-mpm.md §6.5; Forkyard forks the replacement early, children.ts recycleLimit)
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, startPoolObserved, waitFor } from './helpers.js';

type Event = { kind: 'spawn'; pid: number } | { kind: 'exit'; pid: number; reason: string };

test('prefork: MaxConnectionsPerChild 3 recycles every child after 3 connections, replacement first, no request lost', { timeout: 40_000 }, async () => {
  const events: Event[] = [];
  const START = 2;
  const CONNECTIONS = 24;
  const { pool, port } = await startPoolObserved(
    {
      mpm: 'prefork',
      directives: { StartServers: START, MinSpareServers: 1, MaxSpareServers: 6, MaxRequestWorkers: 8, ServerLimit: 8, MaxConnectionsPerChild: 3 },
    },
    (p) => {
      p.on('spawn', (e) => events.push({ kind: 'spawn', pid: e.pid }));
      p.on('exit', (e) => events.push({ kind: 'exit', pid: e.pid, reason: e.reason }));
    },
  );
  assert.equal(pool.directives.MaxConnectionsPerChild, 3);

  // One connection after the other (agent: false, so each request is a new connection).
  const servedBy = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    try {
      const r = await get(port, '/pid');
      if (r.status !== 200) failures.push(`#${i}: ${r.status}`);
      const pid = Number(r.body.split(' ')[0]);
      servedBy.set(pid, (servedBy.get(pid) ?? 0) + 1);
    } catch (err) {
      failures.push(`#${i}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(failures, [], 'no request fails');

  const exits = (): Array<Extract<Event, { kind: 'exit' }>> => events.filter((e): e is Extract<Event, { kind: 'exit' }> => e.kind === 'exit');
  // A child serves at most three connections; the last children may have served fewer and live on.
  const counts = [...servedBy.values()];
  assert.equal(counts.reduce((a, b) => a + b, 0), CONNECTIONS);
  assert.ok(counts.every((n) => n >= 1 && n <= 3), `connections per child: ${JSON.stringify([...servedBy])}`);
  const full = [...servedBy].filter(([, n]) => n === 3).map(([pid]) => pid);
  assert.ok(full.length >= 4, `most children served their three connections: ${JSON.stringify([...servedBy])}`);
  await waitFor('every child that served three connections gone', () => full.every((pid) => exits().some((e) => e.pid === pid)), 10_000);

  // Every exit is a recycling, and only children that served three connections exited.
  assert.deepEqual(exits().map((e) => e.reason), Array(exits().length).fill('recycled'), JSON.stringify(events));
  assert.deepEqual(new Set(exits().map((e) => e.pid)), new Set(full), `exits ${JSON.stringify(exits())} vs served ${JSON.stringify([...servedBy])}`);

  // The replacement comes first: by each exit, more children were forked than had exited.
  let spawned = 0;
  let exited = 0;
  for (const e of events) {
    if (e.kind === 'spawn') spawned++;
    else {
      exited++;
      assert.ok(spawned - START >= exited, `exit #${exited} (pid ${e.pid}) came before its replacement: ${JSON.stringify(events)}`);
    }
  }
  assert.ok(pool.snapshot().processes.some((p) => p.pid !== 0), 'the pool still has children');
  assert.equal((await get(port, '/')).status, 200);
});
