/**
 * Load tests through the API against a real small pool: start, progress on the stream, the
 * stored result and history (also after the store is reopened), every field error of a bad
 * body, one test at a time, targets, and the audit trail.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry } from '@forkyard/protocol';
import { openStore } from '../src/index.js';
import { snapshotOf } from '../src/snapshot.js';
import { problemOf, SMALL_POOL, waitFor } from './helpers.js';
import { startLoadTestHarness, untilEnded } from './loadtest-helpers.js';

describe('load tests', () => {
  it('a 2 s hello test: progress on the stream, result stored, listed newest first, kept when the store is reopened', async () => {
    const h = await startLoadTestHarness({ pool: SMALL_POOL });
    const stream = await h.stream();
    const res = await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 2, durationSeconds: 2 } });
    assert.equal(res.statusCode, 202, res.body);
    const started = res.json();
    assert.equal(res.headers.location, `/api/v1/loadtests/${started.id}`);
    assert.equal(started.status, 'running');
    assert.equal(started.kind, 'single');
    assert.equal(started.target, `http://127.0.0.1:${h.port}`);
    assert.deepEqual(started.spec, { scenario: 'hello', mode: 'closed', connections: 2, rate: 1000, durationSeconds: 2, timeoutMs: 10_000 });

    // One at a time: a second start while the first runs is refused, and audited as refused.
    const busy = await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', durationSeconds: 1 } });
    assert.equal(busy.statusCode, 409, busy.body);
    assert.equal(problemOf(busy).code, 'FY_BUSY');

    const done = await untilEnded(h, started.id, 10_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress, null);
    assert.equal(done.runs.length, 1);
    assert.equal(done.runs[0].mpm, 'prefork');
    assert.equal(done.runs[0].directives.StartServers, 1, 'the effective directives at the time are stored');
    const result = done.result;
    assert.equal(result.outcome, 'completed');
    assert.equal(result.label, 'prefork');
    assert.equal(result.meta.mpm, 'prefork');
    assert.ok(result.timeline.length >= 2, `${result.timeline.length} seconds`);
    assert.ok(result.summary.requests > 20, `requests answered: ${result.summary.requests}`);
    assert.equal(result.summary.errors, 0);

    // Progress on the stream: started, one frame a second with rps and latency, finished.
    const phases = stream.events.filter((e) => e.id === started.id).map((e) => e.phase);
    assert.equal(phases[0], 'started');
    assert.equal(phases.at(-1), 'finished');
    const progress = stream.events.filter((e) => e.id === started.id && e.phase === 'progress');
    assert.deepEqual(progress.map((e) => e.second).slice(0, 2), [1, 2]);
    assert.equal(progress.length, result.timeline.length, 'one progress frame per second of the timeline');
    for (const e of progress) {
      assert.equal(e.mpm, 'prefork');
      assert.ok(e.rps! > 0 && typeof e.p50 === 'number' && typeof e.p99 === 'number' && e.errors === 0, JSON.stringify(e));
    }

    // A second test, then the history: newest first, paged.
    const second = (await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'connection-per-request', connections: 1, durationSeconds: 1 } })).json();
    await untilEnded(h, second.id, 10_000);
    const page1 = (await h.call({ url: '/api/v1/loadtests?limit=1', as: 'viewer' })).json();
    assert.deepEqual(page1.tests.map((t: { id: string }) => t.id), [second.id]);
    assert.ok(page1.next !== null);
    const page2 = (await h.call({ url: `/api/v1/loadtests?limit=1&before=${page1.next}` })).json();
    assert.deepEqual(page2.tests.map((t: { id: string }) => t.id), [started.id]);
    assert.equal(page2.next, null);
    assert.equal(page2.tests[0].runs[0].requests, result.summary.requests);

    // The audit trail: both starts (actor, parameters) and the refused one.
    const trail = (await h.call({ url: '/api/v1/audit' })).json().entries as AuditEntry[];
    const lt = trail.filter((e) => e.action.startsWith('loadtest.'));
    assert.deepEqual(lt.map((e) => [e.action, e.actor, e.result]), [['loadtest.start', 'operator', 'ok'], ['loadtest.start', 'operator', 'FY_BUSY'], ['loadtest.start', 'operator', 'ok']]);
    assert.deepEqual((lt[2]!.after as { id: string; spec: unknown }).id, started.id);
    assert.deepEqual((lt[2]!.after as { spec: unknown }).spec, started.spec);

    // Reopened: the same records.
    await h.close(false);
    const store = openStore(h.dir);
    try {
      assert.deepEqual(store.loadTests.page(10).tests.map((t) => [t.id, t.status]), [[second.id, 'completed'], [started.id, 'completed']]);
      assert.deepEqual(store.loadTests.get(started.id)!.result, result);
    } finally {
      store.close();
    }
    const again = await startLoadTestHarness({ pool: SMALL_POOL, dir: h.dir, pool0: h.pool });
    const reread = (await again.call({ url: `/api/v1/loadtests/${started.id}` })).json();
    assert.deepEqual(reread.result, result);
    await again.close();
  });

  it('bad bodies: every field error in one problem document; bounds and targets refused clearly', async () => {
    const h = await startLoadTestHarness({ pool: SMALL_POOL, plane: { loadTests: { allowList: ['192.0.2.10:8080'] } } });
    const post = (payload: unknown, url = '/api/v1/loadtests') => h.call({ method: 'POST', url, payload: payload as Record<string, unknown> });

    const many = await post({ scenario: 'hello', connections: 0, rate: 'fast', durationSeconds: 100_000, bogus: 1, compare: 'yes', target: 'not a url' });
    assert.equal(many.statusCode, 400);
    const p = problemOf(many);
    assert.equal(p.code, 'FY_VALIDATION');
    assert.deepEqual(
      p.errors.map((e) => [e.field, e.code]).sort(),
      [['bogus', 'FY_UNKNOWN_FIELD'], ['compare', 'FY_TYPE'], ['connections', 'FY_RANGE'], ['durationSeconds', 'FY_RANGE'], ['rate', 'FY_TYPE'], ['target', 'FY_FORMAT']],
    );
    assert.match(p.errors.find((e) => e.field === 'durationSeconds')!.message, /between 1 and 300 s/);

    for (const [body, field, code] of [
      [{}, 'scenario', 'FY_REQUIRED'],
      [{ scenario: 'flood' }, 'scenario', 'FY_ENUM'],
      [[1, 2], '', 'FY_TYPE'],
      [{ scenario: 'idle-keepalive', idleClients: 6000 }, 'idleClients', 'FY_RANGE'],
      [{ scenario: 'ramp', from: 50, to: 10 }, 'from', 'FY_LOADTEST_RAMP_ORDER'],
    ] as const) {
      const r = await post(body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(problemOf(r).errors.map((e) => [e.field, e.code]), [[field, code]], JSON.stringify(body));
    }
    const notJson = await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: '{"scenario":', headers: { 'content-type': 'application/json' } });
    assert.equal(problemOf(notJson).code, 'FY_BAD_JSON');

    // Targets: another port on loopback, or a host nobody allowed, is refused; a compare stays on the pool.
    for (const target of ['http://127.0.0.1:1', 'http://198.51.100.7:80']) {
      const r = await post({ scenario: 'hello', durationSeconds: 1, target });
      assert.equal(r.statusCode, 403, target);
      assert.equal(problemOf(r).code, 'FY_LOADTEST_TARGET_REFUSED');
      assert.match(problemOf(r).detail, /--loadtest-allow/);
    }
    const cmp = await post({ scenario: 'hello', durationSeconds: 1, target: 'http://192.0.2.10:8080' }, '/api/v1/loadtests/compare');
    assert.deepEqual(problemOf(cmp).errors.map((e) => [e.field, e.code]), [['target', 'FY_LOADTEST_COMPARE_TARGET']]);

    // Viewers may read, not start; unknown ids are 404; nothing started.
    assert.equal(problemOf(await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello' }, as: 'viewer' })).code, 'FY_FORBIDDEN');
    assert.equal(problemOf(await h.call({ url: '/api/v1/loadtests/no-such-test' })).code, 'FY_NOT_FOUND');
    assert.equal(problemOf(await h.call({ method: 'DELETE', url: '/api/v1/loadtests/no-such-test' })).code, 'FY_NOT_FOUND');
    assert.deepEqual((await h.call({ url: '/api/v1/loadtests' })).json(), { tests: [], next: null });
  });

  it('maxRunning lets tests run side by side; a compare always runs alone', async () => {
    const h = await startLoadTestHarness({ pool: SMALL_POOL, plane: { loadTests: { maxRunning: 2 } } });
    const start = (payload: Record<string, unknown>, url = '/api/v1/loadtests') => h.call({ method: 'POST', url, payload });
    const a = await start({ scenario: 'hello', connections: 1, durationSeconds: 1 });
    const b = await start({ scenario: 'hello', connections: 1, durationSeconds: 1 });
    assert.deepEqual([a.statusCode, b.statusCode], [202, 202]);
    assert.equal(problemOf(await start({ scenario: 'hello', durationSeconds: 1 })).code, 'FY_BUSY');
    assert.equal(problemOf(await start({ scenario: 'hello', durationSeconds: 1 }, '/api/v1/loadtests/compare')).code, 'FY_BUSY');
    assert.equal((await untilEnded(h, a.json().id, 10_000)).status, 'completed');
    assert.equal((await untilEnded(h, b.json().id, 10_000)).status, 'completed');
  });

  it('an allow-listed target is used as given', async () => {
    // A second pool stands in for another server; it is only reachable because it is allow-listed.
    const other = await startLoadTestHarness({ pool: SMALL_POOL });
    const h = await startLoadTestHarness({ pool: SMALL_POOL, plane: { loadTests: { allowList: [`127.0.0.1:${other.port}`] } } });
    const res = await h.call({ method: 'POST', url: '/api/v1/loadtests', payload: { scenario: 'hello', connections: 1, durationSeconds: 1, target: `http://127.0.0.1:${other.port}/` } });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().target, `http://127.0.0.1:${other.port}`);
    const done = await untilEnded(h, res.json().id, 10_000);
    assert.equal(done.status, 'completed');
    assert.ok(done.result.summary.requests > 0);
    // Children report their counts in batches: the other pool's board catches up within moments.
    await waitFor('the other pool to count the requests', () => snapshotOf(other.pool.snapshot()).counts.accesses >= done.result.summary.requests, 5000);
    assert.equal(snapshotOf(h.pool.snapshot()).counts.accesses, 0, 'its own pool served none');
  });
});
