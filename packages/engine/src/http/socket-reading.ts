/**
 * Stopping and restarting the reads of a net.Socket by hand, for a connection two threads hold
 * descriptors of (child/fd.ts): exactly one of them reads it at any time.
 */

import type { Socket } from 'node:net';

interface ReadHandle {
  reading?: boolean;
  readStart?: () => number;
  readStop?: () => number;
}

const handleOf = (socket: Socket): ReadHandle | undefined => (socket as unknown as { _handle?: ReadHandle | null })._handle ?? undefined;

function readNothing(): void {}

/**
 * Stops reading at the handle; false if the socket has no handle left. A paused Readable still
 * reads ahead to its high-water mark (maybeReadMore), which would restart the handle and
 * swallow the next request, so its `_read` does nothing until `resumeReading`.
 */
export function stopReading(socket: Socket): boolean {
  const handle = handleOf(socket);
  if (!handle?.readStop) return false;
  handle.reading = false;
  handle.readStop();
  (socket as unknown as { _read: () => void })._read = readNothing;
  return true;
}

/** Reads again. The handle is started by hand: net.Socket may believe a read is still pending. */
export function resumeReading(socket: Socket): void {
  delete (socket as unknown as { _read?: () => void })._read;
  const handle = handleOf(socket);
  if (handle?.readStart && !handle.reading) {
    handle.reading = true;
    handle.readStart();
  }
}
