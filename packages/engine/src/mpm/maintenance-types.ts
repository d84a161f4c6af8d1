import type { EffectiveDirectives } from '../directives/types.js';
import type { MpmName, ScoreboardImage } from '../scoreboard/types.js';

/**
 * State the maintenance pass keeps between passes and across graceful restarts
 * (httpd's `retained` struct).
 */
export interface RetainedState {
  /** Children to fork per pass: 1, 2, 4 … MAX_SPAWN_RATE (32). */
  idleSpawnRate: number;
  /** After a graceful restart: this many spawning passes do not double the rate (10). */
  holdOffOnExponentialSpawning: number;
  /** After a graceful restart: children still to start (StartServers), forked on the first pass. */
  remainingChildrenToStart: number;
  /** Once-per-lifetime warnings already logged, by httpd log id (AH00161, AH00286, …). */
  reported: string[];
  /** 1 + the highest live child slot (prefork max_daemons_limit / event max_daemon_used). */
  maxDaemonsUsed: number;
}

export function initialRetainedState(): RetainedState {
  return {
    idleSpawnRate: 1,
    holdOffOnExponentialSpawning: 0,
    remainingChildrenToStart: 0,
    reported: [],
    maxDaemonsUsed: 0,
  };
}

export interface MaintenanceInput {
  mpm: MpmName;
  image: ScoreboardImage;
  directives: EffectiveDirectives;
  retained: RetainedState;
}

export interface MaintenanceLog {
  level: 'error' | 'warn' | 'info';
  /** httpd's log id, e.g. AH00161. */
  id: string;
  message: string;
}

export interface MaintenancePlan {
  /** Child slots to fork a new child into, lowest first. */
  spawn: number[];
  /** At most one child slot to stop gracefully (surplus idle capacity), or null. */
  stop: number | null;
  log: MaintenanceLog[];
  retained: RetainedState;
  /** Counts the pass saw (for events and tests). */
  idle: number;
  active: number;
  totalChildren: number;
}

export const MAX_SPAWN_RATE = 32;
export const HOLD_OFF_AFTER_GRACEFUL = 10;
