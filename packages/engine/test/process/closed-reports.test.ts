/**
 * Connections a child's threads take and end without telling the listener at once.
 *
 * Queue: in a direct event child, connections that arrive while every thread is busy wait in
 * the worker queue (shared memory), and the first thread to finish takes the oldest itself.
 *
 * Closes: a worker thread that ends a connection cleanly tells the primary itself, on the
 * connection channel's other direction, when its child is near its connection limit; else its
 * listener tells the primary several at a time. Either way the listener closes its lifeline of
 * the connection when it next reads the thread's ClosedRing, woken for anything or by its timer.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pool } from '@forkyard/engine';
import { readdirSync, readlinkSync } from 'node:fs';
import { get, shortConnections, sleep, slotLetterCounts, startPool, stopPool, waitFor } from './helpers.js';

const childPid = (pool: Pool): number => pool.snapshot().processes.find((p) => p.pid > 0)!.pid;

/** Sockets a process holds: its channels, and any connection it has not closed. */
function sockets(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** A pool of one child, warmed by one request, and the sockets that child holds at rest. */
async function oneChild(mpm: 'worker' | 'event', directives: Record<string, number>): Promise<{ pool: Pool; port: number; pid: number; before: number }> {
  const { pool, port } = await startPool({ mpm, directives: { StartServers: 1, ServerLimit: 1, MinSpareThreads: 1, ...directives } });
  const pid = childPid(pool);
  await get(port, '/');
  await sleep(200);
  return { pool, port, pid, before: sockets(pid) };
}

const event1x2 = { ThreadsPerChild: 2, MaxSpareThreads: 2, MaxRequestWorkers: 2, AsyncRequestWorkerFactor: 16 };

test('worker, 1 child × 1 thread: 40 connections one after another are all answered, each let in by the close before it', { timeout: 60_000 }, async () => {
  // The child's limit is one connection: the primary hands it the next one only once it has
  // heard that the last one closed.
  const { pool, port, pid, before } = await oneChild('worker', { ThreadsPerChild: 1, MaxSpareThreads: 1, MaxRequestWorkers: 1 });
  try {
    for (let i = 0; i < 40; i++) assert.equal((await get(port, '/', undefined, 5000)).status, 200, `request ${i}`);
    // Every lifeline is closed: the child holds no socket but its channels.
    await waitFor("the child holding no connection's socket", () => sockets(pid) === before, 5000);
    assert.equal(childPid(pool), pid, 'the same child served them all');
  } finally {
    await stopPool(pool);
  }
});

test('event, 1 child × 2 threads, limit 34: 300 short connections are all answered and none is left counted', { timeout: 60_000 }, async () => {
  // Far below its limit the child tells its closes in batches: if they never reached the
  // primary, it would stop handing this child connections after 34.
  const { pool, port, pid, before } = await oneChild('event', event1x2);
  try {
    await shortConnections(port, 30);
    await waitFor('the child reporting no open connection', () => pool.snapshot().processes.every((p) => p.connections === 0), 5000);
    await waitFor("the child holding no connection's socket", () => sockets(pid) === before, 5000);
    // 34 connections at once still fit: the primary counts none of the 300 as open.
    const replies = await Promise.all(Array.from({ length: 34 }, () => get(port, '/', undefined, 5000)));
    assert.deepEqual(replies.map((r) => r.status), Array(34).fill(200));
  } finally {
    await stopPool(pool);
  }
});

test('event, 1 child × 2 threads, both blocked: connections that arrive meanwhile wait in the worker queue and are all answered, leaving no socket behind', { timeout: 60_000 }, async () => {
  const { pool, port, pid, before } = await oneChild('event', event1x2);
  try {
    // Both threads busy for 1.5 s in synchronous work: neither can take anything meanwhile.
    const blocked = [get(port, '/cpu?ms=1500'), get(port, '/cpu?ms=1500')];
    await waitFor('both threads answering', () => slotLetterCounts(pool).W === 2, 5000, 20);
    const queued = Array.from({ length: 12 }, () => get(port, '/pid', undefined, 10_000));
    await sleep(300);
    assert.equal(slotLetterCounts(pool).W, 2, 'still both blocked while the 12 wait');
    const replies = await Promise.all(queued);
    assert.deepEqual(replies.map((r) => r.status), Array(12).fill(200));
    assert.ok(replies.every((r) => r.body.includes(String(pid))), 'answered by the one child');
    assert.deepEqual((await Promise.all(blocked)).map((r) => r.status), [200, 200]);
    await waitFor("the child holding no connection's socket", () => sockets(pid) === before, 5000);
  } finally {
    await stopPool(pool);
  }
});
