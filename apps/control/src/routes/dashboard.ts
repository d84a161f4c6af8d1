/**
 * The dashboard at `/`: the built single-page app from @forkyard/dashboard (apps/dashboard/dist),
 * index.html for any other page path (SPA fallback), hashed assets cached for good. API, status
 * and metrics paths never fall back to the page: they keep their own 404s. Files are streamed
 * with node:fs (no extra dependency); @fastify/static can take its place behind the same options.
 *
 *   app.register(dashboard, { root: distDir })   // distDir from '@forkyard/dashboard'
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '@forkyard/protocol';

export interface DashboardRouteOptions {
  /** The built dashboard (default: apps/dashboard/dist next to this package in the workspace). */
  root?: string;
}

const DEFAULT_ROOT = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the control plane itself, never to the page: every API version, status, metrics. */
const NOT_PAGES = ['/api', API_PREFIX, '/server-status', '/metrics'];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const dashboard: FastifyPluginAsync<DashboardRouteOptions> = async (app, opts) => {
  const root = normalize(opts.root ?? DEFAULT_ROOT).replace(/[\\/]+$/, '') + sep;
  const index = join(root, 'index.html');

  async function serve(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (NOT_PAGES.some((p) => path === p || path.startsWith(`${p}/`))) {
      reply.callNotFound();
      return reply;
    }
    const file = normalize(join(root, path));
    const asset = file.startsWith(root) && (await isFile(file)) ? file : null;
    const target = asset ?? index;
    if (!(await isFile(target))) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `pnpm build` (apps/dashboard/dist is missing).\n');
    }
    // Vite names assets by content hash; index.html must always be fetched fresh.
    const immutable = asset !== null && asset.startsWith(join(root, 'assets') + sep);
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
    return reply.type(TYPES[extname(target)] ?? 'application/octet-stream').send(createReadStream(target));
  }

  app.get('/', serve);
  app.get('/*', serve);
};

export default dashboard;
