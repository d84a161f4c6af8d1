/**
 * The status snapshot of a scoreboard image (what the REST status, the children routes and the
 * live stream send), counted by the engine's own rule: the very figures `/server-status`
 * prints, so the dashboard and mod_status's page can never disagree.
 */

import { countWorkers, type ScoreboardImage } from '@forkyard/engine';
import { toSnapshot, type SnapshotCounts, type StatusSnapshot } from '@forkyard/protocol';

/** httpd's worker counts and totals (the engine's countWorkers), as the snapshot carries them. */
function snapshotCounts(image: ScoreboardImage): SnapshotCounts {
  const c = countWorkers(image);
  return {
    busy: c.busy,
    idle: c.idle,
    graceful: c.graceful,
    processes: c.processes,
    stopping: c.stopping,
    connsTotal: c.connsTotal,
    connsAsyncWaitIO: c.connsAsyncWaitIO,
    connsAsyncWriting: c.connsAsyncWriting,
    connsAsyncKeepAlive: c.connsAsyncKeepAlive,
    connsAsyncClosing: c.connsAsyncClosing,
    accesses: c.totalAccesses,
    bytes: c.totalBytes,
  };
}

/** The snapshot of `image` at `now`. */
export function snapshotOf(image: ScoreboardImage, now = Date.now()): StatusSnapshot {
  return toSnapshot(image, now, snapshotCounts(image));
}
