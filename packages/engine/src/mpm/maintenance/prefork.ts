/**
 * Prefork pool regulation: one child per slot, so idle children are counted, not threads.
 * Pure: the primary's loop forks into `plan.spawn`, signals `plan.stop` and writes `plan.log`.
 *
 * @see httpd server/mpm/prefork/prefork.c perform_idle_server_maintenance, startup_children
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

interface PreforkCensus {
  /** Every free slot below MaxRequestWorkers, lowest first. */
  free: number[];
  idle: number;
  active: number;
  live: number;
  lastLive: number;
  /** The child a surplus pass stops, or null when no current-generation child is idle. */
  victim: number | null;
}

/** `_ R W K L D C`: SERVER_READY <= status < SERVER_GRACEFUL. */
const ACTIVE: ReadonlySet<SlotStatus> = new Set<SlotStatus>(['_', 'R', 'W', 'K', 'L', 'D', 'C']);

function slotStatus(image: ScoreboardImage, slot: number): SlotStatus {
  return image.workers[slot]?.[0]?.status ?? '.';
}

/**
 * A slot is free when it is DEAD and no process holds it. A forked child whose first status
 * report has not arrived yet (pid set, still `.`) is treated as starting (`S`), so it is
 * neither forked over nor missing from the idle count.
 */
function isFreeSlot(image: ScoreboardImage, slot: number): boolean {
  return slotStatus(image, slot) === '.' && image.processes[slot].pid === 0;
}

function census(image: ScoreboardImage, directives: EffectiveDirectives): PreforkCensus {
  const limit = Math.min(directives.MaxRequestWorkers, image.processes.length);
  const generation = image.global.mpmGeneration;
  const seen: PreforkCensus = { free: [], idle: 0, active: 0, live: 0, lastLive: -1, victim: null };
  let victimRank = 0;
  for (let slot = 0; slot < limit; slot++) {
    if (isFreeSlot(image, slot)) {
      seen.free.push(slot);
      continue;
    }
    const ps = image.processes[slot];
    const raw = slotStatus(image, slot);
    const status: SlotStatus = raw === '.' ? 'S' : raw;
    const idle = (status === 'S' || status === '_') && !ps.quiescing;
    if (idle) seen.idle++;
    if (ACTIVE.has(status)) seen.active++;
    seen.live++;
    seen.lastLive = slot;
    // httpd stops whichever child reads the pod first; we stop the highest idle child of
    // the current generation, preferring one that is ready over one still starting.
    if (idle && ps.generation === generation) {
      const rank = status === '_' ? 2 : 1;
      if (rank >= victimRank) {
        victimRank = rank;
        seen.victim = slot;
      }
    }
  }
  return seen;
}

/** Free slots for a start-up or restart batch: DEAD slots below MaxRequestWorkers, lowest first. */
export function preforkStartupSlots(image: ScoreboardImage, directives: EffectiveDirectives, count: number): number[] {
  const limit = Math.min(directives.MaxRequestWorkers, image.processes.length);
  const slots: number[] = [];
  for (let slot = 0; slot < limit && slots.length < count; slot++) {
    if (isFreeSlot(image, slot)) slots.push(slot);
  }
  return slots;
}

/** Cold start: min(StartServers, MaxRequestWorkers) children into the lowest free slots. */
export function preforkStartupChildren(image: ScoreboardImage, directives: EffectiveDirectives): number[] {
  return preforkStartupSlots(image, directives, Math.min(directives.StartServers, directives.MaxDaemons));
}

function highestPlusOne(slots: readonly number[], floor: number): number {
  return slots.reduce((max, slot) => Math.max(max, slot + 1), floor);
}

export function preforkMaintenance(input: MaintenanceInput): MaintenancePlan {
  const { image, directives, retained } = input;
  const seen = census(image, directives);
  const counts = { idle: seen.idle, active: seen.active, totalChildren: seen.live };
  const next: RetainedState = { ...retained, reported: [...retained.reported], maxDaemonsUsed: seen.lastLive + 1 };
  const log: MaintenanceLog[] = [];

  // After a graceful restart: the first pass with no exits forks the rest of StartServers
  // and decides nothing else, since the children it just forked are not idle yet.
  if (retained.remainingChildrenToStart > 0) {
    const want = Math.min(retained.remainingChildrenToStart, directives.MaxDaemons);
    const spawn = preforkStartupSlots(image, directives, want);
    next.remainingChildrenToStart = 0;
    next.maxDaemonsUsed = highestPlusOne(spawn, next.maxDaemonsUsed);
    return { spawn, stop: null, log, retained: next, ...counts };
  }

  const rate = retained.idleSpawnRate;
  if (seen.idle > directives.MaxSpareServers) {
    next.idleSpawnRate = 1;
    return { spawn: [], stop: seen.victim, log, retained: next, ...counts };
  }
  if (seen.idle >= directives.MinSpareServers) {
    next.idleSpawnRate = 1;
    return { spawn: [], stop: null, log, retained: next, ...counts };
  }

  const spawn = seen.free.slice(0, rate);
  if (spawn.length === 0) {
    // Fires whenever every slot is taken, even with some children idle.
    if (!next.reported.includes('AH00161')) {
      next.reported.push('AH00161');
      log.push({
        level: 'error',
        id: 'AH00161',
        message: 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting',
      });
    }
    next.idleSpawnRate = 1;
    return { spawn, stop: null, log, retained: next, ...counts };
  }

  if (rate >= 8) {
    log.push({
      level: 'info',
      id: 'AH00162',
      message:
        'server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), ' +
        `spawning ${rate} children, there are ${seen.idle} idle, and ${seen.live} total children`,
    });
  }
  next.maxDaemonsUsed = highestPlusOne(spawn, next.maxDaemonsUsed);
  if (retained.holdOffOnExponentialSpawning > 0) {
    next.holdOffOnExponentialSpawning = retained.holdOffOnExponentialSpawning - 1;
  } else if (rate < MAX_SPAWN_RATE) {
    next.idleSpawnRate = Math.min(rate * 2, MAX_SPAWN_RATE);
  }
  return { spawn, stop: null, log, retained: next, ...counts };
}
