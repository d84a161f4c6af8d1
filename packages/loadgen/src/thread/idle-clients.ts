/**
 * The idle side of the idle-keepalive scenario: K keep-alive connections, each an undici
 * `Client` that sends one request and then sits idle. Their client-side keep-alive outlasts any
 * server hint (a negative threshold cancels undici's "close a bit before the server does"), so
 * it is always the server that closes an idle connection; with `reconnect` the client opens a
 * new one and sends one request again, so K stay held.
 */

import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { emptyErrorCounts, type ErrorCounts, type IdleReport } from '../result/types.js';
import { send, type RequestPlan } from './send.js';

const HOUR_MS = 3_600_000;
/** Connections opened at once while setting up, so the target's accept queue is not flooded. */
const OPEN_BATCH = 100;
const RECONNECT_PAUSE_MS = 50;

export class IdleClients {
  private readonly clients: Client[] = [];
  private open = 0;
  private peak = 0;
  private established = 0;
  private reconnects = 0;
  private readonly errors: ErrorCounts = emptyErrorCounts();
  private running = true;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly origin: string,
    private readonly count: number,
    private readonly reconnect: boolean,
    private readonly plan: RequestPlan,
  ) {}

  /**
   * Opens every connection and sends its one request; resolves when every first request is
   * settled or after `limitMs` (a pool that cannot serve them all must not stall the run).
   */
  async openAll(limitMs: number): Promise<void> {
    const deadline = performance.now() + limitMs;
    let settled = 0;
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    for (let i = 0; i < this.count && this.running; i++) {
      const client = this.makeClient();
      this.request(client, true, () => {
        if (++settled === this.count) resolveAll();
      });
      if ((i + 1) % OPEN_BATCH === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const wait = Math.max(0, deadline - performance.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
  }

  openNow(): number {
    return this.open;
  }

  report(): IdleReport {
    return {
      requested: this.count,
      established: this.established,
      peakOpen: this.peak,
      openAtEnd: this.open,
      reconnects: this.reconnects,
      errors: this.errors,
    };
  }

  async destroy(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.clients.map((client) => client.destroy().catch(() => undefined)));
  }

  private makeClient(): Client {
    const client = new Client(this.origin, {
      pipelining: 1,
      connectTimeout: this.plan.timeoutMs,
      keepAliveTimeout: HOUR_MS,
      keepAliveMaxTimeout: HOUR_MS,
      keepAliveTimeoutThreshold: -HOUR_MS,
    });
    client.on('connect', () => {
      this.open++;
      if (this.open > this.peak) this.peak = this.open;
    });
    client.on('disconnect', () => {
      this.open--;
      if (!this.running || !this.reconnect) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.running) return;
        this.reconnects++;
        this.request(client, false, () => {});
      }, RECONNECT_PAUSE_MS);
      this.timers.add(timer);
    });
    client.on('connectionError', () => {});
    this.clients.push(client);
    return client;
  }

  private request(client: Client, first: boolean, settled: () => void): void {
    send(client, this.plan, (outcome) => {
      if (this.running) {
        if ('error' in outcome) {
          this.errors.total++;
          this.errors[outcome.error]++;
        } else if (outcome.status < 200 || outcome.status > 299) {
          const key = String(outcome.status);
          this.errors.total++;
          this.errors.status[key] = (this.errors.status[key] ?? 0) + 1;
        } else if (first) {
          this.established++;
        }
      }
      settled();
    });
  }
}
