/**
 * The vocabulary between a child's main thread (the listener, which owns the sockets) and its
 * worker threads, over each thread's parentPort. Connection bytes travel as transferred
 * ArrayBuffers; many connections share one port, told apart by the primary's connection id.
 */

import type { StatusPage } from '../http/serve.js';
import type { ChildDirectives } from './messages.js';

export interface ThreadInit {
  index: number;
  sab: SharedArrayBuffer;
  app: string | null;
  directives: ChildDirectives;
  event: boolean;
  /** ThreadShared: last write, current connection and parked count per thread. */
  shared: SharedArrayBuffer;
  /** ClosedRing: connections each thread has finished with. */
  closed: SharedArrayBuffer;
  /** WorkerQueue: connections waiting for the first thread to be free (direct event). */
  queue: SharedArrayBuffer;
  /** ChildInit.localPort. */
  localPort: number;
}

export interface ConnOpen {
  id: number;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** Requests already served on the connection (event: it comes back after being parked). */
  served: number;
  /** Bytes the listener read before binding the connection to this thread. */
  head: WireBytes | null;
}

export type ListenerToThread =
  /** A thread started before its child had an init (a standby's) gets it now. */
  | { t: 'init'; init: ThreadInit; env: Record<string, string> }
  | ({ t: 'open' } & ConnOpen)
  /** Direct transport: the thread's own descriptor of the connection, to serve as a net.Socket. */
  | { t: 'adopt'; id: number; fd: number; served: number; head: WireBytes | null }
  | { t: 'data'; id: number; chunk: WireBytes }
  | { t: 'eof'; id: number }
  /** The client's socket is closed: forget the connection. */
  | { t: 'gone'; id: number }
  /** Event: the parked connection's next request went to another thread: forget it quietly. */
  | { t: 'drop'; id: number }
  /** The socket took everything up to a `write` sent with `wait` (its buffer is below its high-water mark). */
  | { t: 'drain'; id: number }
  /** Direct event: the lent connections the listener did not take; the thread reads them again. */
  | { t: 'return'; ids: number[] }
  | { t: 'directives'; directives: ChildDirectives }
  | { t: 'stopping' }
  /** Connections wait in the WorkerQueue and this thread looked idle: take them. */
  | { t: 'pop' }
  | { t: 'status-reply'; seq: number; page: StatusPage | null; error?: string };

export type ThreadToListener =
  | { t: 'ready' }
  | { t: 'fatal'; message: string }
  /** `wait`: the thread has sent a window's worth unacknowledged and waits for a 'drain'. */
  | { t: 'write'; id: number; chunk: WireBytes; wait?: boolean }
  | { t: 'end'; id: number }
  | { t: 'destroy'; id: number }
  /** Event: the response is done and the thread is free; the listener parks the connection
   * unless more bytes than `received` were already sent this way (then the thread carries on). */
  | { t: 'release'; id: number; received: number }
  /** The thread is done with the connection (closed or dropped). */
  | { t: 'idle'; id: number }
  /** Direct event: this thread has finished a request while the listener has connections waiting. */
  | { t: 'free' }
  /** Direct event: the thread is answering asynchronously and has stopped reading these parked
   * connections ([id, requests served]); the listener watches them meanwhile. */
  | { t: 'lend'; conns: Array<[number, number]> }
  /** Direct event: the thread is free again and wants its lent connections back. */
  | { t: 'reclaim' }
  | { t: 'status'; seq: number; query: string; host: string; localAddress: string };

/**
 * Connection bytes on the wire between threads. Small chunks (a request, a typical response)
 * travel as latin1 strings: cloning a short string costs far less than detaching and
 * transferring an ArrayBuffer. Large ones are transferred without a copy where they own their
 * memory.
 */
export type WireBytes = ArrayBuffer | string;

const SMALL_CHUNK = 16 * 1024;

export function toWire(buf: Uint8Array): { bytes: WireBytes; transfer: ArrayBuffer[] } {
  if (buf.byteLength <= SMALL_CHUNK) return { bytes: Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1'), transfer: [] };
  const own = ownBuffer(buf);
  return { bytes: own, transfer: [own] };
}

/** Several chunks as one message (a response head and body written together). */
export function toWireMany(chunks: ReadonlyArray<Uint8Array>, total: number): { bytes: WireBytes; transfer: ArrayBuffer[] } {
  if (total <= SMALL_CHUNK) {
    let s = '';
    for (const c of chunks) s += Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
    return { bytes: s, transfer: [] };
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return { bytes: out.buffer, transfer: [out.buffer] };
}

export function fromWire(bytes: WireBytes): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
}

export function wireLength(bytes: WireBytes): number {
  return typeof bytes === 'string' ? bytes.length : bytes.byteLength;
}

/** An ArrayBuffer holding exactly `buf`'s bytes, transferable without touching anyone else's memory. */
export function ownBuffer(buf: Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) return buf.buffer;
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy.buffer;
}
