/**
 * How connections reach threads (src/child/fd.ts): under worker a thread serves the real
 * socket on its own descriptor; event relays through the listener. Either way every
 * descriptor is closed when its connection ends — a child serving many short connections
 * does not accumulate descriptors.
 */

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pool } from '@forkyard/engine';
import { get, liveChildren, startPool } from './helpers.js';

const APP = fileURLToPath(new URL('../fixtures/socket-app.mjs', import.meta.url));
const shape = { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 2 };

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const childPid = (pool: Pool): number => pool.snapshot().processes.find((p) => p.pid > 0)!.pid;

test('worker: the application is handed a real net.Socket, and 300 short connections leave no descriptor behind', { timeout: 60_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'worker', app: APP, directives: shape });
  assert.equal(liveChildren(pool), 1);
  const first = JSON.parse((await get(port, '/')).body) as { kind: string; pid: number };
  assert.equal(first.kind, 'Socket', 'served directly on the thread');
  const pid = childPid(pool);
  assert.equal(first.pid, pid);

  const before = openFds(pid);
  for (let round = 0; round < 30; round++) {
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(port, '/')));
    assert.ok(replies.every((r) => r.status === 200));
  }
  // Closing is asynchronous (the thread, then the listener's lifeline): give it a moment.
  await new Promise((r) => setTimeout(r, 300));
  const after = openFds(pid);
  assert.ok(after - before <= 4, `descriptors in the child: ${before} before, ${after} after 300 connections`);
});

test('event: the application is handed the listener\'s relayed stream', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'event', app: APP, directives: shape });
  assert.equal(liveChildren(pool), 1);
  const reply = JSON.parse((await get(port, '/')).body) as { kind: string };
  assert.equal(reply.kind, 'PortSocket');
});
