/**
 * The primary's authoritative scoreboard image and the only code that changes it: a child is
 * forked into a slot, reports its slots, exits. Slot-lifetime counters survive children
 * (httpd keeps access_count per slot until a hard restart).
 */

import type { ProcessCounters } from '../ipc/messages.js';
import type { SlotRecord } from './slot-buffer.js';
import {
  emptyProcessScore,
  emptyWorkerScore,
  type GlobalScore,
  type ScoreboardImage,
  type ScoreboardLimits,
  type WorkerScore,
} from './types.js';

export function createImage(global: GlobalScore, limits: ScoreboardLimits): ScoreboardImage {
  return {
    global,
    limits,
    processes: Array.from({ length: limits.serverLimit }, emptyProcessScore),
    workers: Array.from({ length: limits.serverLimit }, () => Array.from({ length: limits.threadLimit }, emptyWorkerScore)),
  };
}

/** The parent's make_child: the slot's process record and its threads show `S`. */
export function markForked(image: ScoreboardImage, slot: number, pid: number, generation: number, threads: number, now: number): void {
  const p = image.processes[slot]!;
  Object.assign(p, emptyProcessScore(), { pid, generation, startedAt: now });
  const row = image.workers[slot]!;
  for (let t = 0; t < row.length; t++) {
    const w = row[t]!;
    if (t < threads) Object.assign(w, { status: 'S', pid, generation, lastUsed: now });
  }
}

/** A child's batched report: copy its slot records, keep per-slot totals across children. */
export function applyReport(
  image: ScoreboardImage,
  slot: number,
  slots: ReadonlyArray<readonly [number, SlotRecord]>,
  counters: ProcessCounters,
  usage?: { rss: number; cpuUser: number; cpuSystem: number },
): void {
  const p = image.processes[slot]!;
  if (p.pid === 0) return;
  const row = image.workers[slot]!;
  for (const [t, rec] of slots) {
    const w = row[t];
    if (!w) continue;
    w.accessCount += rec.myAccessCount - w.myAccessCount;
    w.bytesServed += rec.myBytesServed - w.myBytesServed;
    // A prefork child told to stop gracefully shows G until it does something else (httpd).
    const status = p.quiescing && rec.status === '_' ? 'G' : rec.status;
    Object.assign(w, rec, { status, pid: p.pid, generation: p.generation });
  }
  p.connections = counters.connections;
  p.writeCompletion = counters.writeCompletion;
  p.keepAlive = counters.keepAlive;
  p.lingeringClose = counters.lingeringClose;
  p.notAccepting = counters.notAccepting;
  if (usage) {
    p.rss = usage.rss;
    p.cpuUser = usage.cpuUser;
    p.cpuSystem = usage.cpuSystem;
  }
}

/** The child is going down gracefully: its slots show G until it reports otherwise. */
export function markQuiescing(image: ScoreboardImage, slot: number): void {
  const p = image.processes[slot]!;
  if (p.pid === 0) return;
  p.quiescing = true;
  for (const w of image.workers[slot]!) if (w.status !== '.') w.status = 'G';
}

/** Reaped: every thread slot DEAD, per-child counters reset, slot totals kept. */
export function markDead(image: ScoreboardImage, slot: number, now: number): void {
  Object.assign(image.processes[slot]!, emptyProcessScore());
  for (const w of image.workers[slot]!) {
    if (w.status === '.' && w.pid === 0) continue;
    resetToDead(w, now);
  }
}

function resetToDead(w: WorkerScore, now: number): void {
  w.status = '.';
  w.pid = 0;
  w.connCount = 0;
  w.connBytes = 0;
  w.myAccessCount = 0;
  w.myBytesServed = 0;
  w.lastUsed = now;
}

/** A hard restart zeroes every record (httpd's pre_mpm hook). */
export function zeroImage(image: ScoreboardImage): void {
  for (let i = 0; i < image.processes.length; i++) {
    image.processes[i] = emptyProcessScore();
    image.workers[i] = image.workers[i]!.map(emptyWorkerScore);
  }
}

/** A deep copy, for consumers that must not see later mutation. */
export function cloneImage(image: ScoreboardImage): ScoreboardImage {
  return structuredClone(image);
}

/**
 * A new generation may change the layout (MPM switch, ThreadsPerChild, ServerLimit). Rows of
 * live children are kept, even beyond the new limits, so both generations show while they
 * overlap; httpd prints such live slots past the limits too.
 */
export function relayoutImage(image: ScoreboardImage, limits: ScoreboardLimits): void {
  let lastLive = -1;
  let widest = 0;
  image.processes.forEach((p, i) => {
    if (p.pid === 0) return;
    lastLive = i;
    const row = image.workers[i]!;
    for (let t = row.length - 1; t >= 0; t--) {
      if (row[t]!.status !== '.') {
        widest = Math.max(widest, t + 1);
        break;
      }
    }
  });
  const serverLimit = Math.max(limits.serverLimit, lastLive + 1);
  const threadLimit = Math.max(limits.threadLimit, widest);
  const processes = Array.from({ length: serverLimit }, (_, i) => image.processes[i] ?? emptyProcessScore());
  const workers = Array.from({ length: serverLimit }, (_, i) =>
    Array.from({ length: threadLimit }, (_, t) => image.workers[i]?.[t] ?? emptyWorkerScore()),
  );
  image.processes = processes;
  image.workers = workers;
  image.limits = { ...limits, serverLimit, threadLimit };
}
