/**
 * The headline promise: under a keep-alive load and a connection-per-request load, switching
 * prefork → worker → event → prefork and resizing live loses no request and no connection.
 * Clients are Node's own (fetch, i.e. undici, for keep-alive; http with agent:false for one
 * connection per request); nothing is retried.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { startPool, sleep } from './helpers.js';

function getNoKeepAlive(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('switching MPMs and resizing under load fails no request', { timeout: 120_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'prefork',
    directives: {
      StartServers: 3,
      MinSpareServers: 2,
      MaxSpareServers: 6,
      MinSpareThreads: 2,
      MaxSpareThreads: 16,
      ThreadsPerChild: 4,
      ServerLimit: 16,
      MaxRequestWorkers: 32,
      KeepAliveTimeout: 2,
    },
  });
  const stats = { ok: 0, failed: 0, wrong: 0, errors: new Map<string, number>() };
  const note = (err: unknown): void => {
    stats.failed++;
    const e = err as Error & { cause?: { code?: string } };
    const key = e.cause?.code ?? e.message;
    stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
  };
  let running = true;
  const keepAliveClient = async (n: number): Promise<void> => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: `ka-${n}-${stats.ok}` });
        const body = await res.text();
        if (res.status === 200 && body.startsWith(`ka-${n}-`)) stats.ok++;
        else stats.wrong++;
      } catch (err) {
        note(err);
      }
    }
  };
  const closeClient = async (): Promise<void> => {
    while (running) {
      try {
        const r = await getNoKeepAlive(port, '/sleep?ms=5');
        if (r.status === 200 && r.body === 'slept 5 ms\n') stats.ok++;
        else stats.wrong++;
      } catch (err) {
        note(err);
      }
    }
  };
  const clients = [keepAliveClient(1), keepAliveClient(2), keepAliveClient(3), closeClient(), closeClient()];

  const steps: Array<[string, () => Promise<unknown>]> = [
    ['switch to worker', () => pool.switchMpm('worker')],
    ['ThreadsPerChild 4 → 8', () => pool.applyDirectives({ ThreadsPerChild: 8 })],
    ['switch to event', () => pool.switchMpm('event')],
    ['MaxRequestWorkers up', () => pool.applyDirectives({ MaxRequestWorkers: 64 })],
    ['MaxRequestWorkers down', () => pool.applyDirectives({ MaxRequestWorkers: 24 })],
    ['switch to prefork', () => pool.switchMpm('prefork')],
  ];
  const durations: string[] = [];
  try {
    await sleep(2500);
    for (const [name, step] of steps) {
      const t0 = Date.now();
      await step();
      durations.push(`${name}: ${Date.now() - t0} ms`);
      process.stdout.write(`# ${name}: ${Date.now() - t0} ms\n`);
      await sleep(2500);
    }
  } finally {
    running = false;
    await Promise.all(clients);
  }

  const summary = `ok ${stats.ok}, failed ${stats.failed}, wrong ${stats.wrong}, errors ${JSON.stringify([...stats.errors])}; ${durations.join('; ')}`;
  process.stdout.write(`# lossless: ${summary}\n`);
  assert.equal(pool.mpm, 'prefork');
  assert.equal(pool.generation, 4, 'three switches and the ThreadsPerChild resize each roll a generation');
  assert.equal(stats.failed, 0, summary);
  assert.equal(stats.wrong, 0, summary);
  assert.ok(stats.ok > 200, `the load kept flowing: ${summary}`);
});
