/**
 * A child's slot buffer: one fixed-size record per thread slot in a SharedArrayBuffer, so a
 * thread writes its own state without a message per change and the child's main thread reads
 * every slot to batch reports to the primary. This module is the only one touching the shared
 * memory; `Atomics` appears nowhere else.
 *
 * Who writes: exactly one writer per record — the thread owning the slot (worker/event) or the
 * prefork child's main thread. Who reads: the child's main thread (reporter). A per-record
 * sequence number makes reads consistent (seqlock: odd while a write is in progress).
 *
 *   record (RECORD_BYTES = 512)
 *   ┌ int32[0] seq │ [1] status │ [2] connCount │ [3] myAccessCount │ [4..7] string lengths ┐
 *   │ f64 @32: connBytes, myBytesServed, startTime, stopTime, lastUsed, durationMs            │
 *   └ bytes @96: client[64] request[64] vhost[64] protocol[16]                               ┘
 *
 * @see httpd include/scoreboard.h worker_score
 */

import { STATUS_LETTERS, statusCode, type SlotStatus } from './types.js';

const RECORD_BYTES = 512;
const I_SEQ = 0;
const I_STATUS = 1;
const I_CONN_COUNT = 2;
const I_MY_ACCESS = 3;
const I_LEN = 4; // 4 lengths: client, request, vhost, protocol
const F_BASE = 32 / 8;
const F_CONN_BYTES = 0;
const F_MY_BYTES = 1;
const F_START = 2;
const F_STOP = 3;
const F_LAST_USED = 4;
const F_DURATION = 5;
const S_BASE = 96;
const STRINGS = [
  { offset: 0, size: 64 },
  { offset: 64, size: 64 },
  { offset: 128, size: 64 },
  { offset: 192, size: 16 },
] as const;
const S_CLIENT = 0;
const S_REQUEST = 1;
const S_VHOST = 2;
const S_PROTOCOL = 3;

/** httpd keeps the first 63 characters of the request line. */
const REQUEST_CHARS = 63;

export function createSlotBuffer(slots: number): SharedArrayBuffer {
  return new SharedArrayBuffer(RECORD_BYTES * slots);
}

export function slotCount(sab: SharedArrayBuffer): number {
  return sab.byteLength / RECORD_BYTES;
}

/** What a reader gets: the thread-written part of a WorkerScore. */
export interface SlotRecord {
  status: SlotStatus;
  connCount: number;
  myAccessCount: number;
  connBytes: number;
  myBytesServed: number;
  startTime: number;
  stopTime: number;
  lastUsed: number;
  durationMs: number;
  client: string;
  request: string;
  vhost: string;
  protocol: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The writer side, held by the slot's single owner. It runs on every request, so it allocates
 * nothing: each string field keeps the last value written and is encoded again only when it
 * changes (a keep-alive connection repeats its client, vhost and protocol, often its request).
 */
export class SlotWriter {
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #fields: Uint8Array[];
  /** What each string field holds, as far as this writer knows (null: not written by it yet). */
  readonly #written: Array<string | null> = [null, null, null, null];

  constructor(sab: SharedArrayBuffer, index: number) {
    const base = index * RECORD_BYTES;
    this.#i32 = new Int32Array(sab, base, 8);
    this.#f64 = new Float64Array(sab, base + 32, 8);
    this.#fields = STRINGS.map(({ offset, size }) => new Uint8Array(sab, base + S_BASE + offset, size));
  }

  #begin(): void {
    Atomics.add(this.#i32, I_SEQ, 1);
  }

  #end(): void {
    Atomics.add(this.#i32, I_SEQ, 1);
  }

  #setString(which: number, value: string): void {
    if (this.#written[which] === value) return;
    this.#written[which] = value;
    this.#i32[I_LEN + which] = encoder.encodeInto(value, this.#fields[which]!).written;
  }

  /** A status change alone (S → _ , K, L, C, G …). READY also clears the connection counters. */
  status(letter: SlotStatus, now: number): void {
    this.#begin();
    this.#i32[I_STATUS] = statusCode(letter);
    if (letter === '_' || letter === '.') {
      this.#i32[I_CONN_COUNT] = 0;
      this.#f64[F_CONN_BYTES] = 0;
      this.#f64[F_LAST_USED] = now;
    }
    this.#end();
  }

  /** A new connection arrives: R, client recorded, request cleared (as httpd does). */
  connection(client: string, now: number, connCount = 0, connBytes = 0): void {
    this.#begin();
    this.#i32[I_STATUS] = statusCode('R');
    this.#i32[I_CONN_COUNT] = connCount;
    this.#f64[F_CONN_BYTES] = connBytes;
    this.#f64[F_LAST_USED] = now;
    this.#setString(S_CLIENT, client);
    this.#setString(S_REQUEST, '');
    this.#end();
  }

  /** A request has been read and is being handled: W. */
  requestStart(requestLine: string, vhost: string, protocol: string, now: number): void {
    this.#begin();
    this.#i32[I_STATUS] = statusCode('W');
    this.#f64[F_START] = now;
    this.#f64[F_STOP] = 0;
    this.#f64[F_LAST_USED] = now;
    this.#setString(S_REQUEST, requestLine.length > REQUEST_CHARS ? requestLine.slice(0, REQUEST_CHARS) : requestLine);
    this.#setString(S_VHOST, vhost);
    this.#setString(S_PROTOCOL, protocol);
    this.#end();
  }

  /**
   * The response is complete: counted (ExtendedStatus), and the slot goes to `next`: K or C, or
   * straight to READY when the connection leaves it (event parks it), in one update instead of
   * two, with the connection's counters cleared as `status('_')` clears them.
   */
  requestEnd(bytes: number, now: number, next: SlotStatus): void {
    this.#begin();
    const start = this.#f64[F_START]!;
    this.#i32[I_STATUS] = statusCode(next);
    this.#i32[I_MY_ACCESS] = this.#i32[I_MY_ACCESS]! + 1;
    this.#f64[F_MY_BYTES] = this.#f64[F_MY_BYTES]! + bytes;
    if (next === '_') {
      this.#i32[I_CONN_COUNT] = 0;
      this.#f64[F_CONN_BYTES] = 0;
    } else {
      this.#i32[I_CONN_COUNT] = this.#i32[I_CONN_COUNT]! + 1;
      this.#f64[F_CONN_BYTES] = this.#f64[F_CONN_BYTES]! + bytes;
    }
    this.#f64[F_STOP] = now;
    this.#f64[F_LAST_USED] = now;
    this.#f64[F_DURATION] = this.#f64[F_DURATION]! + Math.max(0, now - start);
    this.#end();
  }
}

/** The reader side: the child's main thread. Tracks which records changed since last read. */
export class SlotReader {
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #bytes: Uint8Array;
  readonly #lastSeq: Int32Array;
  readonly slots: number;

  constructor(sab: SharedArrayBuffer) {
    this.slots = slotCount(sab);
    this.#i32 = new Int32Array(sab);
    this.#f64 = new Float64Array(sab);
    this.#bytes = new Uint8Array(sab);
    this.#lastSeq = new Int32Array(this.slots).fill(-1);
  }

  /** Current status letter of a slot without a full read (used for idle counts on the hot path). */
  status(index: number): SlotStatus {
    return STATUS_LETTERS[Atomics.load(this.#i32, (index * RECORD_BYTES) / 4 + I_STATUS)] ?? '.';
  }

  /** Indexes of records whose sequence moved since the last `read` of them. */
  changed(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots; i++) {
      if (Atomics.load(this.#i32, (i * RECORD_BYTES) / 4 + I_SEQ) !== this.#lastSeq[i]) out.push(i);
    }
    return out;
  }

  /** A consistent copy of one record (retries while its writer is mid-update). */
  read(index: number): SlotRecord {
    const ib = (index * RECORD_BYTES) / 4;
    const fb = (index * RECORD_BYTES) / 8 + F_BASE;
    const sb = index * RECORD_BYTES + S_BASE;
    for (;;) {
      const seq = Atomics.load(this.#i32, ib + I_SEQ);
      if (seq % 2 === 1) continue;
      const str = (which: number): string => {
        const { offset } = STRINGS[which]!;
        const len = this.#i32[ib + I_LEN + which]!;
        return decoder.decode(this.#bytes.slice(sb + offset, sb + offset + len));
      };
      const record: SlotRecord = {
        status: STATUS_LETTERS[this.#i32[ib + I_STATUS]!] ?? '.',
        connCount: this.#i32[ib + I_CONN_COUNT]!,
        myAccessCount: this.#i32[ib + I_MY_ACCESS]!,
        connBytes: this.#f64[fb + F_CONN_BYTES]!,
        myBytesServed: this.#f64[fb + F_MY_BYTES]!,
        startTime: this.#f64[fb + F_START]!,
        stopTime: this.#f64[fb + F_STOP]!,
        lastUsed: this.#f64[fb + F_LAST_USED]!,
        durationMs: this.#f64[fb + F_DURATION]!,
        client: str(S_CLIENT),
        request: str(S_REQUEST),
        vhost: str(S_VHOST),
        protocol: str(S_PROTOCOL),
      };
      if (Atomics.load(this.#i32, ib + I_SEQ) === seq) {
        this.#lastSeq[index] = seq;
        return record;
      }
    }
  }
}
