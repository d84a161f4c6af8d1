/**
 * A pool at rest costs next to nothing, like httpd's children asleep in accept: a child with no
 * connection reports every few seconds instead of every reportInterval, its listener's timers
 * stop with its last connection, and it checks for its primary every 10 s. Counted in wake-ups
 * (voluntary context switches of each child's main thread, from /proc), not in time.
 *
 * And the rest is not deafness: the next connection wakes the reporter, and the scoreboard
 * shows the request well within the resting child's report period.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import type { Pool } from '@forkyard/engine';
import { get, rawRequest, sleep, startPool, stopPool, waitFor } from './helpers.js';

/** How long a child must have had nothing to tell before it rests (a second), with margin. */
const SETTLE_MS = 2500;
const WATCH_MS = 4000;
/** At rest: the reporter every 5 s and the parent check every 10 s (0.3 a second); a stray 100 ms or 20 ms timer is far above. */
const MAX_WAKES_PER_S = 3;

const childPids = (pool: Pool): number[] => pool.snapshot().processes.filter((p) => p.pid > 0).map((p) => p.pid);
const wakes = (pid: number): number => Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]);
const poolConnections = (pool: Pool): number => pool.snapshot().processes.reduce((n, p) => n + p.connections, 0);
const accesses = (pool: Pool): number => pool.snapshot().workers.flat().reduce((n, w) => n + w.accessCount, 0);

const CASES = [
  { mpm: 'prefork', directives: { StartServers: 3, MinSpareServers: 1, MaxSpareServers: 5 } },
  { mpm: 'worker', directives: { StartServers: 2, ThreadsPerChild: 4, MinSpareThreads: 1, MaxSpareThreads: 16 } },
  { mpm: 'event', directives: { StartServers: 2, ThreadsPerChild: 4, MinSpareThreads: 1, MaxSpareThreads: 16 } },
] as const;

for (const c of CASES) {
  test(`${c.mpm}: children at rest wake at most ${MAX_WAKES_PER_S} times a second, and the next request still shows at once`, { timeout: 30_000 }, async () => {
    const { pool, port } = await startPool({ mpm: c.mpm, directives: c.directives });
    try {
      for (let i = 0; i < 6; i++) assert.equal((await get(port, '/')).status, 200);
      await sleep(SETTLE_MS);
      const pids = childPids(pool);
      assert.ok(pids.length >= 2, `children: ${pids.join(', ')}`);
      const before = pids.map(wakes);
      await sleep(WATCH_MS);
      const perSecond = pids.map((pid, i) => ((wakes(pid) - before[i]!) * 1000) / WATCH_MS);
      process.stdout.write(`# ${c.mpm}: main-thread wake-ups per second at rest: ${perSecond.map((w) => w.toFixed(2)).join(', ')}\n`);
      for (const w of perSecond) assert.ok(w <= MAX_WAKES_PER_S, `a resting child woke ${w.toFixed(2)} times a second`);

      const seen = accesses(pool);
      assert.equal((await get(port, '/')).status, 200);
      // A resting child reports every 5 s; the connection wakes it to report within reportInterval.
      await waitFor('the request in the scoreboard', () => accesses(pool) > seen, 1500, 20);
    } finally {
      await stopPool(pool);
    }
  });
}

/**
 * Kept-alive connections that stay quiet keep the child awake, but not busy: its reporter looks
 * at the slots every reportInterval (a parked connection's next request changes them without a
 * word to the listener), and the listener's look at its threads slows to every 320 ms once it
 * finds nothing to do, instead of every 20 ms.
 */
const HELD_WAKES_PER_S = 20;

test(`event: a child holding only quiet kept-alive connections wakes at most ${HELD_WAKES_PER_S} times a second`, { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'event', directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, KeepAliveTimeout: 30 } });
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      const { head } = await rawRequest(socket, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 200/);
    }
    await sleep(1500);
    const [pid] = childPids(pool);
    assert.ok(pid, 'a child');
    assert.equal(poolConnections(pool), 8, 'the 8 connections are held');
    const before = wakes(pid);
    await sleep(WATCH_MS);
    const perSecond = ((wakes(pid) - before) * 1000) / WATCH_MS;
    process.stdout.write(`# event, 8 quiet kept-alive connections: main-thread wake-ups per second: ${perSecond.toFixed(2)}\n`);
    assert.ok(perSecond <= HELD_WAKES_PER_S, `the child woke ${perSecond.toFixed(2)} times a second`);
    // Still held, and still answered at once.
    assert.equal(poolConnections(pool), 8);
    const { head } = await rawRequest(sockets[3]!, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200/);
  } finally {
    for (const s of sockets) s.destroy();
    await stopPool(pool);
  }
});
