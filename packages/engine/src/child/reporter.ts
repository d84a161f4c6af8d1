/**
 * Batches slot changes to the primary: every reportInterval the child reads the records whose
 * sequence moved and sends them in one message, with its async connection counters; resource
 * usage rides along once a second.
 */

import type { ProcessCounters } from '../ipc/messages.js';
import type { SlotReader } from '../scoreboard/slot-buffer.js';
import { send } from './channel.js';

const USAGE_EVERY_MS = 1000;

/** Starts the periodic report; returns `flush(cb)`, which sends one now and calls cb once it is written. */
export function startReporter(reader: SlotReader, counters: () => ProcessCounters, intervalMs: number): (cb?: () => void) => void {
  let lastCounters = '';
  let lastUsage = 0;
  const tick = (cb?: () => void): void => {
    const changed = reader.changed();
    const c = counters();
    const cKey = `${c.connections},${c.writeCompletion},${c.keepAlive},${c.lingeringClose},${c.notAccepting}`;
    const now = Date.now();
    const withUsage = now - lastUsage >= USAGE_EVERY_MS;
    if (changed.length === 0 && cKey === lastCounters && !withUsage && !cb) return;
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
  const timer = setInterval(() => tick(), intervalMs);
  timer.unref();
  return tick;
}
