/**
 * WorkerQueue (src/ipc/worker-queue.ts): connections that wait, in shared memory, for the
 * first free thread of a direct event child, which takes the oldest itself.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { WORKER_QUEUE_SLOTS, WorkerQueue } from '../../src/ipc/worker-queue.js';

const conn = (id: number): { id: number; fd: number; served: number } => ({ id, fd: 100 + id, served: id % 3 });

test('the oldest waiting connection is taken first, with its descriptor and count', () => {
  const q = new WorkerQueue(4);
  for (const id of [1, 2, 3]) assert.ok(q.push(conn(id)));
  assert.equal(q.waiting(), 3);
  assert.deepEqual(q.pop(0), conn(1));
  assert.deepEqual(q.pop(1), conn(2));
  assert.equal(q.waiting(), 1);
  // A slot freed by resolve is reused, and order still follows arrival, not slot position.
  q.resolve(() => undefined);
  assert.ok(q.push(conn(4)));
  assert.deepEqual([q.pop(0)?.id, q.pop(0)?.id, q.pop(0)], [3, 4, null]);
});

test('resolve tells which thread took each connection, once', () => {
  const q = new WorkerQueue(4);
  q.push(conn(7));
  q.push(conn(8));
  q.push(conn(9));
  q.pop(1);
  q.pop(0);
  const seen: Array<[number, number]> = [];
  q.resolve((thread, id) => seen.push([thread, id]));
  assert.deepEqual(seen.sort((a, b) => a[1] - b[1]), [[1, 7], [0, 8]]);
  q.resolve((thread, id) => seen.push([thread, id]));
  assert.equal(seen.length, 2, 'nothing twice');
  assert.equal(q.waiting(), 1, 'the untaken one still waits');
});

test('a full queue refuses; a taken connection holds its slot until resolved', () => {
  const q = new WorkerQueue(2);
  assert.ok(q.push(conn(1)));
  assert.ok(q.push(conn(2)));
  assert.equal(q.push(conn(3)), false);
  q.pop(0);
  assert.equal(q.push(conn(3)), false, 'taken, not yet resolved');
  q.resolve(() => undefined);
  assert.ok(q.push(conn(3)));
  assert.equal(new WorkerQueue().sab.byteLength, 4 * (5 * WORKER_QUEUE_SLOTS + 1));
});

test('three real threads taking at once: each connection goes to exactly one of them, and resolve names it', { timeout: 30_000 }, async () => {
  const q = new WorkerQueue();
  const N = 20_000;
  const END = -1;
  const takers = [0, 1, 2].map((thread) => new Worker(new URL('./fixtures/queue-taker.mjs', import.meta.url), { workerData: { sab: q.sab, thread, end: END } }));
  const results = takers.map((w) => once(w, 'message') as Promise<[number[]]>);
  // Ready once each has loaded its module: they then take while more arrive.
  await Promise.all(takers.map((w) => once(w, 'online')));
  const by = new Map<number, number>();
  let next = 1;
  let ends = 0;
  const deadline = Date.now() + 25_000;
  while (ends < takers.length && Date.now() < deadline) {
    q.resolve((thread, id) => {
      if (id !== END) by.set(id, thread);
    });
    while (next <= N && q.push(conn(next))) next++;
    if (next > N) while (ends < takers.length && q.push(conn(END))) ends++;
    await new Promise((r) => setImmediate(r));
  }
  const taken = (await Promise.all(results)).map(([ids]) => ids);
  q.resolve((thread, id) => {
    if (id !== END) by.set(id, thread);
  });
  const all = taken.flat().sort((a, b) => a - b);
  assert.equal(all.length, N, 'none lost, none taken twice');
  assert.ok(all.every((id, i) => id === i + 1));
  for (const [thread, ids] of taken.entries()) {
    assert.ok(ids.every((id) => by.get(id) === thread), `resolve names thread ${thread} for its own`);
  }
});

test('a connection a thread was taking when it died waits again for another', () => {
  const q = new WorkerQueue(2);
  q.push(conn(5));
  // Thread 1 stopped between its claim and its mark (a terminate in between): the slot says so.
  new Int32Array(q.sab)[0] = -(1 + 1);
  assert.equal(q.pop(0), null, 'not waiting while being taken');
  const seen: number[] = [];
  q.resolve((_t, id) => seen.push(id));
  assert.deepEqual(seen, [], 'nor taken');
  q.requeue(0);
  assert.equal(q.pop(0), null, 'only the dead thread’s claim is undone');
  q.requeue(1);
  assert.deepEqual(q.pop(0), conn(5));
  assert.equal(q.waiting(), 0);
});

test('the count of waiting connections follows every push, take and give-back', () => {
  const q = new WorkerQueue(4);
  const words = new Int32Array(q.sab);
  const count = words.length - 1;
  assert.equal(q.waiting(), 0);
  q.push(conn(1));
  q.push(conn(2));
  assert.equal(words[count], 2);
  q.pop(0);
  assert.equal(q.waiting(), 1);
  // A claim the thread never finished stays counted, so giving it back needs no recount.
  words[5] = -(1 + 2);
  assert.equal(q.waiting(), 1);
  q.requeue(2);
  assert.deepEqual(q.pop(1), conn(2));
  assert.equal(q.waiting(), 0);
  q.resolve(() => undefined);
  assert.equal(q.waiting(), 0, 'resolve frees taken slots; it does not count them');
});

test('a thread that reads a count of 0 takes nothing, even from a slot offered but not yet counted', () => {
  const q = new WorkerQueue(2);
  q.push(conn(3));
  const words = new Int32Array(q.sab);
  // The listener between offering the slot and counting it: the count still says 0.
  words[words.length - 1] = 0;
  assert.equal(q.pop(0), null);
  words[words.length - 1] = 1;
  assert.deepEqual(q.pop(0), conn(3));
});
