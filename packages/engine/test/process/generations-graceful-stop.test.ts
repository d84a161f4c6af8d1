/**
 * Graceful stop (httpd SIGWINCH): the listener closes at once (new connections are refused),
 * requests in flight finish, then every child is gone. GracefulShutdownTimeout 0 waits as long
 * as it takes; GracefulShutdownTimeout G cuts what still runs after about G seconds.
 * (reference/apache-mpm.md §6.3, §8.4 item 15)
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { ChildExitEvent, Pool } from '@forkyard/engine';
import { get, isAlive, startPoolObserved, waitFor } from './helpers.js';

const livePids = (pool: Pool): number[] => pool.snapshot().processes.filter((p) => p.pid !== 0).map((p) => p.pid);

/** Resolves with the connect error's code, or 'connected' if something accepted. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function inFlight(pool: Pool, path: string): boolean {
  const image = pool.snapshot();
  return image.workers.some((row, slot) => image.processes[slot]!.pid !== 0 && row.some((w) => w.status === 'W' && w.request.includes(path)));
}

const DIRECTIVES = {
  prefork: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4 },
  event: { StartServers: 2, ThreadsPerChild: 4, ServerLimit: 8, MaxRequestWorkers: 16, MinSpareThreads: 1, MaxSpareThreads: 16 },
} as const;

for (const mpm of ['prefork', 'event'] as const) {
  test(`${mpm}: GracefulShutdownTimeout 0 refuses new connections at once and waits for the request in flight`, { timeout: 30_000 }, async () => {
    const exits: ChildExitEvent[] = [];
    const { pool, port } = await startPoolObserved({ mpm, directives: { ...DIRECTIVES[mpm], GracefulShutdownTimeout: 0 } }, (p) =>
      p.on('exit', (e) => exits.push(e)),
    );
    assert.equal(await connectOutcome(port), 'connected', 'the pool listens');
    const pids = livePids(pool);

    let answeredAt = 0;
    const sleeping = get(port, '/sleep?ms=2000').then((r) => ((answeredAt = Date.now()), r));
    await waitFor('the request in flight', () => inFlight(pool, '/sleep?ms=2000'), 5_000, 20);

    let stoppedAt = 0;
    const stopping = pool.gracefulStop().then(() => (stoppedAt = Date.now()));
    assert.equal(await connectOutcome(port), 'ECONNREFUSED', 'new connections are refused at once');

    const reply = await sleeping;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'slept 2000 ms\n');
    await stopping;
    assert.ok(answeredAt > 0 && answeredAt <= stoppedAt, 'the stop completes after the request was answered');
    assert.deepEqual(livePids(pool), [], 'the scoreboard shows no child');
    assert.deepEqual(pids.filter(isAlive), [], 'every child process is gone');
    assert.deepEqual(
      exits.map((e) => e.reason),
      pids.map(() => 'stop'),
    );
    assert.ok(exits.every((e) => e.signal === null), `no child had to be killed: ${JSON.stringify(exits)}`);
    await assert.rejects(pool.gracefulRestart(), { code: 'FY_STATE' });
  });
}

test('prefork: GracefulShutdownTimeout 1 cuts a 10 s request after about a second', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPoolObserved({ mpm: 'prefork', directives: { ...DIRECTIVES.prefork, GracefulShutdownTimeout: 1 } }, () => undefined);
  const pids = livePids(pool);
  const sleeping = get(port, '/sleep?ms=10000');
  const outcome = sleeping.then(
    (r) => `answered ${r.status}`,
    (err: NodeJS.ErrnoException) => `cut: ${err.code ?? err.message}`,
  );
  await waitFor('the request in flight', () => inFlight(pool, '/sleep?ms=10000'), 5_000, 20);

  const t0 = Date.now();
  const stopping = pool.gracefulStop();
  assert.equal(await connectOutcome(port), 'ECONNREFUSED', 'new connections are refused at once');
  await stopping;
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 9_000, `stopped after ${took} ms (GracefulShutdownTimeout 1)`);
  assert.match(await outcome, /^cut: /, 'the request did not finish');
  assert.deepEqual(pids.filter(isAlive), [], 'every child process is gone');
  assert.deepEqual(livePids(pool), []);
});
