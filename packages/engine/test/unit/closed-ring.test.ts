/**
 * ClosedRing (src/ipc/thread-shared.ts): how a worker thread tells its listener which
 * connections it has finished with, without a message — one ring per thread in shared memory,
 * read whenever the listener wakes.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CLOSED_RING_SIZE, ClosedRing } from '../../src/ipc/thread-shared.js';

const drained = (ring: ClosedRing): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  ring.drain((thread, entry) => out.push([thread, entry]));
  return out;
};

test('entries come out once each, oldest first, tagged with their thread', () => {
  const ring = new ClosedRing(3);
  assert.ok(ring.push(2, 7));
  assert.ok(ring.push(0, 1));
  assert.ok(ring.push(2, -8));
  assert.deepEqual(drained(ring), [[0, 1], [2, 7], [2, -8]]);
  assert.deepEqual(drained(ring), [], 'nothing twice');
});

test('a full ring refuses, and has room again once read', () => {
  const ring = new ClosedRing(1);
  for (let i = 1; i <= CLOSED_RING_SIZE; i++) assert.ok(ring.push(0, i), `entry ${i}`);
  assert.equal(ring.push(0, 999), false, 'full');
  assert.equal(drained(ring).length, CLOSED_RING_SIZE);
  assert.ok(ring.push(0, 999));
  assert.deepEqual(drained(ring), [[0, 999]]);
});

test('the counters wrap past 2^31 without losing or reordering an entry', () => {
  const ring = new ClosedRing(1);
  const words = new Int32Array(ring.sab);
  words[0] = words[1] = 0x7fffffff - 5;
  const ids = Array.from({ length: 3 * CLOSED_RING_SIZE }, (_, i) => i + 1);
  const out: number[] = [];
  for (const id of ids) {
    if (!ring.push(0, id)) {
      ring.drain((_t, e) => out.push(e));
      assert.ok(ring.push(0, id));
    }
  }
  ring.drain((_t, e) => out.push(e));
  assert.deepEqual(out, ids);
});

test('prompt and wake are two flags both sides see, apart from each other and from the rings', () => {
  const ring = new ClosedRing(2);
  assert.equal(ring.prompt, false);
  assert.equal(ring.wake, false);
  ring.prompt = true;
  const other = new ClosedRing(ring.sab);
  assert.equal(other.prompt, true);
  assert.equal(other.wake, false);
  ring.wake = true;
  ring.prompt = false;
  assert.equal(other.wake, true);
  assert.equal(other.prompt, false);
  // The thread count read back from the buffer is the one it was made for: the last ring's entries are its own.
  assert.ok(other.push(1, 5));
  assert.deepEqual(drained(ring), [[1, 5]]);
  assert.equal(ring.wake, true);
});

test('a real thread writing while the listener reads: every entry arrives exactly once, in order', { timeout: 20_000 }, async () => {
  const ring = new ClosedRing(2);
  const N = 20_000;
  // The thread pushes 1..N to ring 1, waiting whenever the ring is full.
  const worker = new Worker(new URL('./fixtures/ring-writer.mjs', import.meta.url), { workerData: { sab: ring.sab, thread: 1, count: N } });
  const got: number[] = [];
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const deadline = Date.now() + 15_000;
  while (got.length < N && Date.now() < deadline) {
    ring.drain((thread, entry) => {
      assert.equal(thread, 1);
      got.push(entry);
    });
    await new Promise((r) => setImmediate(r));
  }
  await exited;
  assert.equal(got.length, N);
  assert.ok(got.every((id, i) => id === i + 1), 'in order, none lost or repeated');
});
