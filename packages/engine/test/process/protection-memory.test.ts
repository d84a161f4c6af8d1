/**
 * MaxMemoryPerChild: a child whose RSS passes the limit is recycled gracefully — its
 * replacement is forked before it leaves, and no request fails.
 */

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { ChildExitEvent } from '@forkyard/engine';
import { get, startPoolObserved, waitFor } from './helpers.js';

const LEAKY = fileURLToPath(new URL('../fixtures/leaky-app.mjs', import.meta.url));

for (const mpm of ['prefork', 'event'] as const) {
  test(`${mpm}: a child over MaxMemoryPerChild is recycled, replacement first`, { timeout: 60_000 }, async () => {
    const order: string[] = [];
    const exits: ChildExitEvent[] = [];
    const logs: string[] = [];
    const { pool, port } = await startPoolObserved(
      {
        mpm,
        app: LEAKY,
        directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 3, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxMemoryPerChild: 150 },
      },
      (p) => {
        p.on('spawn', (e) => order.push(`spawn ${e.pid}`));
        p.on('exit', (e) => {
          order.push(`exit ${e.pid}`);
          exits.push(e);
        });
        p.on('log', (e) => logs.push(`${e.id} ${e.message}`));
      },
    );
    const first = (await get(port, '/pid')).body.split(' ')[0]!;
    const leak = await get(port, '/leak?mb=220');
    assert.equal(leak.status, 200);
    const exit = await waitFor('the leaking child to be recycled', () => exits.find((e) => String(e.pid) === first), 20_000);
    assert.equal(exit.reason, 'memory');
    assert.ok(logs.some((l) => l.startsWith('FY00002') && l.includes('MaxMemoryPerChild 150 MiB')), logs.join('\n'));
    const spawnIndex = order.findIndex((o, i) => o.startsWith('spawn') && i > 0);
    assert.ok(spawnIndex >= 0 && spawnIndex < order.indexOf(`exit ${first}`), `replacement forked before the exit: ${order.join(', ')}`);
    const after = await get(port, '/pid');
    assert.equal(after.status, 200);
    assert.notEqual(after.body.split(' ')[0], first, 'a new child answers');
    assert.equal(pool.mpm, mpm);
  });
}
