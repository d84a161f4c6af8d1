/**
 * The relay transport (src/child/fd.ts), which serves connections where native/fd.node cannot
 * be built: the listener reads and writes each socket and moves the bytes over the thread's
 * port. Forced here for the whole file, so worker and event serve kept-alive connections,
 * short connections and request bodies through it, and leave no descriptor behind.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pool } from '@forkyard/engine';
import { get, keepAliveAgent, liveChildren, assertOnly503WhereNothingWentOut, assertStalledBodyCut, openFds, shortConnections, startPool, waitFor } from './helpers.js';

// Read by each child when it loads (children inherit this process's environment).
process.env.FORKYARD_THREAD_TRANSPORT = 'relay';

const APP = fileURLToPath(new URL('../fixtures/socket-app.mjs', import.meta.url));
const shape = { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 2 };

const childPid = (pool: Pool): number => pool.snapshot().processes.find((p) => p.pid > 0)!.pid;

function post(port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const mpm of ['worker', 'event'] as const) {
  test(`${mpm}, relay: kept-alive and short connections are served through the listener, and none leaves a descriptor`, { timeout: 60_000 }, async () => {
    const { pool, port } = await startPool({ mpm, app: APP, directives: shape });
    assert.equal(liveChildren(pool), 1);
    const pid = childPid(pool);

    // One kept-alive connection, five requests: the same socket each time, relayed.
    const agent = keepAliveAgent();
    const kinds = new Set<string>();
    let sockets = 0;
    for (let i = 0; i < 5; i++) {
      const r = await get(port, '/', agent);
      assert.equal(r.status, 200);
      kinds.add((JSON.parse(r.body) as { kind: string }).kind);
    }
    for (const list of Object.values(agent.freeSockets)) sockets += list?.length ?? 0;
    agent.destroy();
    assert.deepEqual([...kinds], ['PortSocket'], 'the application sees the relay, not the socket');
    assert.equal(sockets, 1, 'five requests on one connection');

    // A request body crosses to the thread too (the fixture ignores it and still answers).
    assert.equal((await post(port, 'x'.repeat(10_000))).status, 200);

    const before = openFds(pid);
    await shortConnections(port, 20);
    const after = openFds(pid);
    assert.ok(after - before <= 4, `descriptors in the child: ${before} before, ${after} after 200 connections`);
    await waitFor('the child reporting no open connection', () => pool.snapshot().processes.find((p) => p.pid === pid)?.connections === 0, 3000);
  });
}

test('event, relay: a request after a kept-alive wait is still bounded by Timeout (a body that stops is cut)', { timeout: 30_000 }, async () => {
  // KeepAliveTimeout within Timeout: the thread leaves the kept-alive wait to the listener and
  // the keep-alive queue, and Node arms no timer of its own after a response.
  const { port } = await startPool({ mpm: 'event', directives: { ...shape, Timeout: 2, KeepAliveTimeout: 1 } });
  await assertStalledBodyCut(port);
});

test('event, relay: a stuck request gets 503 only if nothing of its own response went out', { timeout: 60_000 }, async () => {
  await assertOnly503WhereNothingWentOut();
});
