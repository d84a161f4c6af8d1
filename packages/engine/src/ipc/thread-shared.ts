/**
 * What a child's threads share with its listener beyond their scoreboard slots, in one
 * SharedArrayBuffer, so the direct transport (src/child/fd.ts) needs no message per request:
 *
 *   int32 words, T threads:
 *   current[i]    the connection id thread i is answering, 0 when none
 *   parked[i]     event: kept-alive connections thread i holds between requests
 *   started[i]    requests thread i has begun (the listener tells whether the connection it
 *                 last gave the thread has sent its request yet)
 *   wantFree      the listener has connections waiting for a thread: a thread that becomes
 *                 free says so (one message) instead of every thread after every request
 *   wroteIn[i]    the request (its number in started[i]) during which thread i last wrote
 *                 response bytes: RequestTimeLimit answers 503 only if nothing of the stuck
 *                 request's response went out
 *
 * Each field has one writer (its thread, or the listener for wantFree).
 */

export class ThreadShared {
  readonly sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #threads: number;

  constructor(sabOrThreads: SharedArrayBuffer | number) {
    const threads = typeof sabOrThreads === 'number' ? sabOrThreads : (sabOrThreads.byteLength - 4) / 16;
    this.sab = typeof sabOrThreads === 'number' ? new SharedArrayBuffer(16 * threads + 4) : sabOrThreads;
    this.#threads = threads;
    this.#i32 = new Int32Array(this.sab, 0, 4 * threads + 1);
  }

  wroteIn(i: number): number {
    return Atomics.load(this.#i32, 3 * this.#threads + 1 + i);
  }

  /**
   * Thread i writes response bytes of its request number `request` (what start() returned).
   * A plain store: one aligned 32-bit word is never seen half written.
   */
  wrote(i: number, request: number): void {
    this.#i32[3 * this.#threads + 1 + i] = request;
  }

  current(i: number): number {
    return Atomics.load(this.#i32, i);
  }

  setCurrent(i: number, id: number): void {
    Atomics.store(this.#i32, i, id);
  }

  parked(i: number): number {
    return Atomics.load(this.#i32, this.#threads + i);
  }

  setParked(i: number, n: number): void {
    Atomics.store(this.#i32, this.#threads + i, n);
  }

  started(i: number): number {
    return Atomics.load(this.#i32, 2 * this.#threads + i);
  }

  /** Thread i begins a request; returns its number (the new started[i]). */
  start(i: number, id: number): number {
    Atomics.store(this.#i32, i, id);
    return (Atomics.add(this.#i32, 2 * this.#threads + i, 1) + 1) | 0;
  }

  get wantFree(): boolean {
    return Atomics.load(this.#i32, 3 * this.#threads) === 1;
  }

  set wantFree(on: boolean) {
    Atomics.store(this.#i32, 3 * this.#threads, on ? 1 : 0);
  }
}

/**
 * Connections each thread has finished with, for the listener to close its lifeline of them:
 * one single-producer, single-consumer ring per thread in one SharedArrayBuffer. A thread
 * whose connection ends cleanly (its response's last byte and FIN sent) writes the id here and
 * tells the primary itself (ipc/conn-channel.ts tellClosed), so the listener is not woken once
 * per connection: it reads the rings whenever it wakes for something else, and on a timer.
 *
 *   per thread: [written, read, id × CLOSED_RING_SIZE]   written by the thread, read by the listener
 *   prompt                                                 written by the listener
 *   wake                                                   written by the listener
 *
 * The primary needs a close promptly only when the child holds half its connection limit or
 * more (a worker child of 2 or 3 threads: from its first connection); otherwise the listener tells it, several at a time. `prompt` says which: an id a
 * thread has told the primary of itself is stored as is, one left to the listener negated.
 * `wake` asks a thread that ends a connection to wake the listener as well: a child that stopped
 * accepting at its connection limit starts again with the first close (httpd's listener is
 * woken by it too), not at its next look.
 */
export const CLOSED_RING_SIZE = 256;
const RING_WORDS = 2 + CLOSED_RING_SIZE;

export class ClosedRing {
  readonly sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #threads: number;

  constructor(sabOrThreads: SharedArrayBuffer | number) {
    this.sab = typeof sabOrThreads === 'number' ? new SharedArrayBuffer(4 * (RING_WORDS * sabOrThreads + 2)) : sabOrThreads;
    this.#i32 = new Int32Array(this.sab);
    this.#threads = (this.#i32.length - 2) / RING_WORDS;
  }

  get prompt(): boolean {
    return Atomics.load(this.#i32, this.#threads * RING_WORDS) === 1;
  }

  set prompt(on: boolean) {
    Atomics.store(this.#i32, this.#threads * RING_WORDS, on ? 1 : 0);
  }

  get wake(): boolean {
    return Atomics.load(this.#i32, this.#threads * RING_WORDS + 1) === 1;
  }

  set wake(on: boolean) {
    Atomics.store(this.#i32, this.#threads * RING_WORDS + 1, on ? 1 : 0);
  }

  /** Thread i: adds `entry` (an id, negated when the primary is still to be told); false when its ring is full. */
  push(i: number, entry: number): boolean {
    const base = i * RING_WORDS;
    const written = Atomics.load(this.#i32, base);
    if (((written - Atomics.load(this.#i32, base + 1)) | 0) >= CLOSED_RING_SIZE) return false;
    this.#i32[base + 2 + ((written >>> 0) % CLOSED_RING_SIZE)] = entry;
    // The entry is in place before the count that publishes it.
    Atomics.store(this.#i32, base, (written + 1) | 0);
    return true;
  }

  /** The listener: calls fn(thread, entry) for every entry not yet taken, oldest first per thread; returns how many. */
  drain(fn: (thread: number, entry: number) => void): number {
    let n = 0;
    for (let i = 0; i < this.#threads; i++) {
      const base = i * RING_WORDS;
      const written = Atomics.load(this.#i32, base);
      let read = Atomics.load(this.#i32, base + 1);
      while (read !== written) {
        const entry = this.#i32[base + 2 + ((read >>> 0) % CLOSED_RING_SIZE)]!;
        read = (read + 1) | 0;
        // Room for the thread again before fn runs: fn may take long (closing descriptors).
        Atomics.store(this.#i32, base + 1, read);
        fn(i, entry);
        n++;
      }
    }
    return n;
  }
}
