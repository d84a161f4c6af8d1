/**
 * The grid's shape: one row per child slot up to ServerLimit, so growth and shrinkage show as
 * rows filling and emptying, and one column per thread slot (wider while an older, wider
 * generation still finishes). Pure.
 *
 *   slot 0  pid 4101 gen 3  ▕_ W K _ _ …▏   live child (older generations dimmed)
 *   slot 1  open            ▕. . . . . …▏   empty capacity within MaxRequestWorkers
 *   slot 9  beyond limit    ▕           ▏   above MaxRequestWorkers (ServerLimit headroom)
 */
import type { ProcessSnapshot, StatusSnapshot } from '@forkyard/protocol';

export type RowKind = 'child' | 'open' | 'beyond';

export interface RowShape {
  slot: number;
  kind: RowKind;
  pid: number;
  generation: number;
  /** An older generation, finishing. */
  old: boolean;
}

export interface GridShape {
  rows: RowShape[];
  /** Thread slots drawn per row. */
  columns: number;
  threadsPerChild: number;
  /** A key that changes only when the rows' identity changes (not at every tick). */
  key: string;
}

export function gridShape(snapshot: StatusSnapshot): GridShape {
  const { serverLimit, threadsPerChild, maxDaemons } = snapshot.limits;
  const bySlot = new Map<number, ProcessSnapshot>();
  let columns = Math.max(1, threadsPerChild);
  for (const p of snapshot.processes) {
    bySlot.set(p.slot, p);
    columns = Math.max(columns, p.letters.length);
  }
  const limit = Math.max(serverLimit, snapshot.processes.length ? snapshot.processes[snapshot.processes.length - 1]!.slot + 1 : 0);
  const rows: RowShape[] = [];
  let key = `${limit}:${columns}:${threadsPerChild}:${maxDaemons}:${snapshot.generation}`;
  for (let slot = 0; slot < limit; slot++) {
    const p = bySlot.get(slot);
    if (p) {
      const old = p.generation !== snapshot.generation;
      rows.push({ slot, kind: 'child', pid: p.pid, generation: p.generation, old });
      key += `|${slot}.${p.pid}.${p.generation}`;
    } else {
      rows.push({ slot, kind: slot < maxDaemons ? 'open' : 'beyond', pid: 0, generation: 0, old: false });
    }
  }
  return { rows, columns, threadsPerChild, key };
}

/** The letters a row shows in mod_status form: a live child's letters, or dots for open capacity. */
export function rowLetters(p: ProcessSnapshot | undefined, threadsPerChild: number): string {
  return p ? p.letters : '.'.repeat(Math.max(1, threadsPerChild));
}

/** A child's state as the row says it. */
export function childState(p: ProcessSnapshot): string {
  if (p.pid === 0) return 'exiting';
  if (p.quiescing) return 'finishing';
  if (p.letters.length > 0 && /^[S.]+$/.test(p.letters)) return 'starting';
  return 'serving';
}

/** The accessible name of a row: pid, generation and the slot letters in mod_status form. */
export function rowLabel(row: RowShape, p: ProcessSnapshot | undefined, threadsPerChild: number): string {
  if (row.kind === 'child' && p) {
    return `Child pid ${p.pid}, generation ${p.generation}${row.old ? ' (old)' : ''}, ${childState(p)}, slots ${rowLetters(p, threadsPerChild)}`;
  }
  if (row.kind === 'open') return `Slot ${row.slot}: open, slots ${rowLetters(undefined, threadsPerChild)}`;
  return `Slot ${row.slot}: beyond MaxRequestWorkers`;
}
