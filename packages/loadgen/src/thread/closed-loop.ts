/**
 * Closed loop: `load` connections, each an undici `Client` (one socket, no pipelining) sending
 * its next request as soon as the previous one is answered. Latency runs from the moment each
 * request is handed to its connection: when the server stalls, the loop waits with it (the
 * coordinated omission the open loop avoids).
 */

import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { dispatcherOptions, type Driver } from './driver.js';
import type { Recorder } from './recorder.js';
import { send, type RequestPlan } from './send.js';

/** Pause after a transport error, so a refused target is not hammered in a tight loop. */
const ERROR_PAUSE_MS = 5;

export class ClosedLoop implements Driver {
  private readonly clients: Client[] = [];
  private sending = false;
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  load = 0;

  constructor(
    private readonly origin: string,
    private readonly plan: RequestPlan,
    private readonly recorder: Recorder,
  ) {}

  setLoad(load: number): void {
    const before = this.load;
    this.load = load;
    if (!this.sending) return;
    for (let i = before; i < load; i++) this.loop(i);
  }

  start(_t0: number): void {
    this.sending = true;
    for (let i = 0; i < this.load; i++) this.loop(i);
  }

  stopSending(): void {
    this.sending = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  inFlight(): number {
    return this.pending;
  }

  connections(): number {
    let open = 0;
    for (const client of this.clients) if (client.stats.connected) open++;
    return open;
  }

  async destroy(): Promise<void> {
    this.stopSending();
    await Promise.all(this.clients.map((client) => client.destroy().catch(() => undefined)));
  }

  private client(index: number): Client {
    let client = this.clients[index];
    if (!client) {
      client = new Client(this.origin, { pipelining: 1, ...dispatcherOptions(this.plan.timeoutMs) });
      client.on('connectionError', () => {}); // counted per request
      this.clients[index] = client;
    }
    return client;
  }

  /** Connection `index` sends one request, and its next when this one is done. */
  private loop(index: number): void {
    if (!this.sending || index >= this.load) return;
    const client = this.client(index);
    const sentAt = performance.now();
    this.recorder.sent(sentAt);
    this.pending++;
    send(client, this.plan, (outcome) => {
      this.pending--;
      const at = performance.now();
      if ('error' in outcome) {
        this.recorder.failed(outcome.error);
        if (!this.sending) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.loop(index);
        }, ERROR_PAUSE_MS);
        this.timers.add(timer);
        return;
      }
      this.recorder.answered(at - sentAt, outcome.status, outcome.bytes, at);
      this.loop(index);
    });
  }
}
