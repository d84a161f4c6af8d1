/**
 * The RequestTimeLimit watchdog pauses a stuck thread through the inspector. The inspector
 * numbers its worker targets itself (the newest first here), so the thread is found by the id
 * in the target's title, `[worker <threadId>] <name>`.
 */

import assert from 'node:assert/strict';
import { Session } from 'node:inspector';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { threadIdOf } from '../../src/child/stack.js';

test('threadIdOf: the thread id in a worker target title', () => {
  assert.equal(threadIdOf('[worker 7] thread-main'), '7');
  assert.equal(threadIdOf('[worker 12] '), '12');
  assert.equal(threadIdOf('worker 7'), null);
  assert.equal(threadIdOf(''), null);
});

test('threadIdOf names the right thread where the inspector numbers its targets otherwise', async () => {
  const spawn = async (): Promise<Worker> => {
    const w = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((r) => w.once('online', r));
    return w;
  };
  const workers = [await spawn(), await spawn(), await spawn()];
  await workers[0]!.terminate();
  workers.push(await spawn());
  const alive = workers.slice(1);
  const session = new Session();
  session.connect();
  const targets: Array<{ workerId: string; title: string }> = [];
  session.on('NodeWorker.attachedToWorker', (m: { params: { workerInfo: { workerId: string; title: string } } }) => targets.push(m.params.workerInfo));
  try {
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const ids = alive.map((w) => String(w.threadId));
    const found = (): Map<string | null, string> => new Map(targets.map((t) => [threadIdOf(t.title), t.workerId]));
    const deadline = Date.now() + 5000;
    while (!ids.every((id) => found().has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const byThread = found();
    assert.deepEqual(ids.filter((id) => !byThread.has(id)), [], 'every live thread is found by its title');
    // What the watchdog used to key on, the target's workerId, names another thread.
    assert.ok(ids.some((id) => byThread.get(id) !== id), `workerIds ${JSON.stringify([...byThread])}`);
  } finally {
    session.disconnect();
    await Promise.all(alive.map((w) => w.terminate()));
  }
});
