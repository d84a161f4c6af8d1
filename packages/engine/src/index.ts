/**
 * @forkyard/engine: an HTTP server pool with Apache httpd's prefork, worker and event MPMs.
 *
 *   const pool = createPool({ mpm: 'event', listen: '127.0.0.1:8080', directives: { ThreadsPerChild: 8 } });
 *   await pool.start();
 */

export { createPool, Pool, SERVER_VERSION, type ApplyResult, type ChildEvent, type ChildExitEvent, type ForensicEvent, type GenerationEvent, type PoolAlert, type PoolEvents, type StatusResponse } from './primary/pool.js';
export { PoolConfigError, resolveConfig, parseListen, type PoolConfig, type ResolvedConfig, type ConfigFieldError } from './primary/config.js';
export type { ExitReason } from './primary/children.js';
export { PoolError, needsNewGeneration, type PoolErrorCode } from './primary/changes.js';
export * from './directives/index.js';
export type * from './directives/types.js';
export * from './scoreboard/types.js';
export { renderAuto, renderHtml } from './status/index.js';
export { countWorkers, type WorkerCounts } from './status/counts.js';
export { performIdleServerMaintenance } from './mpm/maintenance/index.js';
export type { MaintenanceLog, MaintenancePlan, RetainedState } from './mpm/maintenance-types.js';
export { chooseChild, connectionLimit } from './mpm/dispatch.js';
