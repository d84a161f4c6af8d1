/**
 * @forkyard/control: the Fastify control plane of a Forkyard pool.
 *
 *   const app = await buildApp({ pool, store: openStore(dir), tokens: loadOrCreateTokens(dir).tokens });
 *   await app.inject({ method: 'GET', url: '/api/v1/status', headers: { authorization: `Bearer ${token}` } });
 */

export { buildApp, controlPlane, type BuildAppOptions, type ControlPlaneOptions } from './app.js';
export { listenControlPlane, parseControlAddress, type ControlPlane } from './main.js';
export { Authenticator, isLoopback, type Access, type Actor, type ForkyardAuth } from './plugins/auth.js';
export { ProblemError } from './plugins/problem.js';
export { ControlStore, openStore, DATABASE_FILE, type StoredConfig } from './store/store.js';
export { loadOrCreateTokens, generateToken, TOKENS_FILE, type TokenEntry } from './store/tokens.js';
export { SCHEMA_VERSION } from './store/migrations.js';
export { withStored } from './store/restore.js';
export { createMetrics } from './routes/metrics.js';
