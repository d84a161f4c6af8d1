/**
 * How connections reach threads (src/child/fd.ts): under worker a thread serves the real
 * socket on its own descriptor; under event too, a kept-alive connection parked on its thread
 * between requests. Every descriptor is closed when its connection ends — a child serving many
 * short connections does not accumulate descriptors.
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pool } from '@forkyard/engine';
import { get, keepAliveAgent, liveChildren, openFds, shortConnections, startPool } from './helpers.js';

const APP = fileURLToPath(new URL('../fixtures/socket-app.mjs', import.meta.url));
const shape = { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 2 };

const childPid = (pool: Pool): number => pool.snapshot().processes.find((p) => p.pid > 0)!.pid;

test('worker: the application is handed a real net.Socket, and 300 short connections leave no descriptor behind', { timeout: 60_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'worker', app: APP, directives: shape });
  assert.equal(liveChildren(pool), 1);
  const first = JSON.parse((await get(port, '/')).body) as { kind: string; pid: number };
  assert.equal(first.kind, 'Socket', 'served directly on the thread');
  const pid = childPid(pool);
  assert.equal(first.pid, pid);

  const before = openFds(pid);
  // The primary is this process: it closes its copy of each connection once sent.
  const primaryBefore = openFds(process.pid);
  await shortConnections(port, 30);
  const after = openFds(pid);
  assert.ok(after - before <= 4, `descriptors in the child: ${before} before, ${after} after 300 connections`);
  const primaryAfter = openFds(process.pid);
  assert.ok(primaryAfter - primaryBefore <= 4, `descriptors in the primary: ${primaryBefore} before, ${primaryAfter} after 300 connections`);
});

test('event: the application is handed a real net.Socket too (parked on its thread between requests)', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'event', app: APP, directives: shape });
  assert.equal(liveChildren(pool), 1);
  const reply = JSON.parse((await get(port, '/')).body) as { kind: string };
  assert.equal(reply.kind, 'Socket');
});

test('event: a parked connection whose thread is busy with an asynchronous request has its next request answered by an idle thread', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'event', app: APP, directives: shape });
  assert.equal(liveChildren(pool), 1);
  // Connections go to idle threads in turn: open keep-alive connections until two are parked
  // on the same thread.
  const agents: http.Agent[] = [];
  const home = new Map<number, http.Agent>();
  let pair: [http.Agent, http.Agent, number] | null = null;
  try {
    for (let n = 0; n < 8 && !pair; n++) {
      const agent = keepAliveAgent();
      agents.push(agent);
      const { threadId } = JSON.parse((await get(port, '/', agent)).body) as { threadId: number };
      const other = home.get(threadId);
      if (other) pair = [other, agent, threadId];
      else home.set(threadId, agent);
    }
    assert.ok(pair, 'two connections parked on one thread');
    const [slow, next, busyThread] = pair;
    // The first keeps its thread busy for 1.5 s; meanwhile the second sends its next request.
    const slowReply = get(port, '/sleep?ms=1500', slow);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const reply = JSON.parse((await get(port, '/', next)).body) as { threadId: number };
    const waited = Date.now() - started;
    assert.notEqual(reply.threadId, busyThread, 'answered by the other thread');
    assert.ok(waited < 1000, `answered after ${waited} ms, not after the busy thread's 1.3 s`);
    assert.equal((await slowReply).status, 200);
    // Both connections carry on.
    assert.equal((await get(port, '/', slow)).status, 200);
    assert.equal((await get(port, '/', next)).status, 200);
  } finally {
    agents.forEach((a) => a.destroy());
  }
});
