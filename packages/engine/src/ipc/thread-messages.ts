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
  head: ArrayBuffer | null;
}

export type ListenerToThread =
  | ({ t: 'open' } & ConnOpen)
  | { t: 'data'; id: number; chunk: ArrayBuffer }
  | { t: 'eof'; id: number }
  | { t: 'gone'; id: number }
  | { t: 'parked'; id: number }
  | { t: 'keep'; id: number }
  | { t: 'directives'; directives: ChildDirectives }
  | { t: 'stopping' }
  | { t: 'status-reply'; seq: number; page: StatusPage | null; error?: string };

export type ThreadToListener =
  | { t: 'ready' }
  | { t: 'fatal'; message: string }
  | { t: 'write'; id: number; chunk: ArrayBuffer }
  | { t: 'end'; id: number }
  | { t: 'destroy'; id: number }
  /** Event: the response is done and the connection may be parked; `received` = bytes seen. */
  | { t: 'release'; id: number; received: number }
  /** The thread is done with the connection (closed, or parked) and is free. */
  | { t: 'idle'; id: number }
  | { t: 'status'; seq: number; query: string; host: string; localAddress: string };

/** An ArrayBuffer holding exactly `buf`'s bytes that can be transferred without copying twice. */
export function ownBuffer(buf: Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) return buf.buffer;
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy.buffer;
}
