/**
 * What a spec means on the wire, decided purely: which path each request asks for, whether it
 * opens a new connection, which loop sends it and how the load changes second by second.
 */

import type { LoadMode, LoadTestSpec } from './types.js';
import { rampLevels } from './validate.js';

export interface TrafficPlan {
  path: string;
  /** `Connection: close` on every request: each one on a new connection. */
  reset: boolean;
  mode: LoadMode;
  /** Open loop: the most connections the runner may open. */
  maxConnections: number;
  timeoutMs: number;
  durationSeconds: number;
  /** The load (connections or requests/s) during second `s` (0-based) of the run. */
  loadAt(second: number): number;
}

/** Probes of idle-keepalive never queue on the runner's side behind each other. */
const PROBE_CONNECTIONS = 256;

export function trafficPlan(spec: LoadTestSpec): TrafficPlan {
  const { timeoutMs } = spec;
  switch (spec.scenario) {
    case 'hello':
    case 'connection-per-request':
    case 'slow':
    case 'cpu': {
      const path = spec.scenario === 'slow' ? `/sleep?ms=${spec.sleepMs}` : spec.scenario === 'cpu' ? `/cpu?ms=${spec.cpuMs}` : '/';
      const load = spec.mode === 'closed' ? spec.connections : spec.rate;
      return {
        path,
        reset: spec.scenario === 'connection-per-request',
        mode: spec.mode,
        maxConnections: spec.connections,
        timeoutMs,
        durationSeconds: spec.durationSeconds,
        loadAt: () => load,
      };
    }
    case 'idle-keepalive':
      return {
        path: spec.probePath,
        reset: true,
        mode: 'open',
        maxConnections: Math.min(PROBE_CONNECTIONS, spec.probeRate * 4),
        timeoutMs,
        durationSeconds: spec.durationSeconds,
        loadAt: () => spec.probeRate,
      };
    case 'ramp': {
      const levels = rampLevels(spec.from, spec.to, spec.steps);
      return {
        path: spec.path,
        reset: false,
        mode: spec.mode,
        maxConnections: spec.mode === 'open' ? spec.connections : spec.to,
        timeoutMs,
        durationSeconds: spec.steps * spec.stepSeconds,
        loadAt: (second) => levels[Math.min(Math.floor(second / spec.stepSeconds), levels.length - 1)] ?? spec.to,
      };
    }
  }
}
