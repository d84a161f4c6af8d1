/**
 * Starts a control plane: builds the app for a pool and listens. The only place that listens;
 * the `forkyard` command (cli/main.ts) calls it once the pool exists, before its children fork,
 * so a control address in use stops start-up with nothing running.
 */

import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from './app.js';
import { isLoopback } from './plugins/auth.js';

export interface ControlPlane {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_CONTROL = { host: '127.0.0.1', port: 7070 } as const;

/** `host:port`, `[v6]:port` or `port`; 'off' disables the control plane (null). */
export function parseControlAddress(text: string): { host: string; port: number } | null | { error: string } {
  if (text === 'off') return null;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return { error: `--control must be host:port such as 127.0.0.1:7070, or off; got "${text}"` };
  return { host: m[1] || m[2] || DEFAULT_CONTROL.host, port };
}

export { isLoopback };

/** Builds the control plane for `opts.pool` and listens on host:port. */
export async function listenControlPlane(opts: BuildAppOptions & { host: string; port: number }): Promise<ControlPlane> {
  const { host, port, ...build } = opts;
  const app = await buildApp(build);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address : { address: host, port, family: 'IPv4' };
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return { app, url: `http://${shown}:${bound.port}`, close: () => app.close() };
}
