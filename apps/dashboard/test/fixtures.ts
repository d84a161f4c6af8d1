/** Snapshots and frames built from @forkyard/protocol's types, for the store's tests and the benchmark page. */
import type { ProcessSnapshot, StatusSnapshot, ThreadCells } from '@forkyard/protocol';

export function cells(request = '', started = 0, childCount = 0): ThreadCells {
  return [request, request ? '127.0.0.1' : '', request ? 'localhost:8080' : '', started, 0, 0, 0, childCount, childCount, 0, 0, 0];
}

export function child(slot: number, letters: string, generation = 1, pid = 1000 + slot): ProcessSnapshot {
  return {
    slot,
    pid,
    generation,
    quiescing: false,
    notAccepting: false,
    connections: 0,
    keepAlive: 0,
    writing: 0,
    closing: 0,
    rss: 50_000_000,
    cpu: 0.5,
    startedAt: 1_000,
    requests: 0,
    letters,
    threads: [...letters].map(() => cells()),
  };
}

export function snapshot(processes: ProcessSnapshot[], over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    version: 'Forkyard/0.1.0',
    serverName: 'localhost',
    time: 10_000,
    mpm: 'worker',
    generation: 1,
    configGeneration: 1,
    restartTime: 0,
    acceptQueue: 0,
    acceptRefused: 0,
    counts: { busy: 0, idle: 0, graceful: 0, processes: processes.length, stopping: 0, connsTotal: 0, connsAsyncWaitIO: 0, connsAsyncWriting: 0, connsAsyncKeepAlive: 0, connsAsyncClosing: 0, accesses: 0, bytes: 0 },
    limits: { serverLimit: 4, threadLimit: 64, threadsPerChild: 4, maxRequestWorkers: 16, maxDaemons: 4 },
    processes,
    ...over,
  };
}
