/**
 * Which child takes the next accepted connection, from the primary's own exact accounting.
 * This replaces the accept race of httpd's children (and its accept mutex): the primary knows
 * each child's open connections, so it never hands a connection to a child without capacity.
 *
 *   prefork  an idle child (no open connection)
 *   worker   a child with a free thread (open < ThreadsPerChild)
 *   event    a child below its connection limit, ThreadsPerChild + idle × AsyncRequestWorkerFactor
 *            (the child reports when it crosses it; the primary bounds it too)
 */

import type { MpmName } from '../scoreboard/types.js';

export interface DispatchCandidate {
  slot: number;
  /** Connections handed to the child and not yet reported closed. */
  open: number;
  /** The most connections this child may hold (connectionLimit of its own MPM and size). */
  limit: number;
  ready: boolean;
  /** Going away (old generation, surplus, recycled): gets no new connection. */
  stopping: boolean;
  /** The child's own accept decision: event's limit, or a child about to leave (not_accepting == 0). */
  accepting: boolean;
  /** Its generation: while a new one starts, its ready children are used first. */
  generation: number;
}

export interface DispatchLimits {
  mpm: MpmName;
  threadsPerChild: number;
  asyncRequestWorkerFactor: number;
}

/** Most connections a child may hold: one per thread, plus parked ones for event. */
export function connectionLimit(l: DispatchLimits): number {
  if (l.mpm === 'prefork') return 1;
  if (l.mpm === 'worker') return l.threadsPerChild;
  return l.threadsPerChild + l.threadsPerChild * Math.floor(l.asyncRequestWorkerFactor);
}

/**
 * Index into `children` of the child to use, or -1 if none has capacity (the connection waits
 * in the accept queue). Each child carries its own limit, since two generations of different
 * MPMs overlap during a switch. Prefork takes the lowest idle slot, keeping the pool compact
 * so maintenance retires the highest; threaded MPMs spread load to the least-loaded child.
 * While a new generation starts, each of its children takes connections as soon as it is ready,
 * before the old generation's (which is told to go once all the new ones are up).
 */
export function chooseChild(children: readonly DispatchCandidate[], mpm: MpmName): number {
  let best = -1;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (!c.ready || c.stopping || !c.accepting || c.open >= c.limit) continue;
    if (best === -1) {
      best = i;
      continue;
    }
    const b = children[best]!;
    if (c.generation !== b.generation) {
      if (c.generation > b.generation) best = i;
    } else if (mpm === 'prefork') {
      if (c.slot < b.slot) best = i;
    } else if (c.open < b.open || (c.open === b.open && c.slot < b.slot)) {
      best = i;
    }
  }
  return best;
}

/** The largest connection id: a child's threads share the id they answer in an Int32Array. */
export const MAX_CONN_ID = 0x7fffffff;

/**
 * The id for the next connection: one more than `prev`, back to 1 past MAX_CONN_ID, and never
 * one still open (a connection kept alive across two billion newer ones keeps its id to itself).
 */
export function nextConnId(prev: number, isOpen: (id: number) => boolean): number {
  let id = prev;
  do id = id >= MAX_CONN_ID ? 1 : id + 1;
  while (isOpen(id));
  return id;
}
