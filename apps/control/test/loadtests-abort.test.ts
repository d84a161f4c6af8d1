/**
 * Aborting a load test stops all its traffic within a second: counted on the server side, from
 * the pool's own scoreboard (Total Accesses), not from the load generator's word.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '@forkyard/protocol';
import { openStore } from '../src/index.js';
import { snapshotOf } from '../src/snapshot.js';
import { problemOf, SMALL_POOL, waitFor } from './helpers.js';
import { startLoadTestHarness } from './loadtest-helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('DELETE aborts a running test: no request reaches the pool a second later', async () => {
  const h = await startLoadTestHarness({ pool: SMALL_POOL });
  const accesses = (): number => snapshotOf(h.pool.snapshot()).counts.accesses;
  const stream = await h.stream();
  const started = (await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 4, durationSeconds: 60 } })).json();
  await waitFor('two seconds of traffic', () => stream.events.some((e) => e.id === started.id && e.phase === 'progress' && e.second! >= 2), 10_000);
  const before = accesses();
  assert.ok(before > 50, `traffic reached the pool: ${before} requests`);

  const t0 = performance.now();
  const res = await h.call({ method: 'DELETE', url: `/api/v1/loadtests/${started.id}` });
  const took = performance.now() - t0;
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(took < 1500, `the abort answered after ${Math.round(took)} ms`);
  const record = res.json();
  assert.equal(record.status, 'aborted');
  assert.equal(record.result.outcome, 'aborted');

  await sleep(Math.max(0, 1000 - (performance.now() - t0)));
  const oneSecondLater = accesses();
  await sleep(1500);
  assert.equal(accesses(), oneSecondLater, 'no request reached the pool from a second after the abort');
  assert.ok(oneSecondLater >= before);

  assert.ok(stream.events.some((e) => e.id === started.id && e.phase === 'aborted'), 'an aborted event on the stream');
  const again = await h.call({ method: 'DELETE', url: `/api/v1/loadtests/${started.id}` });
  assert.equal(problemOf(again).code, 'FY_LOADTEST_ENDED');
  const trail = (await h.call({ url: '/api/v1/audit' })).json().entries as AuditEntry[];
  assert.deepEqual(trail.filter((e) => e.action.startsWith('loadtest.')).map((e) => [e.action, e.result]), [['loadtest.abort', 'FY_LOADTEST_ENDED'], ['loadtest.abort', 'ok'], ['loadtest.start', 'ok']]);

  // The next test may start at once.
  const next = await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 1, durationSeconds: 1 } });
  assert.equal(next.statusCode, 202, next.body);
});

test('closing the control plane aborts a running test; a reopened store shows it as failed if it was left running', async () => {
  const h = await startLoadTestHarness({ pool: SMALL_POOL });
  const started = (await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 2, durationSeconds: 60 } })).json();
  await sleep(1200);
  const t0 = performance.now();
  await h.close(false);
  assert.ok(performance.now() - t0 < 2000, 'close did not wait for the test to run out');
  // A test some earlier process never saw end (it was killed mid-run):
  const store = openStore(h.dir);
  store.loadTests.insert({ id: 'left-running', kind: 'single', actor: 'operator', scenario: 'hello', spec: { scenario: 'hello' }, target: 'http://127.0.0.1:1', mpm: 'prefork', createdAt: Date.now(), runs: [] });
  store.close();
  const again = await startLoadTestHarness({ pool: SMALL_POOL, dir: h.dir, pool0: h.pool });
  const rec = (await again.call({ url: `/api/v1/loadtests/${started.id}` })).json();
  assert.equal(rec.status, 'aborted');
  const left = (await again.call({ url: '/api/v1/loadtests/left-running' })).json();
  assert.equal(left.status, 'failed');
  assert.equal(left.error.code, 'FY_LOADTEST_INTERRUPTED');
  await again.close();
});
