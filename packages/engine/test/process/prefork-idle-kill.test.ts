/**
 * Prefork idle kill: while idle children exceed MaxSpareServers, each maintenance pass stops
 * exactly one of them, so the pool falls by one child per pass down to MaxSpareServers and
 * then stays there. (reference/apache-mpm.md §4.2, §8.2 item 5)
 *
 * Which child goes is not asserted; how many go, how fast, and why are.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChildExitEvent } from '@forkyard/engine';
import { liveChildren, sleep, slotLetterCounts, startPoolObserved, waitFor } from './helpers.js';

const INTERVAL = 400;

test('prefork: idle children above MaxSpareServers are stopped one per maintenance pass, down to MaxSpareServers', { timeout: 30_000 }, async () => {
  /** Each exit, with the live children left and the slots of children told to go but still there. */
  const exits: Array<ChildExitEvent & { at: number; liveAfter: number; goingSlots: number[] }> = [];
  let spawned = 0;
  const { pool } = await startPoolObserved(
    {
      mpm: 'prefork',
      directives: {
        StartServers: 8,
        MinSpareServers: 1,
        MaxSpareServers: 3,
        MaxRequestWorkers: 8,
        ServerLimit: 8,
        MaintenanceInterval: INTERVAL,
      },
    },
    (p) => {
      p.on('spawn', () => spawned++);
      p.on('exit', (e) => {
        const image = p.snapshot();
        const goingSlots = image.processes.flatMap((ps, slot) => (ps.pid !== 0 && ps.quiescing ? [slot] : []));
        exits.push({ ...e, at: Date.now(), liveAfter: liveChildren(p), goingSlots });
      });
    },
  );
  const d = pool.directives;
  assert.equal(d.StartServers, 8);
  assert.equal(d.MaxSpareServers, 3);
  assert.equal(spawned, 8);
  assert.equal(liveChildren(pool), 8);

  await waitFor('five surplus exits', () => exits.length >= 5, 15_000);
  const settledAt = Date.now();
  // Several more passes: the pool must hold at MaxSpareServers.
  await sleep(4 * INTERVAL);

  assert.equal(exits.length, 5, `exactly 8 − 3 = 5 children stopped, got ${exits.length}`);
  assert.deepEqual(exits.map((e) => e.reason), Array(5).fill('surplus'));
  assert.ok(exits.every((e) => e.code === 0 && e.signal === null), 'a surplus child exits cleanly');
  assert.deepEqual(exits.map((e) => e.liveAfter), [7, 6, 5, 4, 3], 'one child fewer at each exit');
  assert.equal(spawned, 8, 'nothing forked: idle never fell below MinSpareServers');

  // Group the exits by pass. Two exits come from one pass when the second child had already
  // been told to go when the first one exited, and they came well under one MaintenanceInterval
  // apart; children of successive passes exit about one interval apart. Each group must hold
  // exactly one exit.
  const groups: Array<typeof exits> = [];
  for (const e of exits) {
    const last = groups.at(-1);
    const prev = last?.at(-1);
    if (last && prev && prev.goingSlots.includes(e.slot) && e.at - prev.at < INTERVAL / 2) last.push(e);
    else groups.push([e]);
  }
  assert.deepEqual(
    groups.map((g) => g.length),
    [1, 1, 1, 1, 1],
    `exits (ms after the first, children still going): ${exits.map((e) => `${e.at - exits[0]!.at} [${e.goingSlots.join(' ')}]`).join(', ')}`,
  );

  // Held at MaxSpareServers, every remaining child idle.
  assert.equal(liveChildren(pool), 3);
  const letters = slotLetterCounts(pool);
  assert.equal(letters['_'], 3, `letters of live children: ${JSON.stringify(letters)}`);
  assert.ok(Date.now() - settledAt >= 4 * INTERVAL);
});
