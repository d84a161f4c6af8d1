import type { MpmName } from '../scoreboard/types.js';

/**
 * Every directive Forkyard understands, spelled as in httpd. Times are in seconds unless the
 * name says otherwise (KeepAliveTimeout may be fractional: httpd accepts an `ms` suffix).
 */
export interface Directives {
  StartServers: number;
  /** prefork */
  MinSpareServers: number;
  /** prefork */
  MaxSpareServers: number;
  /** worker, event */
  MinSpareThreads: number;
  /** worker, event */
  MaxSpareThreads: number;
  /** worker, event (prefork: 1) */
  ThreadsPerChild: number;
  /** worker, event (prefork: 1) */
  ThreadLimit: number;
  ServerLimit: number;
  MaxRequestWorkers: number;
  /** event */
  AsyncRequestWorkerFactor: number;
  MaxConnectionsPerChild: number;
  /** Forkyard: a child whose resident memory passes this many MiB is recycled (0: off). */
  MaxMemoryPerChild: number;
  GracefulShutdownTimeout: number;
  ListenBacklog: number;
  KeepAlive: boolean;
  KeepAliveTimeout: number;
  MaxKeepAliveRequests: number;
  Timeout: number;
  /** Forkyard: seconds a handler may run before its thread (or prefork child) is stopped (0: off). */
  RequestTimeLimit: number;
  /** Largest request body in bytes (0: unlimited); larger bodies get 413. */
  LimitRequestBody: number;
  ExtendedStatus: boolean;
  /** Forkyard: milliseconds between maintenance passes (httpd: fixed 1 s). */
  MaintenanceInterval: number;
}

export type DirectiveName = keyof Directives;
export type DirectiveValue = number | boolean;

export type DirectiveKind = 'integer' | 'number' | 'boolean' | 'duration';

export interface DirectiveDef {
  name: DirectiveName;
  kind: DirectiveKind;
  /** MPMs the directive applies to; others ignore it (and the UI hides it). */
  mpms: readonly MpmName[];
  /** Default per MPM (httpd's pre_config defaults). */
  defaults: Readonly<Record<MpmName, DirectiveValue>>;
  /** Inclusive bounds of a syntactically valid value (values inside may still be adjusted). */
  min?: number;
  max?: number;
  /** Exclusive lower bound, for values that must be strictly greater (AsyncRequestWorkerFactor > 0). */
  exclusiveMin?: number;
  /** Unit shown to operators: 's', 'ms', 'connections', … */
  unit?: string;
  /**
   * How a change applies to a running pool: 'tick' (next maintenance pass / next connection),
   * 'generation' (needs new children), 'restart' (fixed at start, like ServerLimit).
   */
  apply: 'tick' | 'generation' | 'restart';
  help: string;
}

/** A field error: stable code, directive, human message naming the fix. */
export interface DirectiveError {
  code: 'FY_DIRECTIVE_UNKNOWN' | 'FY_DIRECTIVE_TYPE' | 'FY_DIRECTIVE_RANGE';
  directive: string;
  message: string;
}

/** An adjustment made by httpd's startup rules, with httpd's log id and advice. */
export interface DirectiveWarning {
  /** httpd's log id for the MPM, e.g. 'AH00513' (event) / 'AH00316' (worker). */
  id: string;
  directive: DirectiveName;
  from: DirectiveValue;
  to: DirectiveValue;
  message: string;
}

/** The effective values the engine runs with, after httpd's adjustments. */
export interface EffectiveDirectives extends Directives {
  /** Most active processes: MaxRequestWorkers for prefork, floor(MRW / TPC) capped by ServerLimit otherwise. */
  MaxDaemons: number;
}
