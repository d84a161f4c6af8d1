/**
 * Batches slot changes to the primary: every reportInterval the child reads the records whose
 * sequence moved and sends them in one message, with its async connection counters; resource
 * usage rides along once a second.
 *
 * A child at rest (no connection, and nothing changed for a second) looks only every
 * IDLE_REPORT_MS, so a pool of idle children costs next to no CPU, like httpd's children asleep
 * in accept. Whatever can change a slot without a connection (a message from the primary, a
 * thread's exit) calls wake() to report at full pace again.
 */

import type { ProcessCounters } from '../ipc/messages.js';
import type { SlotReader } from '../scoreboard/slot-buffer.js';
import { send } from './channel.js';

const USAGE_EVERY_MS = 1000;
/** How often a child at rest reports (its usage, and anything a missed wake() left behind). */
export const IDLE_REPORT_MS = 5000;

export interface Reporter {
  /** Sends one report now; cb once it is written. */
  flush(cb?: () => void): void;
  /** Something may change the slots soon: report every reportInterval again. */
  wake(): void;
}

export function startReporter(reader: SlotReader, counters: () => ProcessCounters, intervalMs: number): Reporter {
  let lastCounters = '';
  let lastUsage = 0;
  // Ticks in a row that found nothing to tell and no connection; a second of them slows the pace.
  let quiet = 0;
  const quietTicks = Math.max(1, Math.ceil(USAGE_EVERY_MS / intervalMs));
  let resting = false;
  let timer: NodeJS.Timeout | null = null;
  const pace = (ms: number): void => {
    if (timer) clearInterval(timer);
    timer = setInterval(() => tick(), ms);
    timer.unref();
  };
  const wake = (): void => {
    quiet = 0;
    if (!resting) return;
    resting = false;
    pace(intervalMs);
  };
  const tick = (cb?: () => void): void => {
    const changed = reader.changed();
    const c = counters();
    const cKey = `${c.connections},${c.writeCompletion},${c.keepAlive},${c.lingeringClose},${c.notAccepting}`;
    const now = Date.now();
    const withUsage = now - lastUsage >= USAGE_EVERY_MS;
    const still = changed.length === 0 && cKey === lastCounters;
    if (!still || c.connections > 0) wake();
    else if (!resting && ++quiet >= quietTicks) {
      resting = true;
      pace(IDLE_REPORT_MS);
    }
    if (still && !withUsage && !cb) return;
    lastCounters = cKey;
    const slots = changed.map((i) => [i, reader.read(i)] as [number, ReturnType<SlotReader['read']>]);
    if (withUsage) {
      lastUsage = now;
      const cpu = process.cpuUsage();
      send({ act: 'report', slots, counters: c, usage: { rss: process.memoryUsage.rss(), cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 } }, cb);
    } else {
      send({ act: 'report', slots, counters: c }, cb);
    }
  };
  pace(intervalMs);
  return { flush: tick, wake };
}
