/**
 * Worker threads are real threads: two CPU-bound requests to one child with two threads run
 * at the same time on two different threads of the same process (two `W` slots at once).
 * How fast that is belongs to the benchmarks, not here.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import { get, startPool } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

test('worker: two concurrent /cpu requests run on two threads of the same child at once', { timeout: 60_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'worker',
    directives: { ServerLimit: 1, StartServers: 1, ThreadsPerChild: 2, MaxRequestWorkers: 2, MinSpareThreads: 1 },
  });
  const pid = pool.snapshot().processes[0]!.pid;
  assert.notEqual(pid, 0);

  // Poll the scoreboard while both requests burn CPU: both thread slots show W together.
  let bothBusy = null as string[] | null;
  let polling = true;
  const poll = (async () => {
    while (polling && !bothBusy) {
      const row = pool.snapshot().workers[0]!.slice(0, 2);
      if (row.every((w) => w.status === 'W')) bothBusy = row.map((w) => w.request);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  // Each client keeps its connection, which a worker thread keeps for its whole life: asking
  // `/pid` on the same connection afterwards names the thread that burned the CPU.
  const clients = [0, 1].map(() => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  });
  const burns = await Promise.all(clients.map((agent) => get(port, '/cpu?ms=300', agent)));
  polling = false;
  await poll;
  assert.deepEqual(
    burns.map((r) => r.status),
    [200, 200],
  );
  assert.deepEqual(bothBusy, ['GET /cpu?ms=300 HTTP/1.1', 'GET /cpu?ms=300 HTTP/1.1'], 'both threads were in W at the same moment');

  const owners = await Promise.all(clients.map((agent) => get(port, '/pid', agent)));
  const ids = owners.map((r) => r.body.trim().split(' ').map(Number));
  assert.deepEqual(
    ids.map(([p]) => p),
    [pid, pid],
    'one child served both',
  );
  assert.notEqual(ids[0]![1], ids[1]![1], `two different threads: ${owners.map((r) => r.body.trim())}`);
  assert.deepEqual(
    burns.map((r) => r.socketPort),
    owners.map((r) => r.socketPort),
    'each /pid went over the connection that ran its /cpu',
  );
});
