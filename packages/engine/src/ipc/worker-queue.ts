/**
 * httpd's worker queue (server/mpm/event/fdqueue.c) for a direct event child: connections the
 * listener has accepted while every thread was busy wait here, in shared memory, and the first
 * thread to finish its request takes the oldest itself. Neither side sends a message for it:
 * the thread does not tell the listener it is free, and the listener does not wake it with the
 * connection. A thread idle meanwhile is woken with one `pop`.
 *
 *   slot: [state, ticket, id, fd, served]
 *   state 0 free · 1 waiting · −(1 + i) being taken by thread i · 2 + i taken by thread i (until
 *   the listener has read it: resolve)
 *   after the slots: count   slots waiting, so a thread that finds none waiting (every
 *                            request, on a child with spare threads) reads one word, not 64
 *
 * The count rises after a slot is offered and falls after one is taken, so it never shows
 * fewer than are waiting: a thread that reads 0 has missed only a connection the listener has
 * yet to count, and the listener wakes idle threads for it after counting.
 *
 * A thread claims the slot, reads it, then marks it taken: the listener frees only taken slots,
 * so it never reuses one a thread is still reading.
 *
 * The listener is the only writer of waiting slots and the only one to free taken ones; threads
 * claim a waiting slot with a compare-and-swap, so each connection goes to exactly one thread.
 */

const WORDS = 5;
const STATE = 0;
const TICKET = 1;
const ID = 2;
const FD = 3;
const SERVED = 4;
const FREE = 0;
const WAITING = 1;
const TAKEN = 2;

/** Connections a child's queue holds at most; more wait in the listener as before. */
export const WORKER_QUEUE_SLOTS = 64;

export interface Queued {
  id: number;
  /** The thread's own descriptor of the connection. */
  fd: number;
  served: number;
}

export class WorkerQueue {
  readonly sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #slots: number;
  /** Listener only: the next ticket (order of arrival). */
  #ticket = 0;

  /** Index of the count of waiting slots. */
  readonly #count: number;

  constructor(sabOrSlots: SharedArrayBuffer | number = WORKER_QUEUE_SLOTS) {
    this.sab = typeof sabOrSlots === 'number' ? new SharedArrayBuffer(4 * (WORDS * sabOrSlots + 1)) : sabOrSlots;
    this.#i32 = new Int32Array(this.sab);
    this.#slots = (this.#i32.length - 1) / WORDS;
    this.#count = WORDS * this.#slots;
  }

  /** Listener: queues a connection; false when every slot is in use. */
  push(c: Queued): boolean {
    for (let s = 0; s < this.#slots; s++) {
      const base = s * WORDS;
      if (Atomics.load(this.#i32, base + STATE) !== FREE) continue;
      this.#i32[base + TICKET] = this.#ticket;
      this.#i32[base + ID] = c.id;
      this.#i32[base + FD] = c.fd;
      this.#i32[base + SERVED] = c.served;
      this.#ticket = (this.#ticket + 1) | 0;
      // The fields are in place before the state that offers them.
      Atomics.store(this.#i32, base + STATE, WAITING);
      Atomics.add(this.#i32, this.#count, 1);
      return true;
    }
    return false;
  }

  /** Thread i: takes the oldest waiting connection, or null when none waits. */
  pop(i: number): Queued | null {
    if (Atomics.load(this.#i32, this.#count) === 0) return null;
    for (;;) {
      let best = -1;
      let bestTicket = 0;
      for (let s = 0; s < this.#slots; s++) {
        const base = s * WORDS;
        if (Atomics.load(this.#i32, base + STATE) !== WAITING) continue;
        const ticket = this.#i32[base + TICKET]!;
        if (best < 0 || ((ticket - bestTicket) | 0) < 0) {
          best = base;
          bestTicket = ticket;
        }
      }
      if (best < 0) return null;
      // Another thread may have taken it since the look: then look again.
      if (Atomics.compareExchange(this.#i32, best + STATE, WAITING, -(1 + i)) !== WAITING) continue;
      const c = { id: this.#i32[best + ID]!, fd: this.#i32[best + FD]!, served: this.#i32[best + SERVED]! };
      Atomics.store(this.#i32, best + STATE, TAKEN + i);
      // Uncounted only once taken: a claim that requeue gives back was never uncounted.
      Atomics.sub(this.#i32, this.#count, 1);
      return c;
    }
  }

  /** How many connections wait (not yet taken; for a moment, one a thread is taking). */
  waiting(): number {
    return Atomics.load(this.#i32, this.#count);
  }

  /** Listener, once thread i has died: a connection it was taking when it stopped waits again. */
  requeue(i: number): void {
    for (let s = 0; s < this.#slots; s++) Atomics.compareExchange(this.#i32, s * WORDS + STATE, -(1 + i), WAITING);
  }

  /** Listener: calls fn(thread, id) for every connection a thread has taken, and frees its slot; returns how many. */
  resolve(fn: (thread: number, id: number) => void): number {
    let n = 0;
    for (let s = 0; s < this.#slots; s++) {
      const base = s * WORDS;
      const state = Atomics.load(this.#i32, base + STATE);
      if (state < TAKEN) continue;
      const id = this.#i32[base + ID]!;
      Atomics.store(this.#i32, base + STATE, FREE);
      fn(state - TAKEN, id);
      n++;
    }
    return n;
  }
}
