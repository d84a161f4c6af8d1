/**
 * ListenBacklog bounds the primary's accept queue: with every child busy, that many connections
 * wait for one, and any beyond are closed as soon as they are accepted, unanswered, as a full
 * kernel backlog would refuse them. The ones that waited are served, none lost; the refused are
 * counted (`acceptRefused`, `ForkyardAcceptRefused` in `?auto`).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, poolAuto, sleep, startPool, stopPool, waitFor } from './helpers.js';

test('prefork, one child busy, ListenBacklog 2: two connections wait and are served, the next three are refused and counted', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'prefork',
    standby: false,
    directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 1, MaxRequestWorkers: 1, ServerLimit: 1, ListenBacklog: 2 },
  });
  try {
    assert.equal(pool.snapshot().global.acceptRefused, 0);
    const busy = get(port, '/sleep?ms=1500');
    await waitFor('the child busy', () => pool.snapshot().workers[0]!.some((w) => w.status === 'W'), 5_000, 10);
    const waiting = [get(port, '/?waiting=1'), get(port, '/?waiting=2')];
    await waitFor('two connections in the accept queue', () => pool.snapshot().global.acceptQueue === 2, 5_000, 10);

    const refused = await Promise.allSettled([get(port, '/?over=1', undefined, 5_000), get(port, '/?over=2', undefined, 5_000), get(port, '/?over=3', undefined, 5_000)]);
    for (const r of refused) {
      assert.equal(r.status, 'rejected', 'a connection beyond the backlog gets no response');
      assert.match(String((r as PromiseRejectedResult).reason), /ECONNRESET|socket hang up|EPIPE/);
    }
    assert.equal(pool.snapshot().global.acceptRefused, 3);
    assert.equal(poolAuto(pool).ForkyardAcceptRefused, '3');
    assert.equal(pool.snapshot().global.acceptQueue, 2, 'the two waiting are still queued');

    assert.equal((await busy).status, 200);
    const served = await Promise.all(waiting);
    assert.deepEqual(served.map((r) => r.status), [200, 200], 'the connections that waited are served');
    await sleep(100);
    assert.equal(pool.snapshot().global.acceptQueue, 0);
    assert.equal(pool.snapshot().global.acceptRefused, 3, 'nothing else was refused');
  } finally {
    await stopPool(pool);
  }
});
