/**
 * The idle-keepalive scenario really holds K idle connections open (counted on the server)
 * for the whole run, while each probe arrives on a NEW connection.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLoadTest, type TimelineSecond } from '@forkyard/loadgen';
import { answer, startTestServer } from './helpers.js';

const K = 150;

test(`holds ${K} idle keep-alive connections while probes use new ones`, { timeout: 25_000 }, async () => {
  const server = await startTestServer((_req, res) => answer(res));
  const serverOpen: number[] = [];
  const seconds: TimelineSecond[] = [];
  const run = startLoadTest(
    { scenario: 'idle-keepalive', idleClients: K, probeRate: 20, durationSeconds: 3 },
    {
      target: server.url,
      onProgress: (s) => {
        seconds.push(s);
        serverOpen.push(server.openConnections);
      },
    },
  );
  const result = await run.done;

  assert.equal(result.outcome, 'completed');
  assert.ok(result.idle);
  assert.equal(result.idle.established, K);
  assert.equal(result.idle.peakOpen, K);
  assert.equal(result.idle.openAtEnd, K);
  assert.equal(result.idle.errors.total, 0);
  // Server side: at least K connections open at every second of the run.
  assert.equal(serverOpen.length, seconds.length);
  assert.ok(serverOpen.length >= 3);
  for (const open of serverOpen) assert.ok(open >= K, `server saw ${open} open connections, expected ≥ ${K}`);
  for (const s of seconds) assert.equal(s.idleOpen, K);

  // The probes: each on its own connection, K idle ones + one per probe in all.
  const probes = result.summary.requests;
  assert.ok(probes >= 40 && probes <= 70, `probes: ${probes}`);
  assert.equal(result.summary.errors, 0);
  assert.equal(server.requests, K + probes);
  assert.equal(server.totalConnections, K + probes);
  assert.ok(result.summary.latencyMs && result.summary.latencyMs.p50 > 0);
});

test('an idle connection the server closes is reopened, so K stay held', { timeout: 20_000 }, async () => {
  let closeFirst = 5;
  const server = await startTestServer((_req, res) => {
    // The first few idle connections are answered with `Connection: close`.
    if (closeFirst-- > 0) res.setHeader('connection', 'close');
    answer(res);
  });
  const result = await startLoadTest({ scenario: 'idle-keepalive', idleClients: 20, probeRate: 5, durationSeconds: 2 }, { target: server.url }).done;
  assert.ok(result.idle);
  assert.equal(result.idle.reconnects, 5);
  assert.equal(result.idle.openAtEnd, 20);
});
