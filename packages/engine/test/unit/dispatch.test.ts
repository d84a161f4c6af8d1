/** mpm/dispatch.ts: which child takes the next connection, table-driven. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChild, connectionLimit, MAX_CONN_ID, nextConnId, type DispatchCandidate } from '../../src/mpm/dispatch.js';

const child = (slot: number, open: number, extra: Partial<DispatchCandidate> = {}): DispatchCandidate => ({
  slot,
  open,
  limit: 4,
  ready: true,
  stopping: false,
  accepting: true,
  generation: 0,
  ...extra,
});

test('connectionLimit: prefork 1, worker one per thread, event adds idle × AsyncRequestWorkerFactor', () => {
  assert.equal(connectionLimit({ mpm: 'prefork', threadsPerChild: 25, asyncRequestWorkerFactor: 2 }), 1);
  assert.equal(connectionLimit({ mpm: 'worker', threadsPerChild: 25, asyncRequestWorkerFactor: 2 }), 25);
  assert.equal(connectionLimit({ mpm: 'event', threadsPerChild: 25, asyncRequestWorkerFactor: 2.7 }), 75);
});

const cases: Array<{ name: string; mpm: 'prefork' | 'worker' | 'event'; children: DispatchCandidate[]; want: number }> = [
  { name: 'none: the connection waits', mpm: 'worker', children: [], want: -1 },
  { name: 'prefork: lowest idle slot', mpm: 'prefork', children: [child(3, 0, { limit: 1 }), child(1, 1, { limit: 1 }), child(2, 0, { limit: 1 })], want: 2 },
  { name: 'worker: least loaded', mpm: 'worker', children: [child(0, 3), child(1, 1), child(2, 2)], want: 1 },
  { name: 'worker: ties go to the lower slot', mpm: 'worker', children: [child(2, 1), child(0, 1)], want: 1 },
  { name: 'full, not ready, stopping or not accepting: skipped', mpm: 'event', children: [child(0, 4), child(1, 0, { ready: false }), child(2, 0, { stopping: true }), child(3, 0, { accepting: false })], want: -1 },
  { name: 'a ready child of the new generation first, even if busier', mpm: 'event', children: [child(0, 0), child(1, 2, { generation: 1 })], want: 1 },
  { name: 'the new generation full: the old one still serves', mpm: 'event', children: [child(0, 1), child(1, 4, { generation: 1 })], want: 0 },
  { name: 'the new generation not ready yet: the old one serves', mpm: 'prefork', children: [child(0, 0, { limit: 1 }), child(1, 0, { limit: 1, generation: 1, ready: false })], want: 0 },
];

for (const c of cases) {
  test(`chooseChild: ${c.name}`, () => {
    assert.equal(chooseChild(c.children, c.mpm), c.want);
  });
}

test('nextConnId: counts up, wraps to 1 past MAX_CONN_ID, and skips ids still open', () => {
  const none = (): boolean => false;
  assert.equal(nextConnId(0, none), 1);
  assert.equal(nextConnId(41, none), 42);
  assert.equal(nextConnId(MAX_CONN_ID - 1, none), MAX_CONN_ID);
  assert.equal(nextConnId(MAX_CONN_ID, none), 1);
  // Int32Array holds every id it hands out.
  assert.equal(new Int32Array([nextConnId(MAX_CONN_ID - 1, none)])[0], MAX_CONN_ID);
  const open = new Set([1, 2, 4]);
  assert.equal(nextConnId(MAX_CONN_ID, (id) => open.has(id)), 3);
  assert.equal(nextConnId(3, (id) => open.has(id)), 5);
});
