/**
 * The control plane, built and never started here (only main.ts listens):
 *
 *   buildApp(opts)            a Fastify instance with the control plane at its root
 *   app.register(controlPlane, opts)   the same, mounted into an ops tool's own Fastify
 *
 *   /server-status  /metrics                      mod_status and Prometheus
 *   /api/v1/…  status, directives, mpm, pool, children, loadtests, audit, stream/ticket, openapi.json
 *   /api/v1/stream                                WebSocket (routes/stream.ts)
 */

import { EventEmitter } from 'node:events';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { SERVER_VERSION, type Pool } from '@forkyard/engine';
import { API_PREFIX, type DirectiveInput } from '@forkyard/protocol';
import type { ControlContext } from './context.js';
import { LoadTestManager, type LoadTestOptions } from './loadtests/manager.js';
import { Authenticator, installAuth } from './plugins/auth.js';
import { installProblemHandlers } from './plugins/problem.js';
import { installValidation } from './plugins/validation.js';
import audit from './routes/audit.js';
import children from './routes/children.js';
import directives from './routes/directives.js';
import lifecycle from './routes/lifecycle.js';
import loadtests from './routes/loadtests.js';
import metrics from './routes/metrics.js';
import mpm from './routes/mpm.js';
import openapi from './routes/openapi.js';
import serverStatus from './routes/server-status.js';
import dashboard from './routes/dashboard.js';
import status from './routes/status.js';
import stream from './routes/stream.js';
import ticket from './routes/ticket.js';
import type { ControlStore } from './store/store.js';
import type { TokenEntry } from './store/tokens.js';

export interface ControlPlaneOptions {
  pool: Pool;
  store: ControlStore;
  /** The viewer and operator tokens (store/tokens.ts). */
  tokens: readonly TokenEntry[];
  /** Loopback clients read without a token. Give it only when the control plane listens on loopback. */
  openRead?: boolean;
  /** Lifetime of a stream ticket in ms (default 30 000). */
  ticketTtlMs?: number;
  /** Directives set through the API before (default: the store's). */
  overrides?: Record<string, DirectiveInput>;
  /**
   * Load tests: `allowList` names targets besides the pool's own listener (`host:port`, a host
   * or an origin; the CLI's --loadtest-allow), `maxRunning` how many may run at once (default 1).
   */
  loadTests?: LoadTestOptions;
}

export interface BuildAppOptions extends ControlPlaneOptions {
  logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** The built dashboard served at `/` (default: apps/dashboard/dist in the workspace); false for none. */
  dashboard?: string | false;
}

export const controlPlane: FastifyPluginAsync<ControlPlaneOptions> = async (app, opts) => {
  installValidation(app);
  installProblemHandlers(app);
  // Bodies are JSON; a text body is an unsupported media type, not a string to validate.
  app.removeContentTypeParser('text/plain');
  // buildApp decorates its root with these, so its caller sees them too; mounted into another
  // app, the plugin brings its own.
  const auth = app.hasDecorator('forkyardAuth') && app.forkyardAuth instanceof Authenticator ? app.forkyardAuth : authenticator(opts);
  installAuth(app, auth);
  if (!app.hasDecorator('forkyardEvents')) app.decorate('forkyardEvents', new EventEmitter());
  const events = app.forkyardEvents;

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Forkyard control plane', version: SERVER_VERSION.split('/')[1] ?? '0', description: 'Drive a Forkyard pool: status, directives, MPM, restarts, children, load tests, audit trail. Errors are application/problem+json.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const ctx: ControlContext = { pool: opts.pool, store: opts.store, events, overrides: { ...(opts.overrides ?? opts.store.loadConfig().directives ?? {}) } };
  const loadTestManager = new LoadTestManager(ctx, opts.loadTests);
  // Before the pool goes: a closing control plane stops its load tests (and restores the MPM).
  app.addHook('preClose', async () => loadTestManager.close());
  await app.register(serverStatus, { ctx });
  await app.register(metrics, { ctx });
  await app.register(
    async (api) => {
      await api.register(status, { ctx });
      await api.register(directives, { ctx });
      await api.register(mpm, { ctx, loadTests: loadTestManager });
      await api.register(lifecycle, { ctx });
      await api.register(children, { ctx });
      await api.register(loadtests, { ctx, manager: loadTestManager });
      await api.register(audit, { ctx });
      await api.register(ticket, { auth });
      await api.register(openapi);
      await api.register(stream, { pool: opts.pool });
    },
    { prefix: API_PREFIX },
  );
};

function authenticator(opts: ControlPlaneOptions): Authenticator {
  return new Authenticator({ tokens: opts.tokens, openRead: opts.openRead ?? false, ...(opts.ticketTtlMs !== undefined ? { ticketTtlMs: opts.ticketTtlMs } : {}) });
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { logger = false, bodyLimit = 64 * 1024, dashboard: dashboardRoot, ...plane } = opts;
  const app = Fastify({ logger, bodyLimit, return503OnClosing: true });
  app.decorate('forkyardAuth', authenticator(plane));
  app.decorate('forkyardEvents', new EventEmitter());
  await app.register(controlPlane, plane);
  if (dashboardRoot !== false) await app.register(dashboard, dashboardRoot ? { root: dashboardRoot } : {});
  await app.ready();
  return app;
}
