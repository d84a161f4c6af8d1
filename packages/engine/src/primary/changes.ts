/**
 * What a configuration change needs, and the coded errors changes reject with.
 */

import { DIRECTIVES } from '../directives/index.js';
import type { ResolvedConfig } from './config.js';

export type PoolErrorCode = 'FY_BUSY' | 'FY_STATE' | 'FY_GENERATION_FAILED' | 'FY_CHILD_UNKNOWN';

export class PoolError extends Error {
  readonly code: PoolErrorCode;
  constructor(code: PoolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A change needs new children when the MPM, the app or a directive fixed in a running child
 * changes (ThreadsPerChild, ThreadLimit, ServerLimit: the child's shape and the scoreboard's).
 * Everything else (spares, MaxRequestWorkers within ServerLimit, KeepAlive*, Timeout,
 * MaxConnectionsPerChild, …) applies in place.
 */
export function needsNewGeneration(prev: ResolvedConfig, next: ResolvedConfig): boolean {
  if (prev.mpm !== next.mpm || prev.app !== next.app) return true;
  for (const def of DIRECTIVES) {
    if (def.apply === 'tick' || !def.mpms.includes(next.mpm)) continue;
    if (def.name === 'StartServers' || def.name === 'ListenBacklog') continue;
    if (prev.directives[def.name] !== next.directives[def.name]) return true;
  }
  return false;
}
