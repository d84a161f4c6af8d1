/**
 * How connections reach a worker/event thread.
 *
 *   direct  the thread gets its own descriptor of the socket (dup(2), native/fd.c) and serves
 *           it with a real net.Socket; no connection bytes cross threads. The listener keeps
 *           the original, unread, as the connection's lifeline (the 503 of RequestTimeLimit,
 *           and the close once the thread is done with it).
 *   relay   the listener reads and writes the socket and moves the bytes over the thread's
 *           port. Used by event (a parked connection's next request may go to another thread)
 *           and wherever native/fd.node could not be built.
 *
 * FORKYARD_THREAD_TRANSPORT=relay forces the relay for every MPM.
 */

import type { Socket } from 'node:net';
import { native, nativeUnavailable } from '../ipc/conn-channel.js';
import { resumeReading, stopReading } from '../http/socket-reading.js';

function load(): { dup: ((fd: number) => number) | null; reason: string } {
  if (process.env.FORKYARD_THREAD_TRANSPORT === 'relay') return { dup: null, reason: 'FORKYARD_THREAD_TRANSPORT=relay' };
  return native ? { dup: native.dup, reason: '' } : { dup: null, reason: nativeUnavailable };
}

const loaded = load();

/** Why the direct transport is off, or '' when it is available. */
export const directUnavailable = loaded.reason;

/**
 * Stops the listener from ever reading a socket (net.Socket starts reading when it is built
 * around a received handle): the bytes are left in the kernel for the thread.
 */
export function holdUnread(socket: Socket): void {
  stopReading(socket);
  socket.pause();
}

/** The listener reads the socket after all (a parked connection lent by its busy thread). */
export function startReading(socket: Socket): void {
  resumeReading(socket);
  socket.resume();
}

/** A new descriptor of the connection for a thread, or null (relay it). */
export function dupForThread(handle: { readonly fd: number }): number | null {
  if (!loaded.dup) return null;
  const fd = handle.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  try {
    return loaded.dup(fd);
  } catch {
    return null;
  }
}
