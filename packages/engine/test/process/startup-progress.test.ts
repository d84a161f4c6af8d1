/**
 * A pool's start waits for its children as long as they keep becoming ready: it fails only once
 * the startup timeout passes with no child more ready (many threads on few cores are slow, not
 * stuck), and then stops every child it made. The timeout is shortened here
 * (FORKYARD_STARTUP_TIMEOUT_MS); it is 30 s by default.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPool } from '@forkyard/engine';
import { get, isAlive, liveChildren, stopPool } from './helpers.js';

const APP = new URL('../fixtures/slow-start-app.mjs', import.meta.url).pathname;
const TIMEOUT_MS = 2500;

function withEnv(env: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

test('a start longer than the timeout succeeds while children keep becoming ready', { timeout: 60_000 }, async () => {
  // Slot s loads s seconds after slot 0: the last child is ready some 3 s after the first,
  // longer than the 2.5 s timeout, but never 2.5 s after the one before it.
  const restore = withEnv({ FORKYARD_STARTUP_TIMEOUT_MS: String(TIMEOUT_MS), SLOW_START_STEP_MS: '1000' });
  const pool = createPool({ mpm: 'prefork', app: APP, listen: '127.0.0.1:0', standby: false, directives: { StartServers: 4, MinSpareServers: 1, MaxSpareServers: 8 } });
  try {
    const started = Date.now();
    const { port } = await pool.start();
    const took = Date.now() - started;
    assert.ok(took > TIMEOUT_MS, `the start took ${took} ms, longer than the timeout`);
    assert.equal(liveChildren(pool), 4);
    assert.match((await get(port, '/')).body, /^slot \d\n$/);
  } finally {
    restore();
    await stopPool(pool);
  }
});

test('a start that makes no child more ready within the timeout fails, says how far it got, and leaves no child', { timeout: 60_000 }, async () => {
  const restore = withEnv({ FORKYARD_STARTUP_TIMEOUT_MS: String(TIMEOUT_MS), SLOW_START_STEP_MS: '0', SLOW_START_HANG: '1' });
  const pool = createPool({ mpm: 'prefork', app: APP, listen: '127.0.0.1:0', standby: false, directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 8 } });
  const spawned: number[] = [];
  pool.on('spawn', (e) => spawned.push(e.pid));
  try {
    await assert.rejects(pool.start(), /children did not start: 1 of 2 ready, and none more within 2\.5 s/);
    assert.equal(spawned.length, 2);
    assert.deepEqual(spawned.filter(isAlive), [], 'every child it made is gone');
  } finally {
    restore();
    await stopPool(pool);
  }
});
