/**
 * Hard restart (httpd SIGHUP): the children stop at once, the scoreboard is zeroed (Total
 * Accesses 0, RestartTime now), both generations go up by one, new children start at once, and
 * the pool serves as soon as the promise resolves.
 * (reference/apache-mpm.md §6.4, §8.4 item 14)
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChildExitEvent, MpmName, Pool } from '@forkyard/engine';
import { get, isAlive, poolAuto, sleep, startPoolObserved, waitFor } from './helpers.js';

const livePids = (pool: Pool): number[] => pool.snapshot().processes.filter((p) => p.pid !== 0).map((p) => p.pid);

const DIRECTIVES: Record<MpmName, Record<string, unknown>> = {
  prefork: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4 },
  worker: { StartServers: 2, ThreadsPerChild: 4, ServerLimit: 8, MaxRequestWorkers: 16, MinSpareThreads: 1, MaxSpareThreads: 16 },
  event: { StartServers: 2, ThreadsPerChild: 4, ServerLimit: 8, MaxRequestWorkers: 16, MinSpareThreads: 1, MaxSpareThreads: 16 },
};

for (const mpm of ['prefork', 'event'] as const) {
  test(`${mpm}: restart() zeroes the scoreboard, starts new children and serves at once`, { timeout: 30_000 }, async () => {
    const exits: ChildExitEvent[] = [];
    const startedAt = Date.now();
    const { pool, port } = await startPoolObserved({ mpm, directives: DIRECTIVES[mpm] }, (p) => p.on('exit', (e) => exits.push(e)));

    for (let i = 0; i < 6; i++) assert.equal((await get(port, '/')).status, 200);
    const before = await waitFor('the traffic counted', () => {
      const auto = poolAuto(pool);
      return Number(auto['Total Accesses']) >= 6 ? auto : null;
    }, 5_000);
    const oldPids = livePids(pool);
    assert.equal(oldPids.length, 2, `StartServers children: ${oldPids.join(', ')}`);
    // RestartTime is printed to the second: let one pass so a new one can show.
    await sleep(Math.max(0, 1100 - (Date.now() - startedAt)));

    const restartCalledAt = Date.now();
    const result = await pool.restart();
    assert.equal(result.newGeneration, true);
    assert.equal(pool.changing, false);

    // Right after the promise: requests succeed, on new children.
    const replies = await Promise.all(Array.from({ length: 4 }, () => get(port, '/pid')));
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200]);
    const servedBy = replies.map((r) => Number(r.body.split(' ')[0]));
    assert.ok(servedBy.every((pid) => !oldPids.includes(pid)), `served by new children: ${servedBy.join(', ')}`);

    const auto = poolAuto(pool);
    assert.equal(Number(auto.ParentServerConfigGeneration), Number(before.ParentServerConfigGeneration) + 1);
    assert.equal(Number(auto.ParentServerMPMGeneration), Number(before.ParentServerMPMGeneration) + 1);
    assert.notEqual(auto.RestartTime, before.RestartTime, 'RestartTime moves to the restart');
    const sinceRestart = Math.ceil((Date.now() - restartCalledAt) / 1000);
    assert.ok(Number(auto.ServerUptimeSeconds) <= sinceRestart, `uptime counts from the restart: ${auto.ServerUptimeSeconds} s, restart called ${sinceRestart} s ago`);
    assert.ok(Number(auto['Total Accesses']) <= 4, `Total Accesses starts again from 0: ${before['Total Accesses']} → ${auto['Total Accesses']}`);

    const fresh = livePids(pool);
    assert.ok(fresh.length >= 2, `new children: ${fresh.join(', ')}`);
    assert.ok(fresh.every((pid) => !oldPids.includes(pid)), `every child is new: ${oldPids.join(', ')} → ${fresh.join(', ')}`);
    assert.ok(oldPids.every((pid) => !isAlive(pid)), 'the old children are gone');
    assert.deepEqual(
      exits.filter((e) => oldPids.includes(e.pid)).map((e) => e.reason),
      ['generation', 'generation'],
    );
    assert.equal(pool.snapshot().processes.filter((p) => p.pid !== 0 && p.generation !== pool.generation).length, 0);
  });
}

test('restart(): Total Accesses is 0 before the new generation serves anything', { timeout: 20_000 }, async () => {
  const { pool, port } = await startPoolObserved({ mpm: 'prefork', directives: DIRECTIVES.prefork }, () => undefined);
  for (let i = 0; i < 3; i++) assert.equal((await get(port, '/')).status, 200);
  await waitFor('the traffic counted', () => Number(poolAuto(pool)['Total Accesses']) >= 3, 5_000);
  await pool.restart();
  const auto = poolAuto(pool);
  assert.equal(auto['Total Accesses'], '0');
  assert.equal(auto['Total kBytes'], '0');
  assert.equal(auto.BusyWorkers, '0');
});
