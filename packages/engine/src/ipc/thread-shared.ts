/**
 * What a child's threads share with its listener beyond their scoreboard slots, in one
 * SharedArrayBuffer, so the direct transport (src/child/fd.ts) needs no message per request:
 *
 *   lastWrite[i]  when thread i last wrote response bytes (ms): RequestTimeLimit answers 503
 *                 only if nothing went out since the stuck request started
 *   current[i]    the connection id thread i is answering, 0 when none
 *   parked[i]     event: kept-alive connections thread i holds between requests
 *   started[i]    requests thread i has begun (the listener tells whether the connection it
 *                 last gave the thread has sent its request yet)
 *   wantFree      the listener has connections waiting for a thread: a thread that becomes
 *                 free says so (one message) instead of every thread after every request
 *
 * Each field has one writer (its thread, or the listener for wantFree).
 */

export class ThreadShared {
  readonly sab: SharedArrayBuffer;
  readonly #f64: Float64Array;
  readonly #i32: Int32Array;
  readonly #threads: number;

  constructor(sabOrThreads: SharedArrayBuffer | number) {
    const threads = typeof sabOrThreads === 'number' ? sabOrThreads : (sabOrThreads.byteLength - 4) / 20;
    this.sab = typeof sabOrThreads === 'number' ? new SharedArrayBuffer(20 * threads + 4) : sabOrThreads;
    this.#threads = threads;
    this.#f64 = new Float64Array(this.sab, 0, threads);
    this.#i32 = new Int32Array(this.sab, 8 * threads, 3 * threads + 1);
  }

  lastWrite(i: number): number {
    return this.#f64[i]!;
  }

  wrote(i: number, now: number): void {
    this.#f64[i] = now;
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

  /** Thread i begins a request. */
  start(i: number, id: number): void {
    Atomics.store(this.#i32, i, id);
    Atomics.add(this.#i32, 2 * this.#threads + i, 1);
  }

  get wantFree(): boolean {
    return Atomics.load(this.#i32, 3 * this.#threads) === 1;
  }

  set wantFree(on: boolean) {
    Atomics.store(this.#i32, 3 * this.#threads, on ? 1 : 0);
  }
}
