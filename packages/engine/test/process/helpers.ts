/**
 * Shared by the process tests: start a real pool on an ephemeral loopback port, talk to it
 * over real sockets, read its mod_status, and always stop it (no child left behind).
 */

import http from 'node:http';
import { after } from 'node:test';
import { createPool, type Pool, type PoolConfig } from '@forkyard/engine';

const pools = new Set<Pool>();

after(async () => {
  await Promise.all([...pools].map((p) => p.stop()));
});

export async function startPool(config: PoolConfig): Promise<{ pool: Pool; port: number; base: string }> {
  const pool = createPool({ listen: '127.0.0.1:0', ...config, directives: { MaintenanceInterval: 200, ...(config.directives ?? {}) } });
  pools.add(pool);
  const address = await pool.start();
  return { pool, port: address.port, base: `http://127.0.0.1:${address.port}` };
}

export async function stopPool(pool: Pool): Promise<void> {
  await pool.stop();
  pools.delete(pool);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** pid of the child or thread's process that answered (X-Forkyard-Pid is not used: the demo app's `/pid`). */
  socketPort: number;
}

/** One request; pass an agent to reuse a kept-alive connection. */
export function get(port: number, path: string, agent?: http.Agent, timeoutMs = 15_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: agent ?? false, headers: agent ? { connection: 'keep-alive' } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socketPort: res.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A client with exactly one persistent connection. */
export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60_000 });
}

export async function statusAuto(port: number): Promise<Record<string, string>> {
  const r = await get(port, '/server-status?auto');
  const out: Record<string, string> = {};
  for (const line of r.body.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Live children (pid ≠ 0) in the pool's scoreboard image. */
export function liveChildren(pool: Pool): number {
  return pool.snapshot().processes.filter((p) => p.pid !== 0).length;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
