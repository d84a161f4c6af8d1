/**
 * Open loop: requests at a fixed arrival rate through an undici `Pool` of at most `connections`
 * sockets, whatever the server does. Each request has an intended send time (t0 + i/rate) and its
 * latency runs from that time, so a server that stalls for a second shows a second of latency
 * for every request that was due during the stall, including those still waiting for a free
 * connection, and those the timer itself was late for.
 */

import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { dispatcherOptions, type Driver } from './driver.js';
import type { Recorder } from './recorder.js';
import { send, type RequestPlan } from './send.js';

/** Past this many outstanding requests new ones are counted as `dropped` instead of queued. */
const MAX_OUTSTANDING = 100_000;

export class OpenLoop implements Driver {
  private readonly pool: Pool;
  private sending = false;
  private pending = 0;
  private nextDue = 0;
  private timer: NodeJS.Timeout | null = null;
  load = 0;

  constructor(
    origin: string,
    connections: number,
    private readonly plan: RequestPlan,
    private readonly recorder: Recorder,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1, ...dispatcherOptions(plan.timeoutMs) });
    this.pool.on('connectionError', () => {}); // counted per request
  }

  setLoad(rate: number): void {
    this.load = rate;
    if (!this.sending) return;
    // A rate raised from a slow one must not wait out the old, longer interval.
    this.nextDue = Math.min(this.nextDue, performance.now() + 1000 / rate);
    this.schedule();
  }

  start(t0: number): void {
    this.sending = true;
    this.nextDue = t0;
    this.tick();
  }

  stopSending(): void {
    this.sending = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  inFlight(): number {
    return this.pending;
  }

  connections(): number {
    return this.pool.stats.connected;
  }

  async destroy(): Promise<void> {
    this.stopSending();
    await this.pool.destroy().catch(() => undefined);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, this.nextDue - performance.now());
    this.timer = setTimeout(() => this.tick(), wait);
  }

  /** Sends every request whose intended time has come, each stamped with that time. */
  private tick(): void {
    this.timer = null;
    if (!this.sending || this.load <= 0) return;
    const now = performance.now();
    const interval = 1000 / this.load;
    while (this.nextDue <= now) {
      this.issue(this.nextDue);
      this.nextDue += interval;
    }
    this.schedule();
  }

  private issue(intendedAt: number): void {
    this.recorder.sent(intendedAt);
    if (this.pending >= MAX_OUTSTANDING) {
      this.recorder.failed('dropped');
      return;
    }
    this.pending++;
    send(this.pool, this.plan, (outcome) => {
      this.pending--;
      const at = performance.now();
      if ('error' in outcome) this.recorder.failed(outcome.error);
      else this.recorder.answered(at - intendedAt, outcome.status, outcome.bytes, at);
    });
  }
}
