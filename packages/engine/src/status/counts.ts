/**
 * What mod_status derives from the scoreboard before it prints anything: worker counts, the
 * async connection sums, the extended-status totals and the scoreboard string. Both layouts
 * (`?auto` and HTML) read these, so the two can never disagree.
 *
 * @see httpd modules/generators/mod_status.c (status_handler, first loop over the slots)
 */
import type { ScoreboardImage, SlotStatus, WorkerScore } from '../scoreboard/types.js';
import { emptyWorkerScore } from '../scoreboard/types.js';

export interface WorkerCounts {
  busy: number;
  graceful: number;
  idle: number;
  /** Slots with pid ≠ 0, stopping ones included. */
  processes: number;
  /** Slots with pid ≠ 0 that are quiescing. */
  stopping: number;
  connsTotal: number;
  connsAsyncWaitIO: number;
  connsAsyncWriting: number;
  connsAsyncKeepAlive: number;
  connsAsyncClosing: number;
  /** Σ accessCount over every slot (dead and old-generation slots too). */
  totalAccesses: number;
  totalBytes: number;
  totalDurationMs: number;
}

/** One child slot's threads, as the per-process table shows them. */
export interface ProcessThreadCounts {
  busy: number;
  graceful: number;
  idle: number;
}

/** Stands in for a slot missing from a short image; never handed out for writing. */
const EMPTY_WORKER: WorkerScore = Object.freeze(emptyWorkerScore());

/** A DEAD slot beyond MaxRequestWorkers: httpd's private SERVER_DISABLED, printed as nothing. */
export const DISABLED_FLAG = ' ';

export function workerAt(image: ScoreboardImage, slot: number, thread: number): WorkerScore {
  return image.workers[slot]?.[thread] ?? EMPTY_WORKER;
}

/** Any letter but `. S I _` (callers test `G` first): the slot holds or finishes a connection. */
function isBusyStatus(status: SlotStatus): boolean {
  return status !== '.' && status !== 'S' && status !== 'I' && status !== '_';
}

/**
 * httpd's worker counting rule. A slot counts only if its process is alive (pid ≠ 0) and not
 * quiescing; `_` is idle only in the current MPM generation; `G` is graceful; every other
 * letter but `. S I` is busy whatever its generation. The extended totals add up every slot.
 */
export function countWorkers(image: ScoreboardImage): WorkerCounts {
  const { serverLimit, threadLimit } = image.limits;
  const counts: WorkerCounts = {
    busy: 0,
    graceful: 0,
    idle: 0,
    processes: 0,
    stopping: 0,
    connsTotal: 0,
    connsAsyncWaitIO: 0,
    connsAsyncWriting: 0,
    connsAsyncKeepAlive: 0,
    connsAsyncClosing: 0,
    totalAccesses: 0,
    totalBytes: 0,
    totalDurationMs: 0,
  };
  for (let i = 0; i < serverLimit; i++) {
    const ps = image.processes[i];
    // httpd's prefork never sets quiescing: an old prefork child finishing its connection
    // counts as G (GracefulWorkers) or busy. The primary's own flag must not hide it.
    const counted = ps !== undefined && ps.pid !== 0 && (!ps.quiescing || image.global.mpm === 'prefork');
    for (let j = 0; j < threadLimit; j++) {
      const ws = workerAt(image, i, j);
      if (counted) {
        if (ws.status === '_') {
          if (ps.generation === image.global.mpmGeneration) counts.idle++;
        } else if (ws.status === 'G') {
          counts.graceful++;
        } else if (isBusyStatus(ws.status)) {
          counts.busy++;
        }
      }
      // httpd adds a slot's counters only when it has served or is doing something.
      if (ws.accessCount !== 0 || (ws.status !== '_' && ws.status !== '.')) {
        counts.totalAccesses += ws.accessCount;
        counts.totalBytes += ws.bytesServed;
        counts.totalDurationMs += ws.durationMs;
      }
    }
    if (ps !== undefined && ps.pid !== 0) {
      counts.processes++;
      if (ps.quiescing) counts.stopping++;
      counts.connsTotal += ps.connections;
      counts.connsAsyncWaitIO += ps.waitIo;
      counts.connsAsyncWriting += ps.writeCompletion;
      counts.connsAsyncKeepAlive += ps.keepAlive;
      counts.connsAsyncClosing += ps.lingeringClose;
    }
  }
  return counts;
}

/**
 * Busy/graceful/idle threads of one child slot, as the per-process table's row shows them.
 * A quiescing process shows 0/0/0. Unlike the global IdleWorkers, the row's idle count does
 * not check the generation.
 */
export function processThreadCounts(image: ScoreboardImage, slot: number): ProcessThreadCounts {
  const row: ProcessThreadCounts = { busy: 0, graceful: 0, idle: 0 };
  const ps = image.processes[slot];
  if (ps === undefined || ps.pid === 0 || ps.quiescing) return row;
  for (let j = 0; j < image.limits.threadLimit; j++) {
    const { status } = workerAt(image, slot, j);
    if (status === '_') row.idle++;
    else if (status === 'G') row.graceful++;
    else if (isBusyStatus(status)) row.busy++;
  }
  return row;
}

/**
 * One flag per (slot, thread), slot-major: the status letter, or DISABLED_FLAG for a DEAD
 * slot beyond MaxDaemons or ThreadsPerChild. Live slots beyond the limits keep their letter.
 */
export function slotFlags(image: ScoreboardImage): string[] {
  const { serverLimit, threadLimit, maxDaemons } = image.limits;
  // mod_status works around MPMs that answer 0 threads per child.
  const threadsPerChild = image.limits.threadsPerChild || 1;
  const flags: string[] = [];
  for (let i = 0; i < serverLimit; i++) {
    for (let j = 0; j < threadLimit; j++) {
      const { status } = workerAt(image, i, j);
      const beyond = i >= maxDaemons || j >= threadsPerChild;
      flags.push(beyond && status === '.' ? DISABLED_FLAG : status);
    }
  }
  return flags;
}

/** The `Scoreboard:` string: every flag except the disabled ones, on one line. */
export function scoreboardString(image: ScoreboardImage): string {
  return slotFlags(image)
    .filter((flag) => flag !== DISABLED_FLAG)
    .join('');
}

/** Whole seconds since the last cold start or hard restart (never negative). */
export function uptimeSeconds(image: ScoreboardImage, now: number): number {
  return Math.max(0, Math.floor((now - image.global.restartTime) / 1000));
}

/** CPU time in clock ticks (100 per second, as `times()` counts on Linux). */
export const CLOCK_TICKS = 100;

export interface CpuTicks {
  user: number;
  system: number;
  childrenUser: number;
  childrenSystem: number;
}

/** clock_t ticks divided by the (float) tick rate, as mod_status divides them. */
export function tickSeconds(ticks: number): number {
  return Math.fround(Math.fround(ticks) / CLOCK_TICKS);
}

function ticks(seconds: number): number {
  // times() truncates; the epsilon keeps 0.29 s from becoming 28 ticks.
  return Math.floor(seconds * CLOCK_TICKS + 1e-6);
}

/**
 * CPUUser/CPUSystem/CPUChildrenUser/CPUChildrenSystem in ticks: the primary's own times plus
 * those of every live child (reaped children are already in the primary's children times).
 */
export function cpuTicks(image: ScoreboardImage): CpuTicks {
  const g = image.global;
  const cpu: CpuTicks = {
    user: ticks(g.cpuUser),
    system: ticks(g.cpuSystem),
    childrenUser: ticks(g.cpuChildrenUser),
    childrenSystem: ticks(g.cpuChildrenSystem),
  };
  for (const ps of image.processes) {
    if (ps.pid === 0) continue;
    cpu.user += ticks(ps.cpuUser);
    cpu.system += ticks(ps.cpuSystem);
  }
  return cpu;
}

/** A slot's CPU seconds for the per-worker table: its process's, or 0 once the slot is DEAD. */
export function workerCpuTicks(image: ScoreboardImage, slot: number, ws: WorkerScore): CpuTicks {
  const ps = image.processes[slot];
  if (ws.status === '.' || ps === undefined || ps.pid === 0) {
    return { user: 0, system: 0, childrenUser: 0, childrenSystem: 0 };
  }
  return { user: ticks(ps.cpuUser), system: ticks(ps.cpuSystem), childrenUser: 0, childrenSystem: 0 };
}

/**
 * The ExtendedStatus figures, computed in C `float` where mod_status does (hence the
 * `Math.fround`s), so that `%g` prints the same digits httpd would.
 */
export interface ExtendedFigures {
  uptime: number;
  accesses: number;
  kBytes: number;
  durationMs: number;
  cpuUser: number;
  cpuSystem: number;
  cpuChildrenUser: number;
  cpuChildrenSystem: number;
  /** Only when the CPU tick total is not 0 (Infinity when uptime is 0, as in httpd). */
  cpuLoad?: number;
  /** Only when uptime > 0. */
  reqPerSec?: number;
  bytesPerSec?: number;
  /** Only when accesses > 0. */
  bytesPerReq?: number;
  durationPerReq?: number;
}

export function extendedFigures(image: ScoreboardImage, now: number, counts: WorkerCounts): ExtendedFigures {
  const f = Math.fround;
  const uptime = uptimeSeconds(image, now);
  const accesses = counts.totalAccesses;
  const kBytes = Math.floor(counts.totalBytes / 1024);
  const durationMs = Math.floor(counts.totalDurationMs);
  const cpu = cpuTicks(image);
  const figures: ExtendedFigures = {
    uptime,
    accesses,
    kBytes,
    durationMs,
    cpuUser: tickSeconds(cpu.user),
    cpuSystem: tickSeconds(cpu.system),
    cpuChildrenUser: tickSeconds(cpu.childrenUser),
    cpuChildrenSystem: tickSeconds(cpu.childrenSystem),
  };
  const cpuTotal = cpu.user + cpu.system + cpu.childrenUser + cpu.childrenSystem;
  if (cpuTotal !== 0) figures.cpuLoad = f(tickSeconds(cpuTotal) / f(uptime)) * 100;
  const kib = f(1024 * f(kBytes));
  if (uptime > 0) {
    figures.reqPerSec = f(f(accesses) / f(uptime));
    figures.bytesPerSec = f(kib / f(uptime));
  }
  if (accesses > 0) {
    figures.bytesPerReq = f(kib / f(accesses));
    figures.durationPerReq = f(f(durationMs) / f(accesses));
  }
  return figures;
}
