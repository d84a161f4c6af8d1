/**
 * applyDirectives and switchMpm: what a change does to a running pool. In-place directives
 * (spares, KeepAliveTimeout, MaxRequestWorkers within ServerLimit) change no child and take
 * effect on the next tick or connection; an invalid change is refused whole with every field
 * error and leaves the pool as it was; one change at a time (FY_BUSY); a new generation that
 * cannot start is rolled back (FY_GENERATION_FAILED) while the old one keeps serving.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PoolConfigError, type ChildExitEvent, type Pool } from '@forkyard/engine';
import { get, isAlive, poolAuto, startPoolObserved, waitFor } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'forkyard-apply-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const livePids = (pool: Pool): number[] => pool.snapshot().processes.filter((p) => p.pid !== 0).map((p) => p.pid).sort((a, b) => a - b);

/** Records exits and 'directives' events from before start. */
async function observed(config: Parameters<typeof startPoolObserved>[0]) {
  const exits: ChildExitEvent[] = [];
  let directiveEvents = 0;
  const started = await startPoolObserved(config, (p) => {
    p.on('exit', (e) => exits.push(e));
    p.on('directives', () => directiveEvents++);
  });
  return { ...started, exits, directiveEvents: () => directiveEvents };
}

/** One raw keep-alive request; resolves with the response head and when the server closed. */
function keptAliveRequest(port: number): Promise<{ head: string; respondedAt: number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closedAt = 0;
    let onClosed: (t: number) => void = () => undefined;
    const closed = new Promise<number>((r) => (onClosed = r));
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'));
    socket.on('data', (c: string) => {
      text += c;
      if (text.includes('\r\n\r\n') && text.endsWith('Hello from Forkyard\n')) resolve({ head: text.split('\r\n\r\n')[0]!, respondedAt: Date.now(), closed });
    });
    socket.on('close', () => {
      closedAt = Date.now();
      onClosed(closedAt);
    });
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

test('in place: lowering MaxSpareServers changes no child at once; maintenance then retires the surplus', { timeout: 30_000 }, async () => {
  const { pool, exits, directiveEvents } = await observed({
    mpm: 'prefork',
    directives: { StartServers: 5, MinSpareServers: 1, MaxSpareServers: 8, MaxRequestWorkers: 8, ServerLimit: 8 },
  });
  await waitFor('five idle children', () => poolAuto(pool).IdleWorkers === '5', 5_000);
  const pids = livePids(pool);
  const generation = pool.generation;

  const result = await pool.applyDirectives({ MaxSpareServers: 2 });
  assert.equal(result.newGeneration, false);
  assert.equal(result.directives.MaxSpareServers, 2);
  assert.equal(pool.directives.MaxSpareServers, 2);
  assert.equal(pool.generation, generation);
  assert.equal(directiveEvents(), 1);
  assert.deepEqual(livePids(pool), pids, 'no child was replaced by the change itself');
  assert.equal(exits.length, 0);

  // One idle child per maintenance pass is stopped until at most MaxSpareServers are idle.
  await waitFor('idle children down to MaxSpareServers', () => livePids(pool).length === 2 && exits.length === 3, 10_000);
  assert.deepEqual(exits.map((e) => e.reason), ['surplus', 'surplus', 'surplus']);
  assert.ok(livePids(pool).every((pid) => pids.includes(pid)), 'the survivors are original children');
  assert.equal(pool.generation, generation);
});

test('in place: KeepAliveTimeout 1 closes an idle kept-alive connection after about a second', { timeout: 30_000 }, async () => {
  const { pool, port, exits } = await observed({ mpm: 'prefork', directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, KeepAliveTimeout: 30 } });
  const pids = livePids(pool);

  const result = await pool.applyDirectives({ KeepAliveTimeout: 1 });
  assert.equal(result.newGeneration, false);
  assert.equal(pool.directives.KeepAliveTimeout, 1);

  const r = await keptAliveRequest(port);
  assert.match(r.head, /^HTTP\/1\.1 200 /);
  assert.match(r.head, /\r\nKeep-Alive: timeout=1\b/i, r.head);
  const closedAt = await r.closed;
  const idle = closedAt - r.respondedAt;
  assert.ok(idle >= 500 && idle < 5_000, `closed after ${idle} ms of idleness (KeepAliveTimeout 1, was 30)`);
  assert.deepEqual(exits, []);
  assert.deepEqual(livePids(pool), pids);
});

test('in place: MaxRequestWorkers lowered within ServerLimit caps the pool; the rest wait in the accept queue', { timeout: 30_000 }, async () => {
  const { pool, port, exits } = await observed({
    mpm: 'prefork',
    directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, MaxRequestWorkers: 8, ServerLimit: 8 },
  });
  const pids = livePids(pool);
  const generation = pool.generation;

  const result = await pool.applyDirectives({ MaxRequestWorkers: 2 });
  assert.equal(result.newGeneration, false);
  assert.equal(pool.directives.MaxRequestWorkers, 2);
  assert.equal(pool.directives.ServerLimit, 8);
  assert.deepEqual(livePids(pool), pids);
  assert.equal(pool.generation, generation);

  // Three slow requests, two children allowed: one waits, nothing is forked past the limit.
  const replies = Promise.all([1, 2, 3].map(() => get(port, '/sleep?ms=3000')));
  await waitFor('a connection waiting for a free child', () => Number(poolAuto(pool).ForkyardAcceptQueue) >= 1, 5_000, 20);
  await waitFor('both children busy', () => poolAuto(pool).BusyWorkers === '2', 5_000, 20);
  assert.equal(livePids(pool).length, 2, 'MaxRequestWorkers 2: no third child');
  assert.equal(Number(poolAuto(pool).ForkyardAcceptQueue), 1, 'the third connection still waits');
  assert.deepEqual((await replies).map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(exits, []);
  assert.deepEqual(livePids(pool), pids);
});

test('an invalid change is refused with every field error; the pool is untouched', { timeout: 30_000 }, async () => {
  const { pool, port, exits, directiveEvents } = await observed({ mpm: 'prefork', directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4 } });
  const before = structuredClone(pool.directives);
  const pids = livePids(pool);
  const generation = pool.generation;

  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ MaxRequestWorkers: 'abc' }, ['MaxRequestWorkers']],
    [{ Nope: 1 }, ['Nope']],
    [{ ThreadsPerChild: -1 }, ['ThreadsPerChild']],
    [{ MaxRequestWorkers: 'abc', Nope: 1, ThreadsPerChild: -1, MaxSpareServers: 3 }, ['MaxRequestWorkers', 'Nope', 'ThreadsPerChild']],
  ];
  for (const [partial, fields] of cases) {
    await assert.rejects(pool.applyDirectives(partial), (err: unknown) => {
      assert.ok(err instanceof PoolConfigError, `a PoolConfigError for ${JSON.stringify(partial)}: ${String(err)}`);
      assert.equal(err.code, 'FY_CONFIG');
      assert.deepEqual(err.errors.map((e) => e.field).sort(), [...fields].sort(), JSON.stringify(err.errors));
      for (const f of fields) assert.match(err.message, new RegExp(f));
      return true;
    });
    assert.equal(pool.changing, false);
  }

  assert.deepEqual(pool.directives, before, 'directives unchanged (the valid MaxSpareServers 3 was not applied either)');
  assert.deepEqual(livePids(pool), pids);
  assert.equal(pool.generation, generation);
  assert.deepEqual(exits, []);
  assert.equal(directiveEvents(), 0);
  assert.equal((await get(port, '/')).status, 200);
  // The pool still takes a valid change afterwards.
  assert.equal((await pool.applyDirectives({ MaxSpareServers: 3 })).newGeneration, false);
});

test('one change at a time: applyDirectives during a switch rejects with FY_BUSY; an unknown MPM is a PoolConfigError', { timeout: 30_000 }, async () => {
  const { pool, port } = await observed({
    mpm: 'prefork',
    directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 4, ThreadsPerChild: 4, ServerLimit: 8, MaxRequestWorkers: 16, MinSpareThreads: 1, MaxSpareThreads: 16 },
  });
  const generation = pool.generation;

  const switching = pool.switchMpm('event');
  assert.equal(pool.changing, true);
  await assert.rejects(pool.applyDirectives({ MaxSpareThreads: 12 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'FY_BUSY', String(err));
    return true;
  });
  await assert.rejects(pool.gracefulRestart(), { code: 'FY_BUSY' });
  const done = await switching;
  assert.equal(done.newGeneration, true);
  assert.equal(pool.mpm, 'event');
  assert.equal(pool.generation, generation + 1);
  assert.equal(pool.directives.MaxSpareThreads, 16, 'the refused change was not applied');
  assert.equal((await get(port, '/')).status, 200);

  await assert.rejects(pool.switchMpm('fork'), (err: unknown) => {
    assert.ok(err instanceof PoolConfigError, String(err));
    assert.deepEqual(err.errors.map((e) => e.field), ['mpm']);
    assert.match(err.message, /unknown MPM "fork"/);
    return true;
  });
  assert.equal(pool.mpm, 'event');
  assert.equal(pool.generation, generation + 1);
  assert.equal(pool.changing, false);
});

test('a new generation whose app fails to load is rolled back (FY_GENERATION_FAILED); the old one keeps serving', { timeout: 30_000 }, async () => {
  // The fixture loads once (the StartServers child), then throws at every later import.
  process.env.FORKYARD_FIXTURE_MARKER = join(tmp, 'loaded-once');
  const { pool, port, exits } = await observed({
    mpm: 'prefork',
    app: join(FIXTURES, 'app-loads-once.mjs'),
    directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 4, MaxRequestWorkers: 4, ServerLimit: 4, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8 },
  });
  const first = await get(port, '/');
  assert.equal(first.status, 200);
  assert.equal(first.body, 'first load serving\n');
  const pids = livePids(pool);
  const before = poolAuto(pool);
  const generation = pool.generation;

  await assert.rejects(pool.switchMpm('worker'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'FY_GENERATION_FAILED', String(err));
    assert.match(err.message, /license server is unreachable/);
    return true;
  });
  assert.equal(pool.changing, false);
  assert.equal(pool.mpm, 'prefork');
  assert.equal(pool.generation, generation);
  const auto = poolAuto(pool);
  assert.equal(auto.ServerMPM, 'prefork');
  assert.equal(auto.ParentServerMPMGeneration, before.ParentServerMPMGeneration);
  assert.equal(auto.ParentServerConfigGeneration, before.ParentServerConfigGeneration);

  // The new children are gone; the old child serves on.
  await waitFor('the failed new children reaped', () => livePids(pool).length === 1, 10_000);
  assert.deepEqual(livePids(pool), pids);
  assert.ok(exits.length >= 1 && exits.every((e) => e.reason === 'app-error' && e.mpm === 'worker'), JSON.stringify(exits));
  for (let i = 0; i < 3; i++) {
    const r = await get(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'first load serving\n');
  }
});

test('a failed new generation leaves no new child behind, also one that finishes loading after the failure', { timeout: 30_000 }, async () => {
  // Generation 0 loads at once. In later generations the first child to load fails at once
  // and every other one takes 1.5 s, then loads fine: it is still loading when the roll fails.
  const app = join(tmp, 'fails-then-slow.mjs');
  writeFileSync(
    app,
    `import { closeSync, openSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
const init = JSON.parse(process.env.FORKYARD_CHILD ?? '{}');
if (init.generation > 0) {
  let first = true;
  try { closeSync(openSync(${JSON.stringify(join(tmp, 'first-of-new-generation'))}, 'wx')); } catch { first = false; }
  if (first) throw new Error('fixture: the first new child cannot load');
  await delay(1500);
}
export default function app(_req, res) { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('gen ' + init.generation + '\\n'); }
`,
  );
  const { pool, port } = await observed({ mpm: 'prefork', app, directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, MaxRequestWorkers: 8, ServerLimit: 8 } });
  const pids = livePids(pool);
  const generation = pool.generation;
  const spawned: number[] = [];
  pool.on('spawn', (e) => spawned.push(e.pid));

  await assert.rejects(pool.gracefulRestart(), { code: 'FY_GENERATION_FAILED' });
  assert.equal(spawned.length, 2, 'two new children were forked');
  // Past the slow child's load time: it must be gone, not left holding a slot.
  await waitFor('every new child gone', () => spawned.every((pid) => !isAlive(pid)), 10_000);
  assert.deepEqual(livePids(pool), pids);
  assert.equal(pool.snapshot().processes.filter((p) => p.pid !== 0 && p.generation !== generation).length, 0);
  assert.equal((await get(port, '/')).body, 'gen 0\n');
});
