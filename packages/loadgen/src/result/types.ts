/**
 * A load test's result: plain JSON, ready to be stored and compared across MPMs. Latencies are
 * milliseconds (HDR histogram, 3 significant digits, recorded in microseconds).
 */

import type { LoadTestSpec } from '../spec/types.js';

/** Errors by kind. `status` counts answers outside 2xx by their status code ("503": 12). */
export interface ErrorCounts {
  total: number;
  /** ECONNREFUSED: nothing listening, or the listen backlog is full. */
  connectRefused: number;
  /** The connection was reset or closed before the answer was complete. */
  reset: number;
  /** No complete answer within `timeoutMs` (or the connect timed out). */
  timeout: number;
  /** Open loop only: not sent because too many requests were already outstanding. */
  dropped: number;
  other: number;
  status: Record<string, number>;
}

export type ErrorKind = Exclude<keyof ErrorCounts, 'total' | 'status'>;

export interface LatencyFigures {
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** One second of the run (seconds count from 1, when traffic started). */
export interface TimelineSecond {
  second: number;
  /** Requests answered (any status) during this second. */
  requests: number;
  /** Requests per second over this bucket (equals `requests` for a whole second). */
  throughput: number;
  /** Response bytes received (bodies). */
  bytes: number;
  /** Latency of the requests answered this second; null when none was. */
  latencyMs: Pick<LatencyFigures, 'p50' | 'p90' | 'p99' | 'max'> | null;
  errors: ErrorCounts;
  /** Requests sent and not yet answered at the end of the second. */
  inFlight: number;
  /** Connections open at the end of the second (idle ones included). */
  connections: number;
  /** The load asked for during this second: connections (closed loop) or requests/s (open loop). */
  load: number;
  /** idle-keepalive only: idle connections held open at the end of the second. */
  idleOpen?: number;
}

export interface Summary {
  /** Requests answered (any status). */
  requests: number;
  /** Errors of every kind, non-2xx answers included. */
  errors: number;
  errorsByKind: ErrorCounts;
  /** Sent but neither answered nor failed when the run ended (aborted, or still waiting after the drain). */
  unanswered: number;
  bytes: number;
  /** From the first request sent to the last answer, in milliseconds. */
  durationMs: number;
  /** Answered requests per second over `durationMs`. */
  throughput: number;
  latencyMs: LatencyFigures | null;
}

/** idle-keepalive only: what the idle clients did. */
export interface IdleReport {
  requested: number;
  /** Idle connections whose first request was answered before probing started. */
  established: number;
  /** The most idle connections open at once. */
  peakOpen: number;
  /** Idle connections open when traffic stopped. */
  openAtEnd: number;
  /** Times the server closed an idle connection and it was reopened. */
  reconnects: number;
  /** Idle requests that failed (by kind). */
  errors: ErrorCounts;
}

export type Outcome = 'completed' | 'aborted';

export interface LoadTestResult {
  /** Bumped if the shape changes, so stored results stay readable. */
  version: 1;
  id: string;
  /** Free label for comparisons, e.g. the MPM name ("event"). */
  label: string;
  /** Caller's facts about the run (MPM, directives, git revision …). */
  meta: Record<string, string>;
  spec: LoadTestSpec;
  target: string;
  outcome: Outcome;
  /** ISO timestamps. */
  startedAt: string;
  endedAt: string;
  timeline: TimelineSecond[];
  /** For idle-keepalive: the probes. */
  summary: Summary;
  idle?: IdleReport;
}

export function emptyErrorCounts(): ErrorCounts {
  return { total: 0, connectRefused: 0, reset: 0, timeout: 0, dropped: 0, other: 0, status: {} };
}
