/**
 * The connection channel: how an accepted connection's descriptor travels from the primary to
 * the child it chose, beside the fork IPC channel.
 *
 * Node's fork channel sends a handle as a JSON message and then waits for the child's
 * acknowledgement before it sends the next one, so each child takes one connection per round
 * trip, and both sides parse JSON for it. Here each child has an AF_UNIX SOCK_SEQPACKET pair
 * (native/fd.c): one message per connection, its 4-byte id with the descriptor as SCM_RIGHTS,
 * written by one sendmsg(2) and read in batches by recvmsg(2).
 *
 * The child's end is its descriptor 3 (FORKYARD_CONN_CHANNEL); the primary keeps a copy of it,
 * so connections a child dies before reading are taken back and handed to another. Where
 * native/fd.node could not be built, or with FORKYARD_CONN_TRANSPORT=ipc, connections go over
 * the fork channel as before; a connection also goes that way when the pair is momentarily full.
 *
 * The other direction carries closes: a worker thread that has finished with a connection it
 * served on its own descriptor writes the connection's id (4 bytes) to the channel itself, so
 * the primary learns that the child has room again without waking the child's listener or
 * parsing a JSON message (tellClosed, watchClosed).
 *
 * Order: the primary writes a connection here before any later message on the fork channel,
 * and the child reads this channel dry before it handles each fork-channel message, so a
 * `stop` never overtakes the connections sent before it.
 */

import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { tcpSocket } from './tcp-socket.js';

/** native/fd.node's functions (native/fd.c says what each does). */
export interface Native {
  dup(fd: number): number;
  socketPair(): [number, number];
  sendConn(sock: number, fd: number, id: number): number;
  recvConns(sock: number, out: Int32Array): number;
  sendId(sock: number, id: number): number;
  recvIds(sock: number, out: Int32Array): number;
  watch(fd: number, cb: (status: number) => void): object;
  unwatch(token: object): void;
}

function load(): { native: Native | null; reason: string } {
  try {
    return { native: createRequire(import.meta.url)('../../native/fd.node') as Native, reason: '' };
  } catch (err) {
    return { native: null, reason: `native/fd.node unavailable (${(err as Error).message.split('\n')[0]})` };
  }
}

/** native/fd.node, or null where it could not be built (and why). */
export const { native, reason: nativeUnavailable } = load();

/** Connections taken from a channel per recvmsg loop. */
const BATCH = 64;

/** The child's descriptor of its end, and the environment variable that names it. */
const CHILD_CONN_FD = 3;
const ENV = 'FORKYARD_CONN_CHANNEL';

/**
 * A connection as a bare descriptor: one a child received on its channel, or one the primary
 * took back from a child that died before reading it. Like a TCP handle from the fork channel,
 * it is closed as it is, or becomes a net.Socket where the child reads or writes it itself.
 */
export class Descriptor {
  #open = true;
  constructor(readonly fd: number) {}

  /** TCP_NODELAY was set when the primary accepted the connection. */
  setNoDelay(): number {
    return 0;
  }

  close(cb?: () => void): void {
    if (this.#open) {
      this.#open = false;
      closeSync(this.fd);
    }
    if (cb) queueMicrotask(cb);
  }

  /** The stream around it, which owns the descriptor from now on. */
  toSocket(): Socket {
    this.#open = false;
    return tcpSocket(this.fd);
  }
}

// ── primary ──────────────────────────────────────────────────────────────────────────────────

/**
 * A new pair for a child about to be forked, or null (the fork channel carries connections).
 * The child's end goes into fork()'s stdio at CHILD_CONN_FD; the primary keeps its copy until
 * the child is reaped (takeBackConns).
 */
export function openConnChannel(): { primary: number; child: number; env: Record<string, string> } | null {
  if (!native || process.env.FORKYARD_CONN_TRANSPORT === 'ipc') return null;
  try {
    const [primary, child] = native.socketPair();
    return { primary, child, env: { [ENV]: String(CHILD_CONN_FD) } };
  } catch {
    return null;
  }
}

/**
 * Writes one connection to a child's channel: true once the descriptor is in flight (the
 * caller closes its own copy). False when the pair is full (EAGAIN, or ETOOMANYREFS with many
 * descriptors in flight) or the child's end is closed: the caller sends it over the fork
 * channel, whose errors say what became of the child.
 */
export function sendConn(channel: number, fd: number, id: number): boolean {
  return native!.sendConn(channel, fd, id) === 0;
}

/**
 * Connections written to a child that exited before it read them, with their ids: the
 * primary keeps its own copy of the child's end, so they are still there to be handed to
 * another child instead of being reset with the dead child's descriptors.
 */
export function takeBackConns(childEnd: number): Array<[id: number, conn: Descriptor]> {
  const out: Array<[number, Descriptor]> = [];
  const buf = new Int32Array(BATCH * 2);
  for (let n = BATCH; n === BATCH; ) {
    n = native!.recvConns(childEnd, buf);
    for (let i = 0; i < n; i++) out.push([buf[2 * i + 1]!, new Descriptor(buf[2 * i]!)]);
  }
  return out;
}

/**
 * Calls `fn` with the ids of connections the child's threads report closed, as they arrive on
 * the primary's end. Returns the function that stops watching (before the end is closed).
 */
export function watchClosed(primaryEnd: number, fn: (ids: number[]) => void): () => void {
  const buf = new Int32Array(BATCH);
  const token = native!.watch(primaryEnd, () => {
    for (let n = BATCH; n === BATCH; ) {
      n = native!.recvIds(primaryEnd, buf);
      if (n > 0) fn(Array.from(buf.subarray(0, n)));
    }
  });
  return () => native!.unwatch(token);
}

export function closeConnChannel(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

// ── child ────────────────────────────────────────────────────────────────────────────────────

const received = new Int32Array(BATCH * 2);
let childChannel = -1;
let deliver: ((id: number, conn: Descriptor) => void) | null = null;

/** Takes every connection waiting in the channel, in the order the primary sent them. */
export function drainConnections(): void {
  if (childChannel < 0 || !deliver) return;
  for (;;) {
    const n = native!.recvConns(childChannel, received);
    for (let i = 0; i < n; i++) deliver(received[2 * i + 1]!, new Descriptor(received[2 * i]!));
    if (n < BATCH) return;
  }
}

/**
 * In a worker thread: tells the primary the connection `id` has closed, on the channel's other
 * direction. False where there is no channel or it is full: the listener tells it instead.
 */
export function tellClosed(id: number): boolean {
  return native !== null && process.env[ENV] === String(CHILD_CONN_FD) && native.sendId(CHILD_CONN_FD, id) === 0;
}

/**
 * In the child: delivers each connection that arrives on the channel, if the primary opened
 * one for this process. Returns whether it did.
 */
export function receiveConnections(fn: (id: number, conn: Descriptor) => void): boolean {
  if (process.env[ENV] !== String(CHILD_CONN_FD) || !native) return false;
  childChannel = CHILD_CONN_FD;
  deliver = fn;
  native.watch(childChannel, drainConnections);
  return true;
}
