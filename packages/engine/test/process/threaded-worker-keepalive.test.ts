/**
 * Worker: an idle keep-alive connection holds its thread (`K`) for up to KeepAliveTimeout.
 * With as many idle keep-alive clients as MaxRequestWorkers every thread is `K`, and a fresh
 * connection waits in the accept queue until a keep-alive connection times out.
 * (reference/apache-mpm.md §5.6, §8.3 item 7)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, test } from 'node:test';
import { get, keepAliveAgent, liveChildren, poolAuto, slotLetterCounts, startPool, waitFor } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

test('worker: 16 idle keep-alive connections hold all 16 threads in K; a 17th waits for KeepAliveTimeout', { timeout: 60_000 }, async (t) => {
  const { pool, port } = await startPool({
    mpm: 'worker',
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
  // None of these needs adjusting: MaxSpareThreads 16 ≥ MinSpareThreads + ThreadsPerChild + 1 = 6.
  assert.deepEqual(
    { T: d.ThreadsPerChild, D: d.MaxDaemons, MRW: d.MaxRequestWorkers, start: d.StartServers, min: d.MinSpareThreads, max: d.MaxSpareThreads },
    { T: 4, D: 4, MRW: 16, start: 4, min: 1, max: 16 },
  );
  assert.deepEqual(pool.config.warnings, []);
  assert.equal(liveChildren(pool), 4);

  // 16 clients, one request each, then idle on their kept-alive connection.
  const opened = Date.now();
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

  // Every thread of every child is held in K: BusyWorkers 16, IdleWorkers 0.
  await waitFor('16 K slots', () => slotLetterCounts(pool).K === 16, 2000, 20);
  const auto = poolAuto(pool);
  assert.equal(auto.BusyWorkers, '16');
  assert.equal(auto.IdleWorkers, '0');
  assert.equal((auto.Scoreboard!.match(/K/g) ?? []).length, 16);

  // A fresh connection: nothing has a free thread, so it waits in the primary's accept queue.
  const sent = Date.now();
  let answeredAt = 0;
  const fresh = get(port, '/pid', undefined, 20_000).then((r) => {
    answeredAt = Date.now();
    return r;
  });
  await waitFor('the fresh connection in the accept queue', () => pool.snapshot().global.acceptQueue >= 1, 2000, 20);
  assert.equal(answeredAt, 0, 'not answered while every thread is K');
  assert.equal(slotLetterCounts(pool).K, 16);

  const reply = await fresh;
  assert.equal(reply.status, 200);
  const waited = answeredAt - sent;
  t.diagnostic(`fresh request answered after ${waited} ms (${answeredAt - opened} ms after the 16 connections were opened)`);
  assert.ok(waited >= 2000, `answered after ${waited} ms: it should wait for a K thread to time out (KeepAliveTimeout 3 s)`);
  assert.ok(waited < 15_000, `answered after ${waited} ms`);
  assert.ok(answeredAt - opened >= 3000 - 100, 'not before the first keep-alive connection timed out');
  assert.equal(pool.snapshot().global.acceptQueue, 0);
});
