/**
 * Compare: the same scenario under prefork, worker and event in turn on a tiny pool, switching
 * live between runs, then back to the MPM the pool had; and an abort in the middle of it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PoolConfig } from '@forkyard/engine';
import type { AuditEntry } from '@forkyard/protocol';
import { waitFor } from './helpers.js';
import { startLoadTestHarness, untilEnded } from './loadtest-helpers.js';

const TINY: PoolConfig = {
  mpm: 'worker',
  listen: '127.0.0.1:0',
  directives: {
    StartServers: 1,
    MinSpareServers: 1,
    MaxSpareServers: 2,
    MaxRequestWorkers: 4,
    ThreadsPerChild: 2,
    MinSpareThreads: 1,
    MaxSpareThreads: 4,
    MaintenanceInterval: 200,
    GracefulShutdownTimeout: 5,
  },
};

test('compare: three runs in order prefork, worker, event; the original MPM is restored', async () => {
  const h = await startLoadTestHarness({ pool: TINY });
  const stream = await h.stream();
  const res = await h.call({ method: 'POST', url: '/api/v1/loadtests/compare', payload: { scenario: 'hello', connections: 2, durationSeconds: 1 } });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().kind, 'compare');
  assert.equal(res.json().mpm, 'worker');
  const done = await untilEnded(h, res.json().id, 30_000);
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  assert.equal(h.pool.mpm, 'worker', 'the original MPM is back');

  assert.deepEqual(done.runs.map((r: { mpm: string }) => r.mpm), ['prefork', 'worker', 'event']);
  assert.deepEqual(done.runs.map((r: { result: { label: string } }) => r.result.label), ['prefork', 'worker', 'event']);
  for (const run of done.runs) {
    assert.ok(run.result.summary.requests > 0, `${run.mpm}: ${run.result.summary.requests} requests`);
    assert.equal(run.result.summary.errors, 0, run.mpm);
  }
  assert.equal(done.runs[0].directives.ThreadsPerChild, 1, 'prefork runs one thread per child');
  assert.equal(done.runs[1].directives.ThreadsPerChild, 2);
  assert.ok(done.runs[1].generation < done.runs[2].generation, 'each run under its own generation');
  assert.deepEqual(done.comparison.columns.map((c: { label: string }) => c.label), ['prefork', 'worker', 'event']);
  const p99 = done.comparison.rows.find((r: { key: string }) => r.key === 'p99');
  assert.equal(p99.values.length, 3);
  assert.equal(done.result, null);

  // The stream said which run is which as it went.
  const mine = stream.events.filter((e) => e.id === done.id);
  assert.deepEqual(mine.filter((e) => e.phase === 'run').map((e) => e.mpm), ['prefork', 'worker', 'event']);
  assert.deepEqual([...new Set(mine.filter((e) => e.phase === 'progress').map((e) => e.mpm))], ['prefork', 'worker', 'event']);
  assert.equal(mine.at(-1)!.phase, 'finished');

  const list = (await h.call({ url: '/api/v1/loadtests' })).json();
  assert.deepEqual(list.tests[0].runs.map((r: { mpm: string }) => r.mpm), ['prefork', 'worker', 'event']);
  const trail = (await h.call({ url: '/api/v1/audit' })).json().entries as AuditEntry[];
  assert.equal(trail.find((e) => e.action.startsWith('loadtest.'))!.action, 'loadtest.compare');
});

test('compare: an abort stops the current run at once, skips the rest and restores the MPM', async () => {
  const h = await startLoadTestHarness({ pool: { ...TINY, mpm: 'event' } });
  const stream = await h.stream();
  const id = (await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 2, durationSeconds: 30, compare: true } })).json().id;
  await waitFor('the prefork run', () => stream.events.some((e) => e.id === id && e.phase === 'progress' && e.mpm === 'prefork'), 20_000);
  const sw = await h.call({ method: 'POST', url: '/api/v1/mpm', payload: { mpm: 'worker' } });
  assert.equal(sw.statusCode, 409, 'no MPM switch by hand while a compare runs');
  assert.match(sw.json().detail, /compare load test/);
  assert.equal(h.pool.mpm, 'prefork');
  const res = await h.call({ method: 'DELETE', url: `/api/v1/loadtests/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  const rec = res.json();
  assert.equal(rec.status, 'aborted');
  assert.deepEqual(rec.runs.map((r: { mpm: string; result: { outcome: string } }) => [r.mpm, r.result.outcome]), [['prefork', 'aborted']]);
  assert.equal(h.pool.mpm, 'event', 'the original MPM is back');
  assert.deepEqual(rec.comparison.columns.map((c: { label: string }) => c.label), ['prefork']);
  assert.ok(stream.events.some((e) => e.id === id && e.phase === 'aborted'));
  assert.ok(!stream.events.some((e) => e.id === id && e.mpm === 'worker'), 'the worker and event runs never started');
});
