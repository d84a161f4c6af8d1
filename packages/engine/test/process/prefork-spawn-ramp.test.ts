/**
 * Prefork spawn ramp: while idle children are below MinSpareServers, each maintenance pass
 * forks idle_spawn_rate children and doubles the rate, so the pool grows 1, 2, 4, 8, 16, 32,
 * 64 on successive passes, never beyond MaxRequestWorkers, and logs AH00162 at rates ≥ 8.
 * (reference/apache-mpm.md §4.2, §8.2 item 4)
 *
 * Passes are told apart by the event loop, not by the clock: a pass forks its whole batch and
 * emits its 'log' and 'spawn' events synchronously, within one timer callback, so every event
 * seen before the next microtask checkpoint belongs to the same pass.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MaintenanceLog } from '@forkyard/engine';
import { liveChildren, sleep, startPoolObserved, waitFor } from './helpers.js';

interface Pass {
  at: number;
  last: number;
  spawned: number;
  logs: MaintenanceLog[];
  /** Live children in the scoreboard once the pass is over. */
  liveAfter: number;
}

const INTERVAL = 300;

test('prefork: below MinSpareServers the pool doubles its spawn rate each pass (1, 2, 4, 8, 16, 32 → 64 children), capped at MaxRequestWorkers', { timeout: 90_000 }, async () => {
  const passes: Pass[] = [];
  let open: Pass | null = null;
  let spawned = 0;
  let exited = 0;
  let maxLive = 0;
  const exitReasons: string[] = [];

  const { pool } = await startPoolObserved(
    {
      mpm: 'prefork',
      directives: {
        StartServers: 1,
        MinSpareServers: 40,
        MaxSpareServers: 50,
        MaxRequestWorkers: 64,
        ServerLimit: 64,
        MaintenanceInterval: INTERVAL,
      },
    },
    (p) => {
      const current = (): Pass => {
        if (open) return open;
        const pass: Pass = { at: Date.now(), last: 0, spawned: 0, logs: [], liveAfter: 0 };
        open = pass;
        queueMicrotask(() => {
          pass.liveAfter = liveChildren(p);
          passes.push(pass);
          open = null;
        });
        return pass;
      };
      p.on('spawn', () => {
        const pass = current();
        pass.spawned++;
        pass.last = Date.now();
        spawned++;
        maxLive = Math.max(maxLive, spawned - exited);
      });
      p.on('log', (entry) => current().logs.push(entry));
      p.on('exit', (e) => {
        exited++;
        exitReasons.push(e.reason);
      });
    },
  );
  assert.equal(pool.directives.MaxRequestWorkers, 64);
  assert.equal(pool.directives.MinSpareServers, 40);

  // StartServers 1, then passes forking 1 + 2 + 4 + 8 + 16 + 32: 64 children.
  await waitFor('64 children forked', () => spawned >= 64, 60_000);
  // Two more passes: the pool is full and above MaxSpareServers, so they fork nothing.
  await sleep(2 * INTERVAL + 100);

  const batches = passes.filter((p) => p.spawned > 0);
  // [ms after the first pass, children forked, ms the batch took]: shown when an assertion fails.
  const timeline = JSON.stringify(passes.map((p) => [p.at - passes[0]!.at, p.spawned, p.last - p.at]));
  assert.deepEqual(
    batches.map((p) => p.spawned),
    [1, 1, 2, 4, 8, 16, 32],
    `StartServers forks 1, then each pass forks idle_spawn_rate children: 1, 2, 4, 8, 16, 32 (passes: ${timeline})`,
  );
  assert.deepEqual(
    batches.map((p) => p.liveAfter),
    [1, 2, 4, 8, 16, 32, 64],
    `live children after each pass (passes: ${timeline})`,
  );
  assert.equal(passes.length, 7, 'no pass forked or logged anything once the pool was full');
  for (let i = 2; i < batches.length; i++) {
    const gap = batches[i]!.at - batches[i - 1]!.at;
    assert.ok(gap >= INTERVAL / 2, `passes ${i - 1} and ${i} are ${gap} ms apart: expected about one MaintenanceInterval (${INTERVAL} ms)`);
  }

  // Never above MaxRequestWorkers, and nothing was forked after the pool was full.
  assert.equal(spawned, 64, 'no child forked beyond MaxRequestWorkers');
  assert.ok(maxLive <= 64, `at most 64 children at once, saw ${maxLive}`);
  assert.ok(liveChildren(pool) <= 64);
  // Above MaxSpareServers now: maintenance retires surplus children, it never crashes one.
  assert.ok(exitReasons.every((r) => r === 'surplus'), `exit reasons: ${exitReasons.join(', ')}`);

  // AH00162 at the passes whose rate is 8, 16 and 32 — not before.
  const busyLogs = batches.map((p) => p.logs.filter((l) => l.id === 'AH00162'));
  assert.deepEqual(
    busyLogs.map((l) => l.length),
    [0, 0, 0, 0, 1, 1, 1],
    'AH00162 is logged once the spawn rate reaches 8',
  );
  for (const [i, rate] of [[4, 8], [5, 16], [6, 32]] as const) {
    const entry = busyLogs[i]![0]!;
    assert.equal(entry.level, 'info');
    assert.match(entry.message, new RegExp(`spawning ${rate} children, there are \\d+ idle, and ${batches[i]!.liveAfter - rate} total children`));
  }
  assert.ok(
    passes.every((p) => p.logs.every((l) => l.id !== 'AH00161')),
    'free slots remained at every spawning pass: no AH00161',
  );
});
