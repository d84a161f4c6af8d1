/**
 * Ten minutes of chart samples, taken from the streamed snapshots at most once per second.
 * Pure: `sampleHistory(history, snapshot)` returns the same object when it is not time for a
 * sample yet, so the charts (which select `history`) re-render at 1 Hz, not at the 10 Hz of
 * the stream.
 */
import type { StatusSnapshot } from '@forkyard/protocol';

export const HISTORY_WINDOW_MS = 10 * 60_000;
export const SAMPLE_INTERVAL_MS = 1000;

export interface HistorySample {
  /** Epoch ms (the snapshot's time). */
  t: number;
  /** Requests per second since the previous sample; null for the first one after a gap. */
  rps: number | null;
  busy: number;
  idle: number;
  graceful: number;
  /** Children of the running generation, and of older ones still finishing. */
  currentGeneration: number;
  olderGenerations: number;
  /** Kept-alive connections: parked with a listener (event) plus slots holding one in `K`. */
  keepAlive: number;
  acceptQueue: number;
}

export interface History {
  samples: readonly HistorySample[];
  /** Accesses at the last sample, for the request rate. */
  lastAccesses: number;
}

export const EMPTY_HISTORY: History = Object.freeze({ samples: Object.freeze([]) as readonly HistorySample[], lastAccesses: 0 });

function countLetter(s: string, letter: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === letter.charCodeAt(0)) n++;
  return n;
}

export function takeSample(snapshot: StatusSnapshot, prev: HistorySample | undefined, lastAccesses: number): HistorySample {
  let current = 0;
  let older = 0;
  let heldK = 0;
  for (const p of snapshot.processes) {
    if (p.pid === 0) continue;
    if (p.generation === snapshot.generation) current++;
    else older++;
    heldK += countLetter(p.letters, 'K');
  }
  const dt = prev ? (snapshot.time - prev.t) / 1000 : 0;
  // A gap (reconnect, a hidden tab) gives no rate rather than an average over the gap; a drop
  // in accesses (a hard restart zeroes the scoreboard) gives none either.
  const rate = prev && dt > 0 && dt <= 5 && snapshot.counts.accesses >= lastAccesses ? (snapshot.counts.accesses - lastAccesses) / dt : null;
  return {
    t: snapshot.time,
    rps: rate === null ? null : Math.round(rate * 10) / 10,
    busy: snapshot.counts.busy,
    idle: snapshot.counts.idle,
    graceful: snapshot.counts.graceful,
    currentGeneration: current,
    olderGenerations: older,
    keepAlive: snapshot.counts.connsAsyncKeepAlive + heldK,
    acceptQueue: snapshot.acceptQueue,
  };
}

export function sampleHistory(history: History, snapshot: StatusSnapshot): History {
  const prev = history.samples[history.samples.length - 1];
  if (prev && snapshot.time - prev.t < SAMPLE_INTERVAL_MS && snapshot.time >= prev.t) return history;
  const sample = takeSample(snapshot, prev, history.lastAccesses);
  const cutoff = snapshot.time - HISTORY_WINDOW_MS;
  let start = 0;
  while (start < history.samples.length && history.samples[start]!.t < cutoff) start++;
  const samples = history.samples.slice(start);
  samples.push(sample);
  return { samples, lastAccesses: snapshot.counts.accesses };
}
