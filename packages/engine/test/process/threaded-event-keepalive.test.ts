/**
 * Event: between requests a keep-alive connection is parked in the child's listener and holds
 * no thread. The same 16 idle keep-alive clients that fill a worker pool leave every event
 * thread free: BusyWorkers stays at the requests really running, a fresh request is answered
 * at once, and the parked connections show in ConnsAsyncKeepAlive, never as `K` slots.
 * (reference/apache-mpm.md §5.3, §5.6, §8.3 item 8)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';
import { get, keepAliveAgent, liveChildren, rawRequest, slotLetterCounts, startPool, statusAuto, waitFor } from './helpers.js';

const agents: http.Agent[] = [];
const sockets: net.Socket[] = [];
after(() => {
  agents.forEach((a) => a.destroy());
  sockets.forEach((s) => s.destroy());
});

test('event: 16 idle keep-alive connections are parked, hold no thread, and a fresh request is answered at once', { timeout: 60_000 }, async (t) => {
  const { pool, port } = await startPool({
    mpm: 'event',
    directives: {
      ThreadsPerChild: 4,
      ServerLimit: 4,
      MaxRequestWorkers: 16,
      StartServers: 4,
      MinSpareThreads: 1,
      MaxSpareThreads: 16,
      KeepAliveTimeout: 3,
    },
  });
  const d = pool.directives;
  assert.deepEqual(
    { T: d.ThreadsPerChild, D: d.MaxDaemons, MRW: d.MaxRequestWorkers, start: d.StartServers, min: d.MinSpareThreads, max: d.MaxSpareThreads },
    { T: 4, D: 4, MRW: 16, start: 4, min: 1, max: 16 },
  );
  assert.deepEqual(pool.config.warnings, []);
  assert.equal(liveChildren(pool), 4);

  const replies = await Promise.all(
    Array.from({ length: 16 }, () => {
      const agent = keepAliveAgent();
      agents.push(agent);
      return get(port, '/', agent);
    }),
  );
  assert.deepEqual(
    replies.map((r) => r.status),
    Array(16).fill(200),
  );
  assert.ok(replies.every((r) => r.headers.connection === 'keep-alive'), 'every response keeps its connection');

  // The children report their counters every 100 ms: all 16 show as parked keep-alive.
  const parked = await waitFor(
    'ConnsAsyncKeepAlive 16 and no slot in K',
    async () => {
      const s = await statusAuto(port);
      // K shows only for the instant between a response and the listener parking it; S only
      // while a replacement child's threads are still starting.
      return s.ConnsAsyncKeepAlive === '16' && !/[KS]/.test(s.Scoreboard ?? 'K') ? s : null;
    },
    5000,
    50,
  );
  assert.ok(Number(parked.ConnsTotal) >= 16, `ConnsTotal ${parked.ConnsTotal}`);
  // Only the status request itself (and at most one straggler) is running.
  assert.ok(Number(parked.BusyWorkers) <= 2, `BusyWorkers ${parked.BusyWorkers}`);
  assert.ok(Number(parked.IdleWorkers) >= 14, `IdleWorkers ${parked.IdleWorkers}: ${parked.Scoreboard}`);
  assert.doesNotMatch(parked.Scoreboard!, /K/, 'no slot is held in K');
  assert.equal(slotLetterCounts(pool).K ?? 0, 0);

  // A fresh connection finds an idle thread at once.
  const sent = Date.now();
  const reply = await get(port, '/pid', undefined, 10_000);
  const waited = Date.now() - sent;
  t.diagnostic(`fresh request answered after ${waited} ms`);
  assert.equal(reply.status, 200);
  assert.ok(waited < 1500, `answered after ${waited} ms`);

  // The 16 clients are still parked, not closed, and each can send its next request.
  const again = await Promise.all(agents.map((a) => get(port, '/', a)));
  assert.deepEqual(
    again.map((r) => r.status),
    Array(16).fill(200),
  );
  assert.equal(pool.snapshot().global.acceptQueue, 0);
});

test("event: a parked connection waits KeepAliveTimeout for its next request, not Node's KeepAliveTimeout + 1 s", { timeout: 30_000 }, async () => {
  const { port } = await startPool({
    mpm: 'event',
    directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, KeepAliveTimeout: 3, MaxKeepAliveRequests: 0 },
  });
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n';

  // Two requests: the second finds the timer the first response armed, and re-arms it.
  for (let i = 0; i < 2; i++) {
    const { head } = await rawRequest(socket, request);
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.match(head, /\r\nKeep-Alive: timeout=3(\r\n|$)/i, 'advertises KeepAliveTimeout itself');
  }
  const answeredAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<number>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server never closed the idle connection')), 10_000);
  });
  const idleMs = (await Promise.race([closed, giveUp]).finally(() => clearTimeout(timer))) - answeredAt;
  // Node alone would wait 4 s (its keepAliveTimeout + 1 s); httpd waits exactly 3.
  assert.ok(idleMs >= 2500 && idleMs < 3800, `closed after ${idleMs} ms of idleness; KeepAliveTimeout is 3 s`);
});

test('event: connections parked on one thread each wait their own KeepAliveTimeout, the later one past the earlier', { timeout: 30_000 }, async () => {
  // One thread: both connections park on it, in its keep-alive queue.
  const { port } = await startPool({
    mpm: 'event',
    directives: { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 1, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 1, KeepAliveTimeout: 2, MaxKeepAliveRequests: 0 },
  });
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n';
  const park = async (): Promise<{ answeredAt: number; closed: Promise<number> }> => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const { head } = await rawRequest(socket, request);
    assert.match(head, /^HTTP\/1\.1 200 /);
    return { answeredAt: Date.now(), closed };
  };
  const first = await park();
  await new Promise((r) => setTimeout(r, 1200));
  const second = await park();
  const giveUp = (ms: number): Promise<number> => new Promise((_, reject) => setTimeout(() => reject(new Error('an idle connection was never closed')), ms).unref());
  const firstClosed = await Promise.race([first.closed, giveUp(10_000)]);
  const secondClosed = await Promise.race([second.closed, giveUp(10_000)]);
  const firstIdle = firstClosed - first.answeredAt;
  const secondIdle = secondClosed - second.answeredAt;
  assert.ok(firstIdle >= 1500 && firstIdle < 3500, `the first closed after ${firstIdle} ms of idleness; KeepAliveTimeout is 2 s`);
  assert.ok(secondIdle >= 1500 && secondIdle < 3500, `the second closed after ${secondIdle} ms of idleness, not with the first`);
  assert.ok(secondClosed - firstClosed >= 600, `the second outlived the first by ${secondClosed - firstClosed} ms (parked 1.2 s later)`);
});
