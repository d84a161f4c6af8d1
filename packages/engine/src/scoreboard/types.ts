/**
 * The scoreboard image: the primary's authoritative picture of every child slot and every
 * thread slot, shaped like httpd's `global_score` + `process_score[ServerLimit]` +
 * `worker_score[ServerLimit][ThreadLimit]`.
 *
 * Who writes what:
 *   - `ProcessScore` is written by the primary (pid, generation, startedAt, quiescing) and from
 *     the child's reports (notAccepting, the async connection counters, rss, cpu).
 *   - `WorkerScore` is written by the thread (or prefork child) that owns the slot, into its
 *     child's slot buffer; the child reports changed slots in batches and the primary copies
 *     them here. Slot-lifetime counters (accessCount, bytesServed) are kept by the primary,
 *     because a slot outlives the children that use it.
 *
 * @see httpd include/scoreboard.h
 */

export type MpmName = 'prefork' | 'worker' | 'event';
export const MPM_NAMES: readonly MpmName[] = ['prefork', 'worker', 'event'];

/** httpd's worker status letters (include/scoreboard.h, mod_status.c status_init). */
export type SlotStatus = '.' | 'S' | '_' | 'R' | 'W' | 'K' | 'L' | 'D' | 'C' | 'G' | 'I';

/** Numeric codes, in httpd's order: the ordering is used (`<= READY` is idle-or-starting). */
export const SERVER_DEAD = 0;
export const SERVER_STARTING = 1;
export const SERVER_READY = 2;
export const SERVER_BUSY_READ = 3;
export const SERVER_BUSY_WRITE = 4;
export const SERVER_BUSY_KEEPALIVE = 5;
export const SERVER_BUSY_LOG = 6;
export const SERVER_BUSY_DNS = 7;
export const SERVER_CLOSING = 8;
export const SERVER_GRACEFUL = 9;
export const SERVER_IDLE_KILL = 10;

/** Index = numeric code. */
export const STATUS_LETTERS: readonly SlotStatus[] = ['.', 'S', '_', 'R', 'W', 'K', 'L', 'D', 'C', 'G', 'I'];

/**
 * Numeric code by the letter's character code: an object keyed by the letters would be a
 * megamorphic keyed lookup, and the slot writer asks on every request.
 */
const CODES = new Uint8Array(128);
STATUS_LETTERS.forEach((letter, i) => (CODES[letter.charCodeAt(0)] = i));

/** The numeric code of a letter. */
export function statusCode(letter: SlotStatus): number {
  return CODES[letter.charCodeAt(0)]!;
}

/** The HTML legend text of each letter (mod_status status_handler), in the key's order. */
export const STATUS_LEGEND: ReadonlyArray<readonly [SlotStatus, string]> = [
  ['_', 'Waiting for Connection'],
  ['S', 'Starting up'],
  ['R', 'Reading Request'],
  ['W', 'Sending Reply'],
  ['K', 'Keepalive (read)'],
  ['D', 'DNS Lookup'],
  ['C', 'Closing connection'],
  ['L', 'Logging'],
  ['G', 'Gracefully finishing'],
  ['I', 'Idle cleanup of worker'],
  ['.', 'Open slot with no current process'],
];

/** One thread slot (prefork: the child's only slot). */
export interface WorkerScore {
  status: SlotStatus;
  /** pid and generation of the process using the slot; 0 when none. */
  pid: number;
  generation: number;
  /** Requests and bytes on the current connection (Acc's first number). */
  connCount: number;
  connBytes: number;
  /** Requests and bytes ever served by this slot (kept across children; reset by a hard restart). */
  accessCount: number;
  bytesServed: number;
  /** Requests and bytes served by this slot for the current child (reset when the slot goes DEAD). */
  myAccessCount: number;
  myBytesServed: number;
  /** Epoch ms of the start and end of the most recent request; 0 if none. */
  startTime: number;
  stopTime: number;
  /** Epoch ms of the last READY/DEAD transition or request start/stop. */
  lastUsed: number;
  /** Sum of request durations in ms (httpd keeps µs; mod_status prints ms). */
  durationMs: number;
  /** Client address, request line (first 63 chars), `host:port` vhost, protocol (`http/1.1`). */
  client: string;
  request: string;
  vhost: string;
  protocol: string;
}

/** One child slot. */
export interface ProcessScore {
  /** 0 when the slot holds no process. */
  pid: number;
  generation: number;
  /** The child is going down gracefully (old generation, recycled, surplus). */
  quiescing: boolean;
  /** Event: listeners disabled because of the per-process connection limit. */
  notAccepting: boolean;
  /** Event async counters (also maintained for prefork/worker, where only `connections` moves). */
  connections: number;
  writeCompletion: number;
  keepAlive: number;
  lingeringClose: number;
  suspended: number;
  waitIo: number;
  /** Epoch ms when the child was forked. */
  startedAt: number;
  /** Resident set size in bytes, and CPU seconds (user, system), from the child's last report. */
  rss: number;
  cpuUser: number;
  cpuSystem: number;
}

export interface GlobalScore {
  mpm: MpmName;
  serverName: string;
  serverVersion: string;
  serverBuilt: string;
  /** Epoch ms of the last cold start or hard restart. */
  restartTime: number;
  /** ParentServerConfigGeneration: 1 after the first start, +1 on every restart. */
  configGeneration: number;
  /** ParentServerMPMGeneration = the running generation: 0 at start, +1 per restart. */
  mpmGeneration: number;
  /** The primary's own CPU seconds and its reaped children's (CPUChildrenUser/System). */
  cpuUser: number;
  cpuSystem: number;
  cpuChildrenUser: number;
  cpuChildrenSystem: number;
  /** Connections accepted by the primary and waiting for a child with capacity. */
  acceptQueue: number;
  /**
   * Connections the primary closed as soon as it accepted them, ListenBacklog being already
   * queued (since the pool started listening): what an overflowing listen backlog drops.
   */
  acceptRefused: number;
  extendedStatus: boolean;
}

/** What the MPM query answers (httpd's AP_MPMQ_*), needed to lay out the scoreboard string. */
export interface ScoreboardLimits {
  serverLimit: number;
  /** 1 for prefork. */
  threadLimit: number;
  /** 1 for prefork. */
  threadsPerChild: number;
  maxRequestWorkers: number;
  /** AP_MPMQ_MAX_DAEMONS: MaxRequestWorkers for prefork; floor(MRW / TPC) for worker/event. */
  maxDaemons: number;
}

export interface ScoreboardImage {
  global: GlobalScore;
  limits: ScoreboardLimits;
  /** Length serverLimit. */
  processes: ProcessScore[];
  /** workers[slot][thread]: serverLimit × threadLimit. */
  workers: WorkerScore[][];
}

export function emptyWorkerScore(): WorkerScore {
  return {
    status: '.',
    pid: 0,
    generation: 0,
    connCount: 0,
    connBytes: 0,
    accessCount: 0,
    bytesServed: 0,
    myAccessCount: 0,
    myBytesServed: 0,
    startTime: 0,
    stopTime: 0,
    lastUsed: 0,
    durationMs: 0,
    client: '',
    request: '',
    vhost: '',
    protocol: '',
  };
}

export function emptyProcessScore(): ProcessScore {
  return {
    pid: 0,
    generation: 0,
    quiescing: false,
    notAccepting: false,
    connections: 0,
    writeCompletion: 0,
    keepAlive: 0,
    lingeringClose: 0,
    suspended: 0,
    waitIo: 0,
    startedAt: 0,
    rss: 0,
    cpuUser: 0,
    cpuSystem: 0,
  };
}
