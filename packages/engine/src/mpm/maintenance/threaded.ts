/**
 * Worker and event pool regulation: idle *threads* are counted, whole children are forked and
 * stopped. One listener bucket (B = 1). Pure: the primary's loop acts on the plan.
 *
 * @see httpd server/mpm/worker/worker.c perform_idle_server_maintenance, startup_children
 * @see httpd server/mpm/event/event.c perform_idle_server_maintenance, startup_children
 */
import type { EffectiveDirectives } from '../../directives/types.js';
import type { ScoreboardImage, SlotStatus } from '../../scoreboard/types.js';
import {
  MAX_SPAWN_RATE,
  type MaintenanceInput,
  type MaintenanceLog,
  type MaintenancePlan,
  type RetainedState,
} from '../maintenance-types.js';

type ThreadedMpm = 'worker' | 'event';

/** What one pass sees in one child slot. */
interface SlotView {
  slot: number;
  live: boolean;
  quiescing: boolean;
  currentGeneration: boolean;
  /** Threads that count as idle under this MPM's rule. */
  idle: number;
  /** Threads in `_ R W K L D C`. */
  active: number;
  anyDead: boolean;
  allDeadOrGraceful: boolean;
}

interface ThreadedCensus {
  views: SlotView[];
  idle: number;
  active: number;
  /** Processes in the scanned slots (event: total_daemons). */
  total: number;
  /** Of those, not stopping (event: active_daemons). */
  activeDaemons: number;
  lastLive: number;
}

const ACTIVE: ReadonlySet<SlotStatus> = new Set<SlotStatus>(['_', 'R', 'W', 'K', 'L', 'D', 'C']);
/** SERVER_DEAD, SERVER_STARTING, SERVER_READY: `status <= SERVER_READY` is "idle or starting". */
const IDLE_OR_STARTING: ReadonlySet<SlotStatus> = new Set<SlotStatus>(['.', 'S', '_']);

/** Worker looks only at the D active slots; event's stopping children may use up to ServerLimit. */
function scanLimit(mpm: ThreadedMpm, image: ScoreboardImage, directives: EffectiveDirectives): number {
  const limit = mpm === 'worker' ? directives.MaxDaemons : directives.ServerLimit;
  return Math.min(limit, image.processes.length);
}

function census(mpm: ThreadedMpm, image: ScoreboardImage, directives: EffectiveDirectives): ThreadedCensus {
  const generation = image.global.mpmGeneration;
  const seen: ThreadedCensus = { views: [], idle: 0, active: 0, total: 0, activeDaemons: 0, lastLive: -1 };
  const limit = scanLimit(mpm, image, directives);
  for (let slot = 0; slot < limit; slot++) {
    const ps = image.processes[slot];
    const live = ps.pid !== 0;
    // A thread not created yet (`.`) in a live child counts as starting, as in httpd: the
    // child was forked a pass ago, and forking more would only swamp things worse.
    const countsIdle =
      live && !ps.quiescing && ps.generation === generation && (mpm === 'worker' || !ps.notAccepting);
    const view: SlotView = {
      slot,
      live,
      quiescing: ps.quiescing,
      currentGeneration: ps.generation === generation,
      idle: 0,
      active: 0,
      anyDead: false,
      allDeadOrGraceful: true,
    };
    for (let thread = 0; thread < directives.ThreadsPerChild; thread++) {
      const status = image.workers[slot]?.[thread]?.status ?? '.';
      view.anyDead ||= status === '.';
      view.allDeadOrGraceful &&= status === '.' || status === 'G';
      if (countsIdle && IDLE_OR_STARTING.has(status)) view.idle++;
      if (live && ACTIVE.has(status)) view.active++;
    }
    seen.views.push(view);
    seen.idle += view.idle;
    seen.active += view.active;
    if (live) {
      seen.total++;
      if (!ps.quiescing) seen.activeDaemons++;
      seen.lastLive = slot;
    }
  }
  return seen;
}

/**
 * Slots a maintenance pass may fork into, in preference order, at most `rate`.
 * Worker may squat on the slot of a quiescing child; slots whose threads are all gone (`.` or
 * `G`) come first, because the new child can start all its threads sooner. Event forks only
 * into empty slots.
 */
function spawnCandidates(mpm: ThreadedMpm, views: readonly SlotView[], rate: number): number[] {
  if (mpm === 'event') return views.filter((v) => !v.live).slice(0, rate).map((v) => v.slot);
  const totallyFree: number[] = [];
  const inUse: number[] = [];
  for (const v of views) {
    if (!v.anyDead || (v.live && !v.quiescing)) continue;
    (v.allDeadOrGraceful ? totallyFree : inUse).push(v.slot);
  }
  return [...totallyFree, ...inUse].slice(0, rate);
}

/** The child a surplus pass stops: the current-generation child with the most idle threads. */
function pickVictim(views: readonly SlotView[]): number | null {
  let best: SlotView | null = null;
  for (const v of views) {
    if (!v.live || v.quiescing || !v.currentGeneration || v.idle === 0) continue;
    if (best === null || v.idle >= best.idle) best = v;
  }
  return best?.slot ?? null;
}

/** Empty slots for a start-up or restart batch, lowest first (never squats). */
export function threadedStartupSlots(
  mpm: ThreadedMpm,
  image: ScoreboardImage,
  directives: EffectiveDirectives,
  count: number,
): number[] {
  const limit = scanLimit(mpm, image, directives);
  const slots: number[] = [];
  for (let slot = 0; slot < limit && slots.length < count; slot++) {
    if (image.processes[slot].pid === 0) slots.push(slot);
  }
  return slots;
}

/** Cold start: min(StartServers, D) children into the lowest empty slots. */
export function threadedStartupChildren(
  mpm: ThreadedMpm,
  image: ScoreboardImage,
  directives: EffectiveDirectives,
): number[] {
  return threadedStartupSlots(mpm, image, directives, Math.min(directives.StartServers, directives.MaxDaemons));
}

const MRW_REACHED = 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting';
const MRW_NEAR = 'server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting';
const BUSY = 'server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads)';

const IDS = {
  worker: { reached: 'AH00286', near: 'AH00287', full: 'AH00288', busy: 'AH00289' },
  event: { reached: 'AH00484', near: 'AH10159', full: 'AH03490', busy: 'AH00486' },
} as const;

const FULL_MESSAGE: Record<ThreadedMpm, string> = {
  worker: 'scoreboard is full, not at MaxRequestWorkers',
  event: 'scoreboard is full, not at MaxRequestWorkers.Increase ServerLimit.',
};

function logOnce(next: RetainedState, log: MaintenanceLog[], id: string, message: string): void {
  if (next.reported.includes(id)) return;
  next.reported.push(id);
  log.push({ level: 'error', id, message });
}

function maintain(mpm: ThreadedMpm, input: MaintenanceInput): MaintenancePlan {
  const { image, directives, retained } = input;
  const seen = census(mpm, image, directives);
  const counts = { idle: seen.idle, active: seen.active, totalChildren: seen.total };
  const next: RetainedState = { ...retained, reported: [...retained.reported], maxDaemonsUsed: seen.lastLive + 1 };
  const log: MaintenanceLog[] = [];
  const ids = IDS[mpm];
  const D = directives.MaxDaemons;
  const plan = (spawn: number[], stop: number | null): MaintenancePlan => {
    next.maxDaemonsUsed = spawn.reduce((max, slot) => Math.max(max, slot + 1), next.maxDaemonsUsed);
    return { spawn: [...spawn].sort((a, b) => a - b), stop, log, retained: next, ...counts };
  };

  // After a graceful restart: fork the rest of StartServers and decide nothing else this pass.
  if (retained.remainingChildrenToStart > 0) {
    const want = Math.min(retained.remainingChildrenToStart, D);
    next.remainingChildrenToStart = 0;
    return plan(threadedStartupSlots(mpm, image, directives, want), null);
  }

  const rate = retained.idleSpawnRate;
  if (seen.idle > directives.MaxSpareThreads) {
    // Event keeps slack for a graceful restart: it stops nobody while another child is still
    // stopping, unless enough spare slots remain.
    const mayStop =
      mpm === 'worker' ||
      seen.activeDaemons === seen.total ||
      directives.ServerLimit - seen.total > D;
    next.idleSpawnRate = 1;
    return plan([], mayStop ? pickVictim(seen.views) : null);
  }
  if (seen.idle >= directives.MinSpareThreads) {
    next.idleSpawnRate = 1;
    return plan([], null);
  }

  const free = spawnCandidates(mpm, seen.views, rate);
  const atMaxRequestWorkers = seen.active >= directives.MaxRequestWorkers;
  // Worker asks "is the scoreboard full?" first and only then why; event refuses at
  // MaxRequestWorkers even with free slots. The messages are the same either way.
  if (free.length === 0 || (mpm === 'event' && atMaxRequestWorkers)) {
    if (!atMaxRequestWorkers) log.push({ level: 'error', id: ids.full, message: FULL_MESSAGE[mpm] });
    else if (seen.idle === 0) logOnce(next, log, ids.reached, MRW_REACHED);
    else logOnce(next, log, ids.near, MRW_NEAR);
    next.idleSpawnRate = 1;
    return plan([], null);
  }

  let n = Math.min(free.length, rate);
  if (mpm === 'event' && n + seen.activeDaemons > D) {
    if (seen.activeDaemons < D) {
      n = D - seen.activeDaemons;
    } else {
      // At the active-daemons limit: reset the rate, and the extra hold-off stops the
      // doubling below from growing it again.
      n = 0;
      next.idleSpawnRate = 1;
      next.holdOffOnExponentialSpawning++;
    }
  }
  if (next.idleSpawnRate >= 8) {
    const message =
      mpm === 'worker'
        ? `${BUSY}, spawning ${n} children, there are around ${seen.idle} idle threads, ` +
          `and ${seen.total} total children`
        : `${BUSY}, spawning ${n} children, there are around ${seen.idle} idle threads, ` +
          `${seen.activeDaemons} active children, and ${seen.total} children that are shutting down`;
    log.push({ level: 'info', id: ids.busy, message });
  }
  if (next.holdOffOnExponentialSpawning > 0) {
    next.holdOffOnExponentialSpawning--;
  } else if (next.idleSpawnRate < MAX_SPAWN_RATE) {
    next.idleSpawnRate = Math.min(next.idleSpawnRate * 2, MAX_SPAWN_RATE);
  }
  return plan(free.slice(0, n), null);
}

export function workerMaintenance(input: MaintenanceInput): MaintenancePlan {
  return maintain('worker', input);
}

export function eventMaintenance(input: MaintenanceInput): MaintenancePlan {
  return maintain('event', input);
}
