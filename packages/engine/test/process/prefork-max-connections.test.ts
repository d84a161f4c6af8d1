/**
 * Prefork MaxConnectionsPerChild: a child serves that many connections, not requests, then
 * exits on its own and maintenance replaces it; no client sees a failure.
 * (reference/apache-mpm.md §6.5)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, test } from 'node:test';
import type { ChildExitEvent } from '@forkyard/engine';
import { get, keepAliveAgent, startPoolObserved, waitFor } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

const pidOf = (body: string): number => Number(body.split(' ')[0]);

test('prefork: MaxConnectionsPerChild 1 gives every connection a fresh child; keep-alive requests share theirs', { timeout: 30_000 }, async () => {
  const exits: ChildExitEvent[] = [];
  let spawned = 0;
  const { pool, port } = await startPoolObserved(
    {
      mpm: 'prefork',
      directives: {
        StartServers: 2,
        MinSpareServers: 1,
        // Never more idle children than this can exist, so no child is stopped as surplus.
        MaxSpareServers: 4,
        MaxRequestWorkers: 4,
        ServerLimit: 4,
        MaxConnectionsPerChild: 1,
        KeepAliveTimeout: 30,
      },
    },
    (p) => {
      p.on('spawn', () => spawned++);
      p.on('exit', (e) => exits.push(e));
    },
  );
  assert.equal(pool.directives.MaxConnectionsPerChild, 1);

  // Six connections one after the other, no keep-alive: six different children.
  const pids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await get(port, '/pid');
    assert.equal(r.status, 200, `request ${i + 1}: ${r.body}`);
    assert.equal(r.headers.connection, 'close');
    pids.push(pidOf(r.body));
  }
  assert.ok(pids.every((p) => p > 0), `pids: ${pids.join(', ')}`);
  assert.equal(new Set(pids).size, 6, `each connection served by a different child: ${pids.join(', ')}`);

  // Three requests on one kept-alive connection: one connection, one child.
  const agent = keepAliveAgent();
  agents.push(agent);
  const kept: number[] = [];
  const ports = new Set<number>();
  for (let i = 0; i < 3; i++) {
    const r = await get(port, '/pid', agent);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['keep-alive'] ?? ''), /timeout=30/, `the connection stays open after request ${i + 1}: ${JSON.stringify(r.headers)}`);
    kept.push(pidOf(r.body));
    ports.add(r.socketPort);
  }
  assert.equal(ports.size, 1, 'all three on the same connection');
  assert.equal(new Set(kept).size, 1, `one child for the whole connection: ${kept.join(', ')}`);
  assert.ok(!pids.includes(kept[0]!), 'a child that has not served a connection yet');
  agent.destroy();

  // Seven connections, seven children recycled, each once its connection was over.
  await waitFor('seven children exited', () => exits.length >= 7, 10_000);
  assert.equal(exits.length, 7, `exits: ${JSON.stringify(exits.map((e) => e.reason))}`);
  assert.deepEqual(exits.map((e) => e.reason), Array(7).fill('recycled'));
  assert.ok(exits.every((e) => e.code === 0 && e.signal === null), 'a recycled child exits cleanly (code 0)');
  assert.ok(spawned >= 7, `a child per connection was forked (${spawned} forks)`);
});
