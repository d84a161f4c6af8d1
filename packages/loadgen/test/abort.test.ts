/**
 * abort() stops all traffic at once: within a second every socket to the server is closed, and
 * the server sees no new request after that. The result keeps what was measured, marked aborted.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadgenError, runScenario, startLoadTest, type TimelineSecond } from '@forkyard/loadgen';
import { answer, sleep, startTestServer } from './helpers.js';

for (const mode of ['closed', 'open'] as const) {
  test(`abort stops all traffic within a second (${mode} loop)`, { timeout: 20_000 }, async () => {
    const server = await startTestServer((_req, res) => setTimeout(() => answer(res), 2));
    const seconds: TimelineSecond[] = [];
    const run = startLoadTest(
      { scenario: 'hello', mode, connections: 8, rate: 500, durationSeconds: 60 },
      { target: server.url, onProgress: (s) => seconds.push(s) },
    );
    const deadline = Date.now() + 10_000;
    while (seconds.length < 1 && Date.now() < deadline) await sleep(50);
    assert.ok(server.requests > 0, 'traffic flowed before the abort');

    const abortedAt = Date.now();
    run.abort();
    const result = await run.done;
    assert.ok(Date.now() - abortedAt < 1_500, `done settled ${Date.now() - abortedAt} ms after abort()`);
    assert.equal(result.outcome, 'aborted');
    assert.ok(result.summary.requests > 0);
    assert.ok(result.timeline.length >= 1);

    await sleep(Math.max(0, abortedAt + 1_000 - Date.now()));
    const afterOneSecond = server.requests;
    assert.equal(server.openConnections, 0, 'every socket closed within a second');
    await sleep(1_000);
    assert.equal(server.requests, afterOneSecond, 'no new request after the abort');
    assert.equal(server.openConnections, 0);
  });
}

test('abort before the first second and abort twice are harmless', { timeout: 10_000 }, async () => {
  const server = await startTestServer((_req, res) => answer(res));
  const run = startLoadTest({ scenario: 'hello', connections: 2, durationSeconds: 30 }, { target: server.url });
  run.abort();
  run.abort();
  // Either the thread stopped cleanly (an aborted result) or it was terminated in time (a coded error).
  const outcome = await run.done.then(
    (result) => result.outcome,
    (error: { code?: string }) => error.code,
  );
  assert.ok(outcome === 'aborted' || outcome === 'FY_LOADTEST_ABORT_TIMEOUT', String(outcome));
  await sleep(1_000);
  assert.equal(server.openConnections, 0);
});

test('runScenario: an AbortSignal aborts the run; a bad spec rejects with every field error', { timeout: 10_000 }, async () => {
  const server = await startTestServer((_req, res) => answer(res));
  const controller = new AbortController();
  const result = await runScenario(
    { scenario: 'hello', connections: 2, durationSeconds: 30 },
    // Aborted once its first second is in.
    { target: server.url, signal: controller.signal, label: 'event', meta: { mpm: 'event' }, onProgress: () => controller.abort() },
  );
  assert.equal(result.outcome, 'aborted');
  assert.equal(result.label, 'event');
  assert.deepEqual(result.meta, { mpm: 'event' });
  assert.ok(result.summary.requests > 0);

  await assert.rejects(runScenario({ scenario: 'cpu', cpuMs: -1, rate: 0 }, { target: server.url }), (error: unknown) => {
    return error instanceof LoadgenError && error.code === 'FY_VALIDATION' && error.errors.length === 2;
  });
});
