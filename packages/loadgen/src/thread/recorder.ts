/**
 * Counts what one stream of requests did: a histogram and counters for the current second and
 * the same for the whole run. The session closes a second once a second; the drivers only call
 * `answered` and `failed`.
 */

import type { Histogram } from 'hdr-histogram-js';
import { createHistogram, latencyFigures, recordMs } from '../histogram.js';
import { emptyErrorCounts, type ErrorCounts, type ErrorKind, type Summary, type TimelineSecond } from '../result/types.js';

export type SecondContext = Pick<TimelineSecond, 'inFlight' | 'connections' | 'load'> & { idleOpen?: number };

function countError(counts: ErrorCounts, kind: ErrorKind | { status: number }): void {
  counts.total++;
  if (typeof kind === 'object') {
    const key = String(kind.status);
    counts.status[key] = (counts.status[key] ?? 0) + 1;
  } else {
    counts[kind]++;
  }
}

export class Recorder {
  private readonly total: Histogram = createHistogram();
  private readonly current: Histogram = createHistogram();
  private totalRequests = 0;
  private totalBytes = 0;
  private readonly totalErrors = emptyErrorCounts();
  private secondRequests = 0;
  private secondBytes = 0;
  private secondErrors = emptyErrorCounts();
  private secondStartedAt: number;
  private seconds = 0;
  private firstSentAt = Infinity;
  private lastAnsweredAt = 0;
  /** Set when traffic is torn down: what fails after that failed because of us. */
  frozen = false;

  constructor(startedAt: number) {
    this.secondStartedAt = startedAt;
  }

  /** Marks a request as sent (or, open loop, as due) at `at` (performance.now()). */
  sent(at: number): void {
    if (at < this.firstSentAt) this.firstSentAt = at;
  }

  /** An answer (any status) that took `latencyMs`. */
  answered(latencyMs: number, status: number, bytes: number, at: number): void {
    if (this.frozen) return;
    recordMs(this.total, latencyMs);
    recordMs(this.current, latencyMs);
    this.totalRequests++;
    this.secondRequests++;
    this.totalBytes += bytes;
    this.secondBytes += bytes;
    this.lastAnsweredAt = Math.max(this.lastAnsweredAt, at);
    if (status < 200 || status > 299) {
      countError(this.totalErrors, { status });
      countError(this.secondErrors, { status });
    }
  }

  failed(kind: ErrorKind): void {
    if (this.frozen) return;
    countError(this.totalErrors, kind);
    countError(this.secondErrors, kind);
  }

  /** True when the second in progress has seen an answer or an error. */
  secondHasData(): boolean {
    return this.secondRequests > 0 || this.secondErrors.total > 0;
  }

  /** Ends the current second at `at` and starts the next. */
  closeSecond(at: number, context: SecondContext): TimelineSecond {
    const elapsed = Math.max(at - this.secondStartedAt, 1);
    const figures = latencyFigures(this.current);
    const second: TimelineSecond = {
      second: ++this.seconds,
      requests: this.secondRequests,
      throughput: Math.round((this.secondRequests * 1000 * 10) / elapsed) / 10,
      bytes: this.secondBytes,
      latencyMs: figures ? { p50: figures.p50, p90: figures.p90, p99: figures.p99, max: figures.max } : null,
      errors: this.secondErrors,
      ...context,
    };
    this.current.reset();
    this.secondRequests = 0;
    this.secondBytes = 0;
    this.secondErrors = emptyErrorCounts();
    this.secondStartedAt = at;
    return second;
  }

  summary(unanswered: number): Summary {
    const durationMs = this.totalRequests > 0 ? Math.max(this.lastAnsweredAt - this.firstSentAt, 1) : 0;
    return {
      requests: this.totalRequests,
      errors: this.totalErrors.total,
      errorsByKind: this.totalErrors,
      unanswered,
      bytes: this.totalBytes,
      durationMs: Math.round(durationMs),
      throughput: durationMs > 0 ? Math.round((this.totalRequests * 1000 * 10) / durationMs) / 10 : 0,
      latencyMs: latencyFigures(this.total),
    };
  }

  errorCounts(): ErrorCounts {
    return this.totalErrors;
  }
}
