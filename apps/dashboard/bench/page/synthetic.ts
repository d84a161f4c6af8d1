/**
 * A synthetic but wire-exact stream for the frame-time benchmark: a 64 × 64 = 4,096-slot board
 * and, per tick, new letters and thread cells for a share of the slots, turned into protocol
 * deltas by the protocol's own diffSnapshots (what the control plane sends).
 */
import { diffSnapshots, type ProcessSnapshot, type ServerFrame, type StatusSnapshot, type ThreadCells } from '@forkyard/protocol';

const LETTERS = '__________WWWWRKKKC';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SyntheticStream {
  frames: ServerFrame[];
  changedSlotsPerTick: number;
}

export function syntheticStream(children: number, threads: number, ticks: number, changeShare: number, start = Date.now()): SyntheticStream {
  const random = rng(42);
  const processes: ProcessSnapshot[] = [];
  for (let c = 0; c < children; c++) {
    const threadsCells: ThreadCells[] = [];
    let letters = '';
    for (let t = 0; t < threads; t++) {
      letters += '_';
      threadsCells.push(['', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
    processes.push({ slot: c, pid: 10_000 + c, generation: 1, quiescing: false, notAccepting: false, connections: 0, keepAlive: 0, writing: 0, closing: 0, rss: 60e6, cpu: 0.2, startedAt: start, requests: 0, letters, threads: threadsCells });
  }
  let snap: StatusSnapshot = {
    version: 'Forkyard/bench',
    serverName: 'bench',
    time: start,
    mpm: 'event',
    generation: 1,
    configGeneration: 1,
    restartTime: start,
    acceptQueue: 0,
    acceptRefused: 0,
    counts: { busy: 0, idle: children * threads, graceful: 0, processes: children, stopping: 0, connsTotal: 0, connsAsyncWaitIO: 0, connsAsyncWriting: 0, connsAsyncKeepAlive: 0, connsAsyncClosing: 0, accesses: 0, bytes: 0 },
    limits: { serverLimit: children, threadLimit: threads, threadsPerChild: threads, maxRequestWorkers: children * threads, maxDaemons: children },
    processes,
  };
  const frames: ServerFrame[] = [{ type: 'snapshot', seq: 1, snapshot: snap }];
  const perTick = Math.round(children * threads * changeShare);
  let accesses = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    const time = start + tick * 100;
    const next = snap.processes.map((p) => ({ ...p, threads: p.threads.slice() }));
    const letters = next.map((p) => p.letters.split(''));
    for (let i = 0; i < perTick; i++) {
      const c = Math.floor(random() * children);
      const t = Math.floor(random() * threads);
      const l = LETTERS[Math.floor(random() * LETTERS.length)]!;
      letters[c]![t] = l;
      const busy = l !== '_';
      accesses++;
      next[c]!.threads[t] = [busy ? `GET /sleep?ms=${Math.floor(random() * 500)} HTTP/1.1` : 'GET / HTTP/1.1', '127.0.0.1', 'localhost:8080', busy ? time - 50 : 0, busy ? 0 : 3, time, 1, accesses, accesses, 120, 120 * accesses, 120 * accesses];
    }
    let busyCount = 0;
    next.forEach((p, c) => {
      p.letters = letters[c]!.join('');
      p.requests += 3;
      busyCount += p.letters.replace(/_/g, '').length;
    });
    const after: StatusSnapshot = { ...snap, time, processes: next, counts: { ...snap.counts, busy: busyCount, idle: children * threads - busyCount, accesses } };
    frames.push({ type: 'delta', seq: tick + 1, delta: diffSnapshots(snap, after, tick) });
    snap = after;
  }
  return { frames, changedSlotsPerTick: perTick };
}
