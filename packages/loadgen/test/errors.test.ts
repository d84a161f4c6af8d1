/**
 * Errors are counted by kind, per second and in the summary: connect refused, reset, timeout,
 * and non-2xx answers by status.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startLoadTest } from '@forkyard/loadgen';
import { answer, startTestServer } from './helpers.js';

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('nothing listening: connect refused', { timeout: 15_000 }, async () => {
  const port = await freePort();
  const result = await startLoadTest({ scenario: 'hello', connections: 2, durationSeconds: 1 }, { target: `http://127.0.0.1:${port}` }).done;
  const e = result.summary.errorsByKind;
  assert.ok(e.connectRefused > 0, JSON.stringify(e));
  assert.equal(e.total, e.connectRefused);
  assert.equal(result.summary.errors, e.total);
  assert.equal(result.summary.requests, 0);
  assert.equal(result.summary.latencyMs, null);
  assert.equal(result.timeline.reduce((n, s) => n + s.errors.connectRefused, 0), e.connectRefused);
});

test('non-2xx answers are counted by status, and still measured', { timeout: 15_000 }, async () => {
  const server = await startTestServer((_req, res, i) => answer(res, i % 4 === 1 ? 503 : i % 4 === 2 ? 404 : 200));
  const result = await startLoadTest({ scenario: 'hello', connections: 1, durationSeconds: 1 }, { target: server.url }).done;
  const { status, total } = result.summary.errorsByKind;
  assert.deepEqual(Object.keys(status).sort(), ['404', '503']);
  assert.ok(Math.abs((status['503'] ?? 0) - result.summary.requests / 4) <= 2, JSON.stringify(status));
  assert.equal(total, (status['503'] ?? 0) + (status['404'] ?? 0));
  assert.equal(result.summary.errors, total);
  assert.ok(result.summary.latencyMs);
});

test('a server that never answers: timeout', { timeout: 15_000 }, async () => {
  const server = await startTestServer(() => {});
  const result = await startLoadTest({ scenario: 'hello', connections: 2, durationSeconds: 1, timeoutMs: 200 }, { target: server.url }).done;
  const e = result.summary.errorsByKind;
  assert.ok(e.timeout >= 4, JSON.stringify(e));
  assert.equal(e.total, e.timeout);
  assert.equal(result.summary.requests, 0);
});

test('a server that drops the connection: reset', { timeout: 15_000 }, async () => {
  const server = await startTestServer((req) => req.socket.destroy());
  const result = await startLoadTest({ scenario: 'hello', connections: 2, durationSeconds: 1 }, { target: server.url }).done;
  const e = result.summary.errorsByKind;
  assert.ok(e.reset > 0, JSON.stringify(e));
  assert.equal(e.total, e.reset);
});
