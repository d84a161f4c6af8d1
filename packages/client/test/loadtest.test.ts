/**
 * Load tests from the client: the REST calls, and `forkyard loadtest` against a stand-in
 * control plane that plays a test through its seconds (progress, then the result).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LoadTestRecord } from '@forkyard/protocol';
import { runClientVerb, type CliIo } from '../src/cli.js';
import { loadTestBody } from '../src/cli-loadtest.js';
import { ForkyardApiError, ForkyardClient } from '../src/index.js';
import { problem, startFakeControl, type FakeControl } from './fixtures/fake-control.js';

function io(extra: Partial<CliIo> = {}): CliIo & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', env: {}, pollMs: 5, ...extra, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

const summary = (rps: number) => ({
  requests: rps * 2,
  errors: 0,
  errorsByKind: {},
  unanswered: 0,
  bytes: 0,
  durationMs: 2000,
  throughput: rps,
  latencyMs: { min: 0.1, mean: 1, stddev: 0.5, p50: 1.25, p90: 2.5, p99: 4.75, p99_9: 9.5, max: 12 },
});

function record(over: Partial<LoadTestRecord> = {}): LoadTestRecord {
  return {
    id: 'lt-1',
    seq: 1,
    kind: 'single',
    status: 'running',
    actor: 'operator',
    scenario: 'hello',
    spec: { scenario: 'hello' },
    target: 'http://127.0.0.1:8080',
    createdAt: 1,
    endedAt: null,
    mpm: 'event',
    runs: [{ mpm: 'event', generation: 1, directives: {}, result: null }],
    result: null,
    comparison: null,
    progress: null,
    error: null,
    ...over,
  };
}

/** GET answers: each second's progress in turn, then the final record. */
function playback(fake: FakeControl, path: string, final: LoadTestRecord, mpms: readonly string[] = ['event']): void {
  const frames = mpms.flatMap((mpm, run) => [1, 2].map((second) => record({ progress: { run, mpm: mpm as 'event', second, seconds: 2, rps: 1000 + second, p50: 1.5, p99: 3.25, errors: 0 } })));
  let i = 0;
  fake.routes.set(`GET ${path}`, () => ({ status: 200, body: i < frames.length ? frames[i++]! : final }));
}

describe('load tests from the client', () => {
  let fake: FakeControl;
  before(async () => {
    fake = await startFakeControl();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.routes.clear();
  });
  after(() => fake.close());

  it('calls each load-test route', async () => {
    const api = new ForkyardClient({ url: fake.url, token: 't' });
    const ok = (body: unknown, status = 200) => () => ({ status, body });
    fake.routes.set('POST /api/v1/loadtests', ok(record(), 202));
    fake.routes.set('POST /api/v1/loadtests/compare', ok(record({ kind: 'compare' }), 202));
    fake.routes.set('GET /api/v1/loadtests/lt-1', ok(record()));
    fake.routes.set('DELETE /api/v1/loadtests/lt-1', ok(record({ status: 'aborted' })));
    fake.routes.set('GET /api/v1/loadtests', ok({ tests: [], next: null }));
    assert.equal((await api.startLoadTest({ scenario: 'hello', connections: 8 })).id, 'lt-1');
    assert.equal((await api.compare({ scenario: 'idle-keepalive' })).kind, 'compare');
    await api.loadTest('lt-1');
    assert.deepEqual(await api.loadTests({ limit: 5, before: 9 }), { tests: [], next: null });
    assert.equal((await api.abortLoadTest('lt-1')).status, 'aborted');
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.url, r.body]),
      [
        ['POST', '/api/v1/loadtests', { scenario: 'hello', connections: 8 }],
        ['POST', '/api/v1/loadtests/compare', { scenario: 'idle-keepalive' }],
        ['GET', '/api/v1/loadtests/lt-1', undefined],
        ['GET', '/api/v1/loadtests?limit=5&before=9', undefined],
        ['DELETE', '/api/v1/loadtests/lt-1', undefined],
      ],
    );
    fake.routes.set('POST /api/v1/loadtests', () => problem(409, 'FY_BUSY', 'a load test is already running'));
    await assert.rejects(api.startLoadTest({ scenario: 'hello' }), (e: unknown) => e instanceof ForkyardApiError && e.code === 'FY_BUSY' && e.status === 409);
  });

  it('flags become the start body', () => {
    assert.deepEqual(loadTestBody('hello', { connections: '16', duration: '5' }), { scenario: 'hello', connections: 16, durationSeconds: 5 });
    assert.deepEqual(loadTestBody('cpu', { rate: '200' }), { scenario: 'cpu', mode: 'open', rate: 200 });
    assert.deepEqual(loadTestBody('idle-keepalive', { connections: '500', rate: '20', duration: '3' }), { scenario: 'idle-keepalive', idleClients: 500, probeRate: 20, durationSeconds: 3 });
    assert.deepEqual(loadTestBody('ramp', { rate: '2000', duration: '20' }), { scenario: 'ramp', mode: 'open', to: 2000, stepSeconds: 4 });
    assert.match(String(loadTestBody('flood', {})), /one of hello, connection-per-request/);
    assert.match(String(loadTestBody('hello', { connections: '4', rate: '10' })), /do not go together/);
    assert.match(String(loadTestBody('hello', { duration: '2s' })), /--duration must be a whole number/);
  });

  it('loadtest prints one line a second, then the summary table', async () => {
    fake.routes.set('POST /api/v1/loadtests', () => ({ status: 202, body: record() }));
    playback(fake, '/api/v1/loadtests/lt-1', record({ status: 'completed', runs: [{ mpm: 'event', generation: 1, directives: {}, result: { outcome: 'completed', summary: summary(1000) } }] }));
    const out = io();
    assert.equal(await runClientVerb('loadtest', ['hello', '--connections', '4', '--duration', '2', '--url', fake.url, '--token', 't'], out), 0, out.stderr);
    assert.deepEqual(fake.requests[0]!.body, { scenario: 'hello', connections: 4, durationSeconds: 2 });
    const lines = out.stdout.split('\n');
    assert.match(lines[0]!, /^load test lt-1: hello against http:\/\/127\.0\.0\.1:8080$/);
    assert.match(lines[1]!, /^event \[#{10}\.{10}\] 1\/2 s {2}1001 req\/s {2}p50 1\.50 ms {2}p99 3\.25 ms {2}errors 0$/);
    assert.match(lines[2]!, /^event \[#{20}\] 2\/2 s/);
    assert.ok(!out.stdout.includes('\r'), 'no carriage returns off a terminal');
    assert.match(out.stdout, /load test lt-1: hello, completed\n +event\np50 \(ms\) +1\.25\np90 \(ms\) +2\.50\np99 \(ms\) +4\.75\np99\.9 \(ms\) +9\.50\nmax \(ms\) +12\.0\nreq\/s +1000\.0\nrequests +2000\nerrors +0\n$/);
  });

  it('seconds the polls missed are shown from the finished run’s timeline, the drain after the last second is not', async () => {
    const second = (n: number) => ({ second: n, throughput: 100 * n, latencyMs: { p50: 1, p99: 2 }, errors: { total: 0 } });
    const final = record({ status: 'completed', spec: { scenario: 'hello', durationSeconds: 2 }, runs: [{ mpm: 'event', generation: 1, directives: {}, result: { outcome: 'completed', summary: summary(150), timeline: [second(1), second(2), second(3)] } }] });
    fake.routes.set('POST /api/v1/loadtests', () => ({ status: 202, body: record() }));
    let polls = 0;
    fake.routes.set('GET /api/v1/loadtests/lt-1', () => ({ status: 200, body: polls++ === 0 ? record({ progress: { run: 0, mpm: 'event', second: 1, seconds: 2, rps: 100, p50: 1, p99: 2, errors: 0 } }) : final }));
    const out = io();
    assert.equal(await runClientVerb('loadtest', ['hello', '--url', fake.url], out), 0);
    assert.deepEqual(out.stdout.split('\n').filter((l) => l.startsWith('event [')).map((l) => l.split('  ')[0]), ['event [##########..........] 1/2 s', 'event [####################] 2/2 s']);
    assert.match(out.stdout, /2\/2 s {2}200 req\/s/);
  });

  it('on a terminal the progress line is rewritten in place; --json prints the result only', async () => {
    const final = record({ status: 'completed', runs: [{ mpm: 'event', generation: 1, directives: {}, result: { outcome: 'completed', summary: summary(10) } }] });
    fake.routes.set('POST /api/v1/loadtests', () => ({ status: 202, body: record() }));
    playback(fake, '/api/v1/loadtests/lt-1', final);
    const tty = io({ tty: true });
    assert.equal(await runClientVerb('loadtest', ['hello', '--url', fake.url], tty), 0);
    assert.equal(tty.stdout.match(/\r/g)?.length, 2);
    assert.ok(tty.stdout.includes(' 2/2 s') && tty.stdout.includes('\x1b[K\nload test lt-1: hello, completed\n'), 'the line is cleared to its end and closed before the table');

    playback(fake, '/api/v1/loadtests/lt-1', final);
    const json = io();
    assert.equal(await runClientVerb('loadtest', ['hello', '--json', '--url', fake.url], json), 0);
    assert.deepStrictEqual(JSON.parse(json.stdout), final);
  });

  it('--compare shows one column per MPM; a failed or aborted test exits 1', async () => {
    const runs = (['prefork', 'worker', 'event'] as const).map((mpm, i) => ({ mpm, generation: i + 1, directives: {}, result: { outcome: 'completed', summary: summary(100 * (i + 1)) } }));
    fake.routes.set('POST /api/v1/loadtests/compare', () => ({ status: 202, body: record({ kind: 'compare', runs: [] }) }));
    playback(fake, '/api/v1/loadtests/lt-1', record({ kind: 'compare', status: 'completed', runs }), ['prefork', 'worker', 'event']);
    const out = io();
    assert.equal(await runClientVerb('loadtest', ['idle-keepalive', '--compare', '--connections', '50', '--url', fake.url], out), 0, out.stderr);
    assert.equal(fake.requests[0]!.url, '/api/v1/loadtests/compare');
    assert.match(out.stdout, /prefork \(1\/3\) \[/);
    assert.match(out.stdout, /event \(3\/3\) \[#{20}\] 2\/2 s/);
    assert.match(out.stdout, /\n +prefork +worker +event\n/);
    assert.match(out.stdout, /\nreq\/s +100\.0 +200\.0 +300\.0\n/);

    fake.routes.set('POST /api/v1/loadtests', () => ({ status: 202, body: record() }));
    fake.routes.set('GET /api/v1/loadtests/lt-1', () => ({ status: 200, body: record({ status: 'failed', error: { code: 'FY_LOADTEST_FAILED', message: 'the load thread failed' } }) }));
    const failed = io();
    assert.equal(await runClientVerb('loadtest', ['hello', '--url', fake.url], failed), 1);
    assert.match(failed.stderr, /failed: the load thread failed/);
  });

  it('an interrupt aborts the running test', async () => {
    let aborted = false;
    fake.routes.set('POST /api/v1/loadtests', () => ({ status: 202, body: record() }));
    fake.routes.set('GET /api/v1/loadtests/lt-1', () => ({ status: 200, body: aborted ? record({ status: 'aborted' }) : record({ progress: { run: 0, mpm: 'event', second: 1, seconds: 60, rps: 5, p50: 1, p99: 2, errors: 0 } }) }));
    fake.routes.set('DELETE /api/v1/loadtests/lt-1', () => {
      aborted = true;
      return { status: 200, body: record({ status: 'aborted' }) };
    });
    const out = io({ onInterrupt: (abort) => {
      const t = setTimeout(abort, 30);
      return () => clearTimeout(t);
    } });
    assert.equal(await runClientVerb('loadtest', ['hello', '--url', fake.url], out), 1);
    assert.ok(fake.requests.some((r) => r.method === 'DELETE'), 'DELETE sent');
    assert.match(out.stdout, /aborting lt-1/);
    assert.match(out.stderr, /was aborted/);
  });

  it('bad usage exits 2 without calling the control plane', async () => {
    for (const args of [['flood'], ['hello', 'extra'], ['hello', '--connections', 'x'], ['hello', '--connections', '2', '--rate', '5']]) {
      const out = io();
      assert.equal(await runClientVerb('loadtest', [...args, '--url', fake.url], out), 2, args.join(' '));
    }
    const st = io();
    assert.equal(await runClientVerb('status', ['--compare', '--url', fake.url], st), 2);
    assert.match(st.stderr, /--compare does not apply to status/);
    assert.equal(fake.requests.length, 0);
  });
});
