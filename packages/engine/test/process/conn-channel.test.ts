/**
 * The connection channel (src/ipc/conn-channel.ts): each child gets its connections as bare
 * descriptors on a socket pair of its own, its descriptor 3, close-on-exec so the application
 * cannot pass it on; with FORKYARD_CONN_TRANSPORT=ipc (or without native/fd.node) they take
 * the fork channel as Node sends handles. Both ways serve every MPM and leave no descriptor
 * behind in the primary; connections a child dies before reading go to another child.
 */

import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import type { Pool } from '@forkyard/engine';
import { get, keepAliveAgent, openFds, poolAuto, shortConnections, sleep, startPool, stopPool, waitFor } from './helpers.js';

const shapes = {
  prefork: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, ServerLimit: 4, MaxRequestWorkers: 4 },
  worker: { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 4, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 4 },
  event: { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 4, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 4 },
} as const;

const childPids = (pool: Pool): number[] => pool.snapshot().processes.filter((p) => p.pid > 0).map((p) => p.pid);
const environ = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');

/** Whether descriptor 3 of `pid` is a socket marked close-on-exec (O_CLOEXEC is octal 02000000). */
function channelFd(pid: number): { socket: boolean; cloexec: boolean } {
  const socket = readlinkSync(`/proc/${pid}/fd/3`).startsWith('socket:');
  const flags = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/${pid}/fdinfo/3`, 'latin1'))![1]!;
  return { socket, cloexec: (parseInt(flags, 8) & 0o2000000) !== 0 };
}

async function serveAndCount(pool: Pool, port: number): Promise<void> {
  const agent = keepAliveAgent();
  for (let i = 0; i < 5; i++) assert.equal((await get(port, '/', agent)).status, 200);
  agent.destroy();
  const before = openFds(process.pid);
  await shortConnections(port, 10);
  const after = openFds(process.pid);
  // The test's own client sockets are closed by now; the primary keeps none of the 100 it sent.
  assert.ok(after - before <= 4, `descriptors in the primary: ${before} before, ${after} after 100 connections`);
  await waitFor('the children reporting no open connection', () => pool.snapshot().processes.every((p) => p.connections === 0), 5000);
  // Every request reached a thread or child and was counted there (reports come in batches).
  await waitFor('105 requests counted on the scoreboard', () => Number(poolAuto(pool)['Total Accesses']) >= 105, 5000);
}

for (const mpm of ['prefork', 'worker', 'event'] as const) {
  test(`${mpm}: connections reach each child on its own close-on-exec channel, and every one is served`, { timeout: 60_000 }, async () => {
    const { pool, port } = await startPool({ mpm, directives: shapes[mpm] });
    try {
      for (const pid of childPids(pool)) {
        assert.ok(environ(pid).includes('FORKYARD_CONN_CHANNEL=3'), `child ${pid} was given a channel`);
        assert.deepEqual(channelFd(pid), { socket: true, cloexec: true }, `child ${pid}'s descriptor 3`);
      }
      await serveAndCount(pool, port);
    } finally {
      await stopPool(pool);
    }
  });
}

for (const mpm of ['prefork', 'event'] as const) {
  test(`${mpm}, FORKYARD_CONN_TRANSPORT=ipc: connections take the fork channel and every one is served`, { timeout: 60_000 }, async () => {
    process.env.FORKYARD_CONN_TRANSPORT = 'ipc';
    try {
      const { pool, port } = await startPool({ mpm, directives: shapes[mpm] });
      try {
        for (const pid of childPids(pool)) assert.ok(!environ(pid).some((e) => e.startsWith('FORKYARD_CONN_CHANNEL=')), `child ${pid} has no channel`);
        await serveAndCount(pool, port);
      } finally {
        await stopPool(pool);
      }
    } finally {
      delete process.env.FORKYARD_CONN_TRANSPORT;
    }
  });
}

test('event: connections written to a child that dies before reading them are served by another child', { timeout: 60_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'event', directives: { StartServers: 2, ServerLimit: 2, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 4 } });
  try {
    const [stuck, other] = childPids(pool);
    assert.ok(stuck && other, 'two children');
    // Stopped, the child reads nothing: what the primary sends it stays in its channel.
    process.kill(stuck, 'SIGSTOP');
    const replies = Promise.all(Array.from({ length: 8 }, () => get(port, '/')));
    await sleep(500);
    const exited = new Promise<void>((resolve) => pool.on('exit', (e: { pid: number }) => e.pid === stuck && resolve()));
    process.kill(stuck, 'SIGKILL');
    await exited;
    const statuses = (await replies).map((r) => r.status);
    assert.deepEqual(statuses, Array(8).fill(200), `every request answered: ${statuses.join(' ')}`);
  } finally {
    await stopPool(pool);
  }
});
