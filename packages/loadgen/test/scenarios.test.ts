/**
 * Each scenario sends what it says: the demo app's path, a new connection per request where it
 * should, and a ramp whose load rises step by step (connections in closed loop, rate in open).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLoadTest } from '@forkyard/loadgen';
import { answer, startTestServer } from './helpers.js';

async function pathsOf(spec: object): Promise<{ paths: Set<string>; requests: number; connections: number; answered: number }> {
  const paths = new Set<string>();
  const server = await startTestServer((req, res) => {
    paths.add(req.url ?? '');
    answer(res);
  });
  const result = await startLoadTest(spec, { target: server.url }).done;
  await server.close();
  return { paths, requests: server.requests, connections: server.totalConnections, answered: result.summary.requests };
}

test('slow and cpu ask for /sleep?ms= and /cpu?ms=', { timeout: 15_000 }, async () => {
  assert.deepEqual([...(await pathsOf({ scenario: 'slow', sleepMs: 25, connections: 2, durationSeconds: 1 })).paths], ['/sleep?ms=25']);
  assert.deepEqual([...(await pathsOf({ scenario: 'cpu', cpuMs: 3, connections: 2, durationSeconds: 1 })).paths], ['/cpu?ms=3']);
});

test('connection-per-request opens a new connection for every request', { timeout: 15_000 }, async () => {
  const run = await pathsOf({ scenario: 'connection-per-request', connections: 2, durationSeconds: 1 });
  assert.deepEqual([...run.paths], ['/']);
  assert.ok(run.requests > 10);
  assert.equal(run.connections, run.requests);
  const keepAlive = await pathsOf({ scenario: 'hello', connections: 2, durationSeconds: 1 });
  assert.equal(keepAlive.connections, 2);
});

test('closed-loop ramp: connections rise step by step', { timeout: 15_000 }, async () => {
  const server = await startTestServer((_req, res) => setTimeout(() => answer(res), 5));
  const result = await startLoadTest({ scenario: 'ramp', mode: 'closed', from: 1, to: 4, steps: 2, stepSeconds: 1, path: '/ramp' }, { target: server.url }).done;
  assert.deepEqual(
    result.timeline.slice(0, 2).map((s) => [s.load, s.connections]),
    [
      [1, 1],
      [4, 4],
    ],
  );
  assert.equal(server.totalConnections, 4);
  const [first, second] = result.timeline;
  assert.ok(first && second && second.requests > first.requests * 1.5, `requests per second: ${first?.requests}, ${second?.requests}`);
});

test('open-loop ramp: the arrival rate rises step by step', { timeout: 15_000 }, async () => {
  const server = await startTestServer((_req, res) => answer(res));
  const result = await startLoadTest({ scenario: 'ramp', mode: 'open', from: 50, to: 200, steps: 2, stepSeconds: 1, connections: 20 }, { target: server.url }).done;
  assert.deepEqual(
    result.timeline.slice(0, 2).map((s) => s.load),
    [50, 200],
  );
  // Requests are counted when answered: allow for the ones crossing a second boundary.
  const total = result.summary.requests + result.summary.errors;
  assert.ok(Math.abs(total - 250) <= 10, `sent ${total}, expected 250`);
  assert.ok(Math.abs(server.requests - 250) <= 10, `server saw ${server.requests}`);
});
