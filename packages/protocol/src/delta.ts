/**
 * Deltas between two status snapshots: only what changed, so a steady 10 Hz stream of a busy
 * 1,024-slot board stays small (about 8 kB of JSON a tick, 1.3 kB once the stream's
 * permessage-deflate has it). Both directions are pure functions:
 *
 *   diffSnapshots(prev, next, from) → delta        (server, once per tick for every client)
 *   applyDelta(prev, delta)         → next          (client; deep-equal to the server's next)
 *
 * A delta names the sequence number of the state it applies to (`from`). A client whose state
 * is at another sequence has missed a frame and asks for a full snapshot instead (stream.ts).
 *
 * Per process, a delta either puts the whole process (new child in the slot, or a different
 * number of thread slots after an MPM switch or a ThreadsPerChild change) or patches it: the
 * changed scalar fields, and per changed thread slot its new letter and only the cells that
 * changed. Counters travel as how much they moved (`1`, `183`), not as their new totals: on a
 * loaded board most of a changed slot is counters, and small numbers are what a compressed
 * stream carries cheaply.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  MpmNameSchema,
  ProcessInfoSchema,
  ProcessSnapshotSchema,
  SnapshotCountsSchema,
  SnapshotLimitsSchema,
  THREAD_CONN_COUNT,
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
    acceptRefused: Type.Integer(),
  }),
);
export type DeltaTop = Static<typeof DeltaTopSchema>;

/**
 * One changed thread slot: its index, its new letter ('' when the letter stayed), then the
 * changed cells as (cell index, value) pairs. A counter cell (connCount … slotBytes) carries
 * how much it moved; the others carry their new value. When a counter's move would not add
 * back exactly (past 2^53, or fractional), the slot's whole new tuple comes instead.
 *
 *   [17, 'K', 3, 0, 4, 52, 5, 1800000000287, 6, 1, 7, 1, 8, 1, 9, 183, 10, 183, 11, 183]
 *   [18, 'W', 0, 'GET / HTTP/1.1', 3, 1800000000301, 5, 1800000000301]
 *   [19, '', [request, client, vhost, started, …]]
 */
export const ThreadPatchSchema = Type.Union([
  Type.Tuple([Type.Integer(), Type.String(), ThreadCellsSchema]),
  Type.Array(Type.Union([Type.Number(), Type.String()]), { minItems: 2 }),
]);
export type ThreadPatch = Static<typeof ThreadPatchSchema>;

export const ProcessPatchSchema = Type.Object({
  slot: Type.Integer(),
  set: Type.Optional(Type.Partial(Type.Omit(ProcessInfoSchema, ['slot']))),
  /** Changed thread slots, by index. */
  threads: Type.Optional(Type.Array(ThreadPatchSchema)),
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

const TOP_KEYS = ['version', 'serverName', 'mpm', 'generation', 'configGeneration', 'restartTime', 'acceptQueue', 'acceptRefused'] as const;
const COUNT_KEYS = Object.keys(SnapshotCountsSchema.properties) as Array<keyof SnapshotCounts>;
const LIMIT_KEYS = Object.keys(SnapshotLimitsSchema.properties) as Array<keyof SnapshotLimits>;
const PROCESS_KEYS = (Object.keys(ProcessInfoSchema.properties) as Array<keyof ProcessInfo>).filter((k) => k !== 'slot');

/** Cells from this index on are counters, sent as how much they moved. */
const FIRST_COUNTER = THREAD_CONN_COUNT;

function patchThread(t: number, prevLetter: string | undefined, nextLetter: string, prev: ThreadCells, next: ThreadCells): ThreadPatch | null {
  const letter = prevLetter === nextLetter ? '' : nextLetter;
  let patch: Array<number | string> | null = letter === '' ? null : [t, letter];
  for (let i = 0; i < next.length; i++) {
    const before = prev[i]!;
    const after = next[i]!;
    if (before === after) continue;
    patch ??= [t, letter];
    if (i < FIRST_COUNTER) {
      patch.push(i, after);
      continue;
    }
    const by = (after as number) - (before as number);
    // The client adds `by` to what it holds: it must land exactly on `after`.
    if ((before as number) + by !== after) return [t, letter, next];
    patch.push(i, by);
  }
  return patch;
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
  const sameLetters = prev.letters === next.letters;
  for (let t = 0; t < next.threads.length; t++) {
    const cells = next.threads[t]!;
    const old = prev.threads[t]!;
    if (old === cells && sameLetters) continue;
    const thread = patchThread(t, prev.letters[t], next.letters[t] ?? '', old, cells);
    if (thread) {
      (patch.threads ??= []).push(thread);
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

function applyThreadPatch(slot: number, cells: ThreadCells, patch: ThreadPatch): ThreadCells {
  if (patch.length === 3 && Array.isArray(patch[2])) return patch[2];
  const next = cells.slice() as Array<number | string>;
  for (let k = 2; k < patch.length; k += 2) {
    const i = patch[k];
    const value = patch[k + 1];
    if (typeof i !== 'number' || !(i >= 0 && i < next.length) || (typeof value !== 'number' && typeof value !== 'string') || typeof value !== typeof next[i]) {
      throw new DeltaMismatchError(`slot ${slot}: the delta's cell ${String(i)} = ${JSON.stringify(value)} does not fit thread ${String(patch[0])}`);
    }
    next[i] = i < FIRST_COUNTER ? value : (next[i] as number) + (value as number);
  }
  return next as ThreadCells;
}

function applyPatch(p: ProcessSnapshot, patch: ProcessPatch): ProcessSnapshot {
  const next: ProcessSnapshot = { ...p, ...patch.set };
  if (patch.threads) {
    const threads = p.threads.slice();
    let letters: string[] | null = null;
    for (const thread of patch.threads) {
      const t = thread[0];
      const letter = thread[1];
      if (typeof t !== 'number' || t < 0 || t >= threads.length) throw new DeltaMismatchError(`slot ${p.slot} has no thread slot ${String(t)}`);
      if (typeof letter !== 'string' || letter.length > 1) throw new DeltaMismatchError(`slot ${p.slot}: ${JSON.stringify(letter)} is not a status letter`);
      threads[t] = applyThreadPatch(p.slot, threads[t]!, thread);
      if (letter !== '') (letters ??= p.letters.split(''))[t] = letter;
    }
    next.threads = threads;
    if (letters) next.letters = letters.join('');
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
