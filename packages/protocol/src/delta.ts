/**
 * Deltas between two status snapshots: only what changed, so a steady 10 Hz stream of a busy
 * 1,024-slot board costs a few kB a second. Both directions are pure functions:
 *
 *   diffSnapshots(prev, next, from) → delta        (server, once per tick for every client)
 *   applyDelta(prev, delta)         → next          (client; deep-equal to the server's next)
 *
 * A delta names the sequence number of the state it applies to (`from`). A client whose state
 * is at another sequence has missed a frame and asks for a full snapshot instead (stream.ts).
 *
 * Per process, a delta either puts the whole process (new child in the slot, or a different
 * number of thread slots after an MPM switch or a ThreadsPerChild change) or patches it: the
 * changed scalar fields, the whole `letters` string when a letter changed, and the changed
 * thread tuples by index.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  MpmNameSchema,
  ProcessInfoSchema,
  ProcessSnapshotSchema,
  SnapshotCountsSchema,
  SnapshotLimitsSchema,
  ThreadCellsSchema,
  type ProcessInfo,
  type ProcessSnapshot,
  type SnapshotCounts,
  type SnapshotLimits,
  type StatusSnapshot,
  type ThreadCells,
} from './snapshot.js';

export const DeltaTopSchema = Type.Partial(
  Type.Object({
    version: Type.String(),
    serverName: Type.String(),
    mpm: MpmNameSchema,
    generation: Type.Integer(),
    configGeneration: Type.Integer(),
    restartTime: Type.Number(),
    acceptQueue: Type.Integer(),
  }),
);
export type DeltaTop = Static<typeof DeltaTopSchema>;

export const ProcessPatchSchema = Type.Object({
  slot: Type.Integer(),
  set: Type.Optional(Type.Partial(Type.Omit(ProcessInfoSchema, ['slot']))),
  letters: Type.Optional(Type.String()),
  /** Changed thread slots: [thread index, its new cells]. */
  threads: Type.Optional(Type.Array(Type.Tuple([Type.Integer(), ThreadCellsSchema]))),
});
export type ProcessPatch = Static<typeof ProcessPatchSchema>;

export const DeltaSchema = Type.Object({
  /** Sequence number of the state this delta applies to. */
  from: Type.Integer(),
  time: Type.Number(),
  top: Type.Optional(DeltaTopSchema),
  counts: Type.Optional(Type.Partial(SnapshotCountsSchema)),
  limits: Type.Optional(SnapshotLimitsSchema),
  /** Slots whose process left the snapshot. */
  removed: Type.Optional(Type.Array(Type.Integer())),
  /** Processes sent whole (new in their slot, or a new thread layout). */
  put: Type.Optional(Type.Array(ProcessSnapshotSchema)),
  patch: Type.Optional(Type.Array(ProcessPatchSchema)),
});
export type Delta = Static<typeof DeltaSchema>;

/** Thrown by applyDelta when a delta does not fit the state it is given: the client must resync. */
export class DeltaMismatchError extends Error {
  readonly code = 'FY_ERR_STREAM_DELTA_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'DeltaMismatchError';
  }
}

const TOP_KEYS = ['version', 'serverName', 'mpm', 'generation', 'configGeneration', 'restartTime', 'acceptQueue'] as const;
const COUNT_KEYS = Object.keys(SnapshotCountsSchema.properties) as Array<keyof SnapshotCounts>;
const LIMIT_KEYS = Object.keys(SnapshotLimitsSchema.properties) as Array<keyof SnapshotLimits>;
const PROCESS_KEYS = (Object.keys(ProcessInfoSchema.properties) as Array<keyof ProcessInfo>).filter((k) => k !== 'slot');

function sameCells(a: ThreadCells, b: ThreadCells): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}

function changedFields<T extends object, K extends keyof T>(prev: T, next: T, keys: readonly K[]): Partial<Pick<T, K>> | null {
  let out: Partial<Pick<T, K>> | null = null;
  for (const k of keys) {
    if (prev[k] === next[k]) continue;
    out ??= {};
    out[k] = next[k];
  }
  return out;
}

function patchProcess(prev: ProcessSnapshot, next: ProcessSnapshot): ProcessPatch | null {
  const patch: ProcessPatch = { slot: next.slot };
  let changed = false;
  const set = changedFields(prev, next, PROCESS_KEYS);
  if (set) {
    patch.set = set;
    changed = true;
  }
  if (prev.letters !== next.letters) {
    patch.letters = next.letters;
    changed = true;
  }
  for (let t = 0; t < next.threads.length; t++) {
    const cells = next.threads[t]!;
    if (!sameCells(prev.threads[t]!, cells)) {
      (patch.threads ??= []).push([t, cells]);
      changed = true;
    }
  }
  return changed ? patch : null;
}

/** What changed from `prev` to `next`; applying it to a state at sequence `from` gives `next`. */
export function diffSnapshots(prev: StatusSnapshot, next: StatusSnapshot, from = 0): Delta {
  const delta: Delta = { from, time: next.time };
  const top = changedFields(prev, next, TOP_KEYS);
  if (top) delta.top = top;
  const counts = changedFields(prev.counts, next.counts, COUNT_KEYS);
  if (counts) delta.counts = counts;
  if (changedFields(prev.limits, next.limits, LIMIT_KEYS)) delta.limits = { ...next.limits };

  const before = new Map(prev.processes.map((p) => [p.slot, p]));
  for (const p of next.processes) {
    const old = before.get(p.slot);
    before.delete(p.slot);
    if (!old || old.pid !== p.pid || old.threads.length !== p.threads.length || old.letters.length !== p.letters.length) {
      (delta.put ??= []).push(p);
      continue;
    }
    const patch = patchProcess(old, p);
    if (patch) (delta.patch ??= []).push(patch);
  }
  if (before.size > 0) delta.removed = [...before.keys()];
  return delta;
}

function applyPatch(p: ProcessSnapshot, patch: ProcessPatch): ProcessSnapshot {
  const next: ProcessSnapshot = { ...p, ...patch.set };
  if (patch.letters !== undefined) {
    if (patch.letters.length !== p.letters.length) {
      throw new DeltaMismatchError(`slot ${p.slot} has ${p.letters.length} thread slots, the delta ${patch.letters.length}`);
    }
    next.letters = patch.letters;
  }
  if (patch.threads) {
    const threads = p.threads.slice();
    for (const [t, cells] of patch.threads) {
      if (t < 0 || t >= threads.length) throw new DeltaMismatchError(`slot ${p.slot} has no thread slot ${t}`);
      threads[t] = cells;
    }
    next.threads = threads;
  }
  return next;
}

/**
 * `state` moved on by `delta`. Pure: `state` is not changed, and processes the delta leaves
 * alone are the same objects in the result (cheap equality checks for selectors). Throws
 * DeltaMismatchError when the delta cannot belong to this state.
 */
export function applyDelta(state: StatusSnapshot, delta: Delta): StatusSnapshot {
  const removed = new Set(delta.removed);
  const puts = new Map((delta.put ?? []).map((p) => [p.slot, p]));
  const patches = new Map((delta.patch ?? []).map((p) => [p.slot, p]));
  const processes: ProcessSnapshot[] = [];
  let sorted = true;
  for (const p of state.processes) {
    if (removed.has(p.slot)) continue;
    const put = puts.get(p.slot);
    if (put) {
      processes.push(put);
      puts.delete(p.slot);
      continue;
    }
    const patch = patches.get(p.slot);
    if (patch) patches.delete(p.slot);
    processes.push(patch ? applyPatch(p, patch) : p);
  }
  if (patches.size > 0) throw new DeltaMismatchError(`the delta patches slot ${[...patches.keys()][0]}, which the state does not hold`);
  for (const p of puts.values()) {
    sorted = false;
    processes.push(p);
  }
  if (!sorted) processes.sort((a, b) => a.slot - b.slot);
  return {
    ...state,
    ...delta.top,
    time: delta.time,
    counts: delta.counts ? { ...state.counts, ...delta.counts } : state.counts,
    limits: delta.limits ?? state.limits,
    processes,
  };
}

/** True when a delta carries nothing but the time. */
export function isEmptyDelta(delta: Delta): boolean {
  return !delta.top && !delta.counts && !delta.limits && !delta.removed && !delta.put && !delta.patch;
}
