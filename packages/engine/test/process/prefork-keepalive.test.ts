/**
 * Prefork keep-alive, as httpd's ap_set_keepalive decides it: MaxKeepAliveRequests N lets a
 * connection serve N + 1 requests (`max=` counting down, then `Connection: close`); an idle
 * kept-alive connection is closed after KeepAliveTimeout and its slot goes from K back to
 * `_`; with KeepAlive Off every response closes. (reference/apache-mpm.md §3.4, §1.3)
 */

import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';
import type { Pool } from '@forkyard/engine';
import { get, keepAliveAgent, rawRequest, startPool, waitFor } from './helpers.js';

const agents: http.Agent[] = [];
const sockets: net.Socket[] = [];
after(() => {
  agents.forEach((a) => a.destroy());
  sockets.forEach((s) => s.destroy());
});

const PREFORK = { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 3, MaxRequestWorkers: 4, ServerLimit: 4 };

/** The status letter of the slot whose child has this pid, from the primary's snapshot. */
function letterOf(pool: Pool, pid: number): string | undefined {
  const image = pool.snapshot();
  const slot = image.processes.findIndex((p) => p.pid === pid);
  return slot < 0 ? undefined : image.workers[slot]![0]!.status;
}

test('prefork: MaxKeepAliveRequests 3 serves 4 requests on one connection: max=3, 2, 1, then Connection: close', { timeout: 30_000 }, async () => {
  const { port } = await startPool({ mpm: 'prefork', directives: { ...PREFORK, KeepAliveTimeout: 5, MaxKeepAliveRequests: 3 } });
  // One raw connection, so there is no doubt all four requests travel on it.
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const replies = [];
  for (let i = 0; i < 4; i++) {
    replies.push(await rawRequest(socket, 'GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'));
  }
  const header = (head: string, name: string): string | null => new RegExp(`\r\n${name}: *([^\r]*)`, 'i').exec(head)?.[1] ?? null;
  assert.ok(replies.every((r) => r.head.startsWith('HTTP/1.1 200 ')), replies.map((r) => r.head.split('\r\n')[0]).join(' | '));
  assert.deepEqual(
    replies.map((r) => header(r.head, 'Keep-Alive')),
    ['timeout=5, max=3', 'timeout=5, max=2', 'timeout=5, max=1', null],
  );
  assert.deepEqual(replies.map((r) => header(r.head, 'Connection')), ['keep-alive', 'keep-alive', 'keep-alive', 'close']);
  assert.equal(new Set(replies.map((r) => r.body)).size, 1, 'all four served by one child');
  // After the fourth response the server closes the connection.
  await closed;

  // A new connection starts counting again.
  const agent = keepAliveAgent();
  agents.push(agent);
  const fresh = await get(port, '/pid', agent);
  assert.equal(fresh.headers['keep-alive'], 'timeout=5, max=3');
});

test('prefork: MaxKeepAliveRequests 0 keeps a connection for any number of requests, with Keep-Alive: timeout=5 and no max', { timeout: 30_000 }, async () => {
  const { port } = await startPool({ mpm: 'prefork', directives: { ...PREFORK, KeepAliveTimeout: 5, MaxKeepAliveRequests: 0 } });
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const replies = [];
  for (let i = 0; i < 120; i++) replies.push(await rawRequest(socket, 'GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'));
  const header = (head: string, name: string): string[] => [...head.matchAll(new RegExp(`\r\n${name}: *([^\r]*)`, 'gi'))].map((m) => m[1]!);
  assert.deepEqual(new Set(replies.map((r) => header(r.head, 'Keep-Alive').join(' | '))), new Set(['timeout=5']), 'one Keep-Alive header, without max');
  assert.deepEqual(new Set(replies.map((r) => header(r.head, 'Connection').join(' | '))), new Set(['keep-alive']));
  assert.equal(new Set(replies.map((r) => r.body)).size, 1, 'all 120 on one connection and child');
  assert.equal(socket.destroyed, false);
});

test('prefork: KeepAliveTimeout 1 closes an idle kept-alive connection after about a second; its slot goes K → _', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({ mpm: 'prefork', directives: { ...PREFORK, KeepAliveTimeout: 1 } });
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));

  const { head, body } = await rawRequest(socket, 'GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  const answeredAt = Date.now();
  assert.match(head, /^HTTP\/1\.1 200 /);
  assert.match(head, /\r\nKeep-Alive: timeout=1, max=100(\r\n|$)/i);
  assert.match(head, /\r\nConnection: keep-alive(\r\n|$)/i);
  const pid = Number(body.split(' ')[0]);
  assert.ok(pid > 0);

  // The child waits for the next request in K.
  await waitFor('the slot in K', () => letterOf(pool, pid) === 'K', 3000, 10);

  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<number>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server never closed the idle connection')), 8000);
  });
  const closedAt = await Promise.race([closed, giveUp]).finally(() => clearTimeout(timer));
  const idleMs = closedAt - answeredAt;
  assert.ok(idleMs >= 500 && idleMs <= 5000, `closed after ${idleMs} ms of idleness; KeepAliveTimeout is 1 s`);

  // The child is free again: ready, and it serves the next connection.
  await waitFor('the slot back to _', () => letterOf(pool, pid) === '_', 3000);
  assert.equal(pool.snapshot().workers.filter((row) => row[0]!.status === 'K').length, 0);
  assert.equal((await get(port, '/')).status, 200);
});

test('prefork: KeepAlive Off answers every request with Connection: close, even when the client asks for keep-alive', { timeout: 30_000 }, async () => {
  const { port } = await startPool({ mpm: 'prefork', directives: { ...PREFORK, KeepAlive: false } });
  const agent = keepAliveAgent();
  agents.push(agent);
  const replies = [];
  for (let i = 0; i < 3; i++) replies.push(await get(port, '/', agent));
  assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(replies.map((r) => r.headers.connection), ['close', 'close', 'close']);
  assert.ok(replies.every((r) => r.headers['keep-alive'] === undefined), 'no Keep-Alive header');
  assert.equal(new Set(replies.map((r) => r.socketPort)).size, 3, 'a new connection for every request');

  // An HTTP/1.1 client that says nothing about the connection gets the same.
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const { head } = await rawRequest(socket, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.match(head, /\r\nConnection: close(\r\n|$)/i);
  await closed;
});
