/**
 * The status snapshot: the whole scoreboard as clients see it, JSON-safe and compact. The
 * control plane builds one per stream tick with `toSnapshot` and answers `GET /status` with it;
 * the dashboard keeps one in its store and patches it with deltas (delta.ts).
 *
 *   snapshot ── global figures, counts, limits
 *            └─ processes[]  one per occupied child slot, ordered by slot
 *                 ├─ pid, generation, connections, rss, cpu …
 *                 ├─ letters   "_WWK_…"  one status letter per thread slot
 *                 └─ threads[] one ThreadCells tuple per thread slot (same index as letters)
 *
 * Thread slots are tuples, not objects: a 1,024-slot board is ~1,024 small arrays, and a
 * delta replaces whole tuples. Time-varying figures are sent as instants (`started`), never as
 * durations that grow every tick, so an unchanged slot stays byte-for-byte unchanged.
 *
 * @see httpd modules/generators/mod_status.c (the figures), include/scoreboard.h (the fields)
 */
import { Type, type Static } from '@sinclair/typebox';

export const MpmNameSchema = Type.Union([Type.Literal('prefork'), Type.Literal('worker'), Type.Literal('event')]);
export type MpmName = Static<typeof MpmNameSchema>;

/** httpd's worker status letters, as in `/server-status?auto`'s Scoreboard line. */
export type SlotLetter = '.' | 'S' | '_' | 'R' | 'W' | 'K' | 'L' | 'D' | 'C' | 'G' | 'I';

/** What mod_status counts from the scoreboard, by httpd's rules (the engine's countWorkers: the control plane passes them in). */
export const SnapshotCountsSchema = Type.Object({
  busy: Type.Integer(),
  idle: Type.Integer(),
  graceful: Type.Integer(),
  /** Child processes alive, stopping ones included. */
  processes: Type.Integer(),
  stopping: Type.Integer(),
  connsTotal: Type.Integer(),
  connsAsyncWaitIO: Type.Integer(),
  connsAsyncWriting: Type.Integer(),
  connsAsyncKeepAlive: Type.Integer(),
  connsAsyncClosing: Type.Integer(),
  /** Total Accesses and Total bytes (every slot, dead ones included). */
  accesses: Type.Integer(),
  bytes: Type.Number(),
});
export type SnapshotCounts = Static<typeof SnapshotCountsSchema>;

export const SnapshotLimitsSchema = Type.Object({
  serverLimit: Type.Integer(),
  threadLimit: Type.Integer(),
  threadsPerChild: Type.Integer(),
  maxRequestWorkers: Type.Integer(),
  maxDaemons: Type.Integer(),
});
export type SnapshotLimits = Static<typeof SnapshotLimitsSchema>;

/**
 * One thread slot, without its letter (that lives in the process's `letters`). Indexes are the
 * THREAD_* constants below.
 */
export const ThreadCellsSchema = Type.Tuple([
  /** Request line of the current or last request (first 63 chars), '' if none. */
  Type.String(),
  /** Client address. */
  Type.String(),
  /** `host:port` the request was for. */
  Type.String(),
  /** Epoch ms the in-flight request started; 0 when no request is in flight. */
  Type.Number(),
  /** Duration in ms of the last finished request; 0 if none. */
  Type.Number(),
  /** Epoch ms of the slot's last state change. */
  Type.Number(),
  /** Requests on the current connection, for the current child, for the slot's lifetime. */
  Type.Integer(),
  Type.Integer(),
  Type.Integer(),
  /** Bytes on the current connection, for the current child, for the slot's lifetime. */
  Type.Number(),
  Type.Number(),
  Type.Number(),
]);
export type ThreadCells = Static<typeof ThreadCellsSchema>;

export const THREAD_REQUEST = 0;
export const THREAD_CLIENT = 1;
export const THREAD_VHOST = 2;
export const THREAD_STARTED = 3;
export const THREAD_LAST_MS = 4;
export const THREAD_LAST_USED = 5;
export const THREAD_CONN_COUNT = 6;
export const THREAD_CHILD_COUNT = 7;
export const THREAD_SLOT_COUNT = 8;
export const THREAD_CONN_BYTES = 9;
export const THREAD_CHILD_BYTES = 10;
export const THREAD_SLOT_BYTES = 11;

/** A process's scalar fields: everything but its thread slots. */
export const ProcessInfoSchema = Type.Object({
  slot: Type.Integer(),
  pid: Type.Integer(),
  generation: Type.Integer(),
  quiescing: Type.Boolean(),
  /** Event MPM: listeners off because the child is at its connection limit. */
  notAccepting: Type.Boolean(),
  connections: Type.Integer(),
  keepAlive: Type.Integer(),
  writing: Type.Integer(),
  closing: Type.Integer(),
  /** Resident set size in bytes, CPU seconds (user + system), from the child's last report. */
  rss: Type.Number(),
  cpu: Type.Number(),
  /** Epoch ms the child was forked. */
  startedAt: Type.Number(),
  /** Requests this child has served (Σ of its threads' child counts). */
  requests: Type.Integer(),
});
export type ProcessInfo = Static<typeof ProcessInfoSchema>;

export const ProcessSnapshotSchema = Type.Composite([
  ProcessInfoSchema,
  Type.Object({
    /** One status letter per thread slot. */
    letters: Type.String(),
    threads: Type.Array(ThreadCellsSchema),
  }),
]);
export type ProcessSnapshot = Static<typeof ProcessSnapshotSchema>;

export const StatusSnapshotSchema = Type.Object({
  /** Server version, e.g. `Forkyard/0.1.0`. */
  version: Type.String(),
  serverName: Type.String(),
  /** Epoch ms the snapshot was taken. */
  time: Type.Number(),
  mpm: MpmNameSchema,
  /** The running generation (ParentServerMPMGeneration). */
  generation: Type.Integer(),
  configGeneration: Type.Integer(),
  restartTime: Type.Number(),
  /** Connections accepted and waiting for a child with room. */
  acceptQueue: Type.Integer(),
  /** Connections closed on arrival since the pool started listening: ListenBacklog were already waiting. */
  acceptRefused: Type.Integer(),
  counts: SnapshotCountsSchema,
  limits: SnapshotLimitsSchema,
  /** Occupied child slots (a live process, or a thread slot not yet dead), ordered by slot. */
  processes: Type.Array(ProcessSnapshotSchema),
});
export type StatusSnapshot = Static<typeof StatusSnapshotSchema>;

/** Milliseconds the in-flight request of a thread slot has run for at snapshot time; 0 if none. */
export function elapsedMs(snapshot: Pick<StatusSnapshot, 'time'>, cells: ThreadCells): number {
  const started = cells[THREAD_STARTED];
  return started === 0 ? 0 : Math.max(0, snapshot.time - started);
}

// ── building a snapshot from the engine's scoreboard image ───────────────────────────────
//
// The engine's `ScoreboardImage` is described here structurally (only what a snapshot reads),
// so the wire contract depends on no engine code; the engine's type is assignable to it.

export interface ImageWorker {
  status: string;
  connCount: number;
  connBytes: number;
  accessCount: number;
  bytesServed: number;
  myAccessCount: number;
  myBytesServed: number;
  startTime: number;
  stopTime: number;
  lastUsed: number;
  durationMs: number;
  client: string;
  request: string;
  vhost: string;
}

export interface ImageProcess {
  pid: number;
  generation: number;
  quiescing: boolean;
  notAccepting: boolean;
  connections: number;
  writeCompletion: number;
  keepAlive: number;
  lingeringClose: number;
  waitIo: number;
  startedAt: number;
  rss: number;
  cpuUser: number;
  cpuSystem: number;
}

export interface ImageLike {
  global: {
    mpm: MpmName;
    serverName: string;
    serverVersion: string;
    restartTime: number;
    configGeneration: number;
    mpmGeneration: number;
    acceptQueue: number;
    acceptRefused: number;
  };
  limits: SnapshotLimits;
  processes: ImageProcess[];
  workers: ImageWorker[][];
}

function threadCells(ws: ImageWorker): ThreadCells {
  // The engine zeroes stopTime when a request starts: in flight = started and not stopped.
  const inFlight = ws.startTime !== 0 && ws.stopTime === 0;
  return [
    ws.request,
    ws.client,
    ws.vhost,
    inFlight ? ws.startTime : 0,
    !inFlight && ws.startTime !== 0 ? Math.max(0, Math.trunc(ws.stopTime - ws.startTime)) : 0,
    ws.lastUsed,
    ws.connCount,
    ws.myAccessCount,
    ws.accessCount,
    ws.connBytes,
    ws.myBytesServed,
    ws.bytesServed,
  ];
}

/**
 * How many thread slots of a row the snapshot shows: ThreadsPerChild, or more while a child of
 * an older, wider generation still uses slots past it (the dead tail beyond is left out).
 */
function rowWidth(row: ImageWorker[], threadsPerChild: number): number {
  let width = Math.min(row.length, Math.max(1, threadsPerChild));
  for (let t = row.length - 1; t >= width; t--) {
    if (row[t]!.status !== '.') {
      width = t + 1;
      break;
    }
  }
  return width;
}

function processSnapshot(slot: number, ps: ImageProcess, row: ImageWorker[], width: number): ProcessSnapshot {
  let letters = '';
  let requests = 0;
  const threads: ThreadCells[] = [];
  for (let t = 0; t < width; t++) {
    const ws = row[t]!;
    letters += ws.status;
    requests += ws.myAccessCount;
    threads.push(threadCells(ws));
  }
  return {
    slot,
    pid: ps.pid,
    generation: ps.generation,
    quiescing: ps.quiescing,
    notAccepting: ps.notAccepting,
    connections: ps.connections,
    keepAlive: ps.keepAlive,
    writing: ps.writeCompletion,
    closing: ps.lingeringClose,
    rss: ps.rss,
    cpu: Math.round((ps.cpuUser + ps.cpuSystem) * 1000) / 1000,
    startedAt: ps.startedAt,
    requests,
    letters,
    threads,
  };
}

/**
 * The snapshot of a scoreboard image at `now`. Pure: the same image gives the same snapshot.
 * `counts` are httpd's worker counts of the same image (the engine's countWorkers, which
 * `/server-status` prints): the rule lives once, in the engine.
 */
export function toSnapshot(image: ImageLike, now: number, counts: SnapshotCounts): StatusSnapshot {
  const g = image.global;
  const processes: ProcessSnapshot[] = [];
  for (let i = 0; i < image.processes.length; i++) {
    const ps = image.processes[i]!;
    const row = image.workers[i] ?? [];
    const occupied = ps.pid !== 0 || row.some((ws) => ws.status !== '.');
    if (occupied) processes.push(processSnapshot(i, ps, row, rowWidth(row, image.limits.threadsPerChild)));
  }
  return {
    version: g.serverVersion,
    serverName: g.serverName,
    time: now,
    mpm: g.mpm,
    generation: g.mpmGeneration,
    configGeneration: g.configGeneration,
    restartTime: g.restartTime,
    acceptQueue: g.acceptQueue,
    acceptRefused: g.acceptRefused,
    counts,
    limits: { ...image.limits },
    processes,
  };
}
