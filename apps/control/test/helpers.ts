/**
 * Shared by the control plane's tests: a real small pool (prefork, one child, loopback port 0),
 * a temporary data directory with its store and tokens, and the app built on them. Everything
 * started here is stopped after the file's tests.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createPool, type Pool, type PoolConfig } from '@forkyard/engine';
import { buildApp, loadOrCreateTokens, openStore, type BuildAppOptions, type ControlStore } from '../src/index.js';

export const SMALL_POOL: PoolConfig = {
  mpm: 'prefork',
  listen: '127.0.0.1:0',
  directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaintenanceInterval: 200, GracefulShutdownTimeout: 10 },
};

export interface Harness {
  pool: Pool;
  store: ControlStore;
  app: FastifyInstance;
  dir: string;
  port: number;
  operator: string;
  viewer: string;
  /** inject with a token ('operator', 'viewer', a raw token, or none). */
  call(opts: InjectOptions & { as?: 'operator' | 'viewer' | string | null }): Promise<LightMyRequestResponse>;
  /** Closes the app and the store, stops the pool. */
  close(): Promise<void>;
}

const open = new Set<Harness>();
after(async () => {
  for (const h of [...open]) await h.close();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'forkyard-control-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startHarness(
  opts: { pool?: PoolConfig; dir?: string; app?: Partial<BuildAppOptions> } = {},
): Promise<Harness> {
  const dir = opts.dir ?? tempDir();
  const poolConfig = opts.pool ?? SMALL_POOL;
  const pool = createPool(poolConfig);
  const address = await pool.start();
  const store = openStore(dir);
  const { tokens } = loadOrCreateTokens(dir, '');
  const operator = tokens.find((t) => t.name === 'operator')!.token;
  const viewer = tokens.find((t) => t.name === 'viewer')!.token;
  const app = await buildApp({ pool, store, tokens, ...opts.app });
  let closed = false;
  const h: Harness = {
    pool,
    store,
    app,
    dir,
    port: address.port,
    operator,
    viewer,
    call({ as = 'operator', ...inject }) {
      const token = as === 'operator' ? operator : as === 'viewer' ? viewer : as;
      const headers = { ...(inject.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
      return app.inject({ ...inject, headers });
    },
    async close() {
      if (closed) return;
      closed = true;
      open.delete(h);
      await app.close();
      await pool.stop();
      store.close();
    },
  };
  open.add(h);
  return h;
}

/** GET on the data plane; resolves with status and body. */
export function dataGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Asserts the RFC 9457 shape and returns the parsed problem. */
export function problemOf(res: LightMyRequestResponse): { type: string; title: string; status: number; code: string; detail: string; errors: Array<{ field: string; code: string; message: string }> } {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected a problem document, got ${res.statusCode} ${String(res.headers['content-type'])}: ${res.body.slice(0, 200)}`);
  }
  const p = res.json();
  if (p.status !== res.statusCode || typeof p.code !== 'string' || typeof p.title !== 'string' || typeof p.detail !== 'string' || !Array.isArray(p.errors) || typeof p.type !== 'string') {
    throw new Error(`malformed problem document: ${res.body.slice(0, 300)}`);
  }
  return p;
}
