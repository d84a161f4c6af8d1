/**
 * A failing application handler under worker and event: a synchronous throw or a rejected
 * promise costs only that request (500) and the thread serves on; an uncaught exception that
 * escapes later (from a timer) ends only that thread, which the child replaces without the
 * child itself going away.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ChildExitEvent } from '@forkyard/engine';
import { get, liveChildren, startPool } from './helpers.js';

const APP = fileURLToPath(new URL('../fixtures/throwing-app.mjs', import.meta.url));

/** "pid threadId" as the fixture answers it. */
function who(body: string): { pid: number; threadId: number } {
  const m = /^(\d+) (\d+)$/.exec(body);
  assert.ok(m, `expected "pid threadId", got ${JSON.stringify(body)}`);
  return { pid: Number(m[1]), threadId: Number(m[2]) };
}

for (const mpm of ['worker', 'event'] as const) {
  test(`${mpm}: a handler that throws or rejects answers 500 and the same thread keeps serving`, { timeout: 60_000 }, async () => {
    // One child with one thread: every request is served by the same thread, if it survives.
    const { pool, port } = await startPool({
      mpm,
      app: APP,
      directives: { ServerLimit: 1, ThreadsPerChild: 1, MaxRequestWorkers: 1, StartServers: 1, MinSpareThreads: 1 },
    });
    const exits: ChildExitEvent[] = [];
    pool.on('exit', (e) => exits.push(e));

    const before = await get(port, '/ok');
    assert.equal(before.status, 200);
    const thread = who(before.body);

    for (const path of ['/boom', '/reject', '/boom', '/reject']) {
      const failed = await get(port, path);
      assert.equal(failed.status, 500, `${path} answers 500`);
      assert.equal(failed.body, 'Internal Server Error\n');
      const after = await get(port, '/ok');
      assert.equal(after.status, 200, `/ok after ${path}`);
      assert.deepEqual(who(after.body), thread, `the thread that failed ${path} serves the next request`);
    }
    assert.equal(exits.length, 0);
    assert.equal(liveChildren(pool), 1);
    assert.equal(pool.snapshot().processes[0]!.pid, thread.pid);
  });

  test(`${mpm}: an uncaught exception thrown later from a handler's timer ends only that thread; the child replaces it`, { timeout: 60_000 }, async () => {
    const { pool, port } = await startPool({
      mpm,
      app: APP,
      directives: { ServerLimit: 1, ThreadsPerChild: 2, MaxRequestWorkers: 2, StartServers: 1, MinSpareThreads: 1 },
    });
    const exits: ChildExitEvent[] = [];
    pool.on('exit', (e) => exits.push(e));
    const pid = pool.snapshot().processes[0]!.pid;
    assert.notEqual(pid, 0);

    // Thread A is busy with a slow request when thread B's handler blows up from a timer.
    const slow = get(port, '/sleep?ms=1500');
    await new Promise((r) => setTimeout(r, 100));
    const later = await get(port, '/later?ms=100');
    assert.equal(later.status, 200, 'the response went out before the exception');
    const doomed = who(later.body);
    assert.equal(doomed.pid, pid);

    // The other thread's request is unaffected and completes.
    const survivor = await slow;
    assert.equal(survivor.status, 200);
    const kept = who(survivor.body);
    assert.equal(kept.pid, pid);
    assert.notEqual(kept.threadId, doomed.threadId);

    // Two concurrent requests now need both threads: the survivor and a new thread.
    const pair = await Promise.all([get(port, '/sleep?ms=300'), get(port, '/sleep?ms=300')]);
    assert.deepEqual(
      pair.map((r) => r.status),
      [200, 200],
    );
    const ids = pair.map((r) => who(r.body));
    assert.ok(ids.every((w) => w.pid === pid), 'the same child serves on');
    const threadIds = ids.map((w) => w.threadId).sort((a, b) => a - b);
    assert.ok(threadIds.includes(kept.threadId), `the surviving thread serves on: ${threadIds}`);
    assert.ok(!threadIds.includes(doomed.threadId), `the failed thread is gone: ${threadIds}`);
    assert.equal(new Set(threadIds).size, 2, `a replacement thread serves: ${threadIds}`);

    // Later requests keep succeeding, and no child exited.
    for (let i = 0; i < 5; i++) assert.equal((await get(port, '/ok')).status, 200);
    assert.equal(exits.length, 0);
    assert.equal(liveChildren(pool), 1);
    assert.equal(pool.snapshot().processes[0]!.pid, pid);
  });
}
