/**
 * Prefork: a child serves exactly one connection at a time, kept-alive ones included. With
 * MaxRequestWorkers 2 and two idle keep-alive connections, a third client waits in the accept
 * queue until one of them closes. (reference/apache-mpm.md §5.6, §7.2)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, test } from 'node:test';
import { get, keepAliveAgent, sleep, startPool, waitFor, type Reply } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

test('prefork: two keep-alive connections hold both children; a third connection waits in the accept queue until one closes', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'prefork',
    directives: {
      StartServers: 2,
      MinSpareServers: 1,
      MaxSpareServers: 2,
      MaxRequestWorkers: 2,
      ServerLimit: 2,
      // Long enough that neither kept-alive connection times out during the test.
      KeepAliveTimeout: 30,
    },
  });
  const d = pool.directives;
  assert.equal(d.MaxRequestWorkers, 2);
  assert.equal(d.StartServers, 2);

  const a = keepAliveAgent();
  const b = keepAliveAgent();
  agents.push(a, b);
  const [ra, rb] = await Promise.all([get(port, '/pid', a), get(port, '/pid', b)]);
  assert.equal(ra.status, 200);
  assert.equal(rb.status, 200);
  assert.match(String(ra.headers['keep-alive'] ?? ''), /timeout=30/);
  assert.match(String(rb.headers['keep-alive'] ?? ''), /timeout=30/);
  const pidA = Number(ra.body.split(' ')[0]);
  const pidB = Number(rb.body.split(' ')[0]);
  assert.ok(pidA > 0 && pidB > 0, `pids: ${ra.body.trim()} / ${rb.body.trim()}`);
  assert.notEqual(pidA, pidB, 'two concurrent connections must be served by two different children');

  // Both children hold an idle kept-alive connection: K, K.
  await waitFor('both slots in K', () => pool.snapshot().workers.filter((row) => row[0]!.status === 'K').length === 2, 5000);
  assert.equal(pool.snapshot().global.acceptQueue, 0);

  let third: Reply | null = null;
  let thirdError: unknown = null;
  const pending = get(port, '/pid', undefined, 20_000).then(
    (r) => (third = r),
    (err: unknown) => (thirdError = err),
  );

  // Read the primary's snapshot directly: a /server-status request would need a free child too.
  await waitFor('the third connection in the accept queue', () => pool.snapshot().global.acceptQueue === 1, 5000);
  await sleep(500);
  assert.equal(third, null, 'the third request must not be answered while both children hold a connection');
  assert.equal(thirdError, null);
  assert.equal(pool.snapshot().global.acceptQueue, 1, 'the third connection is still queued after 500 ms');

  // Closing one kept-alive connection frees its child, which takes the queued connection.
  const closedAt = Date.now();
  a.destroy();
  await pending;
  assert.equal(thirdError, null, `third request failed: ${String(thirdError)}`);
  const r3 = third as Reply | null;
  assert.ok(r3, 'the third request was answered');
  assert.equal(r3.status, 200);
  assert.ok(Date.now() - closedAt < 5000, 'answered promptly once a child was free');
  assert.equal(Number(r3.body.split(' ')[0]), pidA, 'answered by the child whose connection closed (the other still holds one)');
  assert.equal(pool.snapshot().global.acceptQueue, 0);

  // The other connection is still kept alive on its own child.
  const again = await get(port, '/pid', b);
  assert.equal(Number(again.body.split(' ')[0]), pidB);
  assert.equal(again.socketPort, rb.socketPort, 'same kept-alive connection');
});
