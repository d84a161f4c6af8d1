/**
 * Forking children and the primary's record of each one.
 *
 * @see httpd server/mpm/prefork/prefork.c make_child
 */

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildInit } from '../ipc/messages.js';

const CHILD_MAIN = fileURLToPath(new URL('../child/main.js', import.meta.url));

/** Why a child went away, as recorded in its exit event. */
export type ExitReason =
  | 'surplus' // maintenance: idle above MaxSpare*
  | 'recycled' // MaxConnectionsPerChild reached
  | 'generation' // replaced by a newer generation
  | 'stop' // pool stopping
  | 'app-error' // the application failed to load
  | 'crashed' // exited on its own with an error or a signal
  | 'killed'; // killed on request

export interface ChildRecord {
  slot: number;
  pid: number;
  generation: number;
  proc: ChildProcess;
  ready: boolean;
  /** Connection ids handed to this child and not yet reported closed. */
  open: Set<number>;
  stopping: boolean;
  accepting: boolean;
  /** Set when the primary asked it to go, so the exit is recorded with the right reason. */
  reason: ExitReason | null;
  fatal: { code: string; message: string } | null;
  forkedAt: number;
  lastUsage: { cpuUser: number; cpuSystem: number };
}

export function makeChild(init: ChildInit): ChildRecord {
  const proc = fork(CHILD_MAIN, [], {
    env: { ...process.env, FORKYARD_CHILD: JSON.stringify(init) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  return {
    slot: init.slot,
    pid: proc.pid ?? 0,
    generation: init.generation,
    proc,
    ready: false,
    open: new Set(),
    stopping: false,
    accepting: true,
    reason: null,
    fatal: null,
    forkedAt: Date.now(),
    lastUsage: { cpuUser: 0, cpuSystem: 0 },
  };
}

/** How a child's exit is told: the reason the primary gave it, else what the exit says. */
export function exitReason(child: ChildRecord, code: number | null, signal: NodeJS.Signals | null): ExitReason {
  if (child.fatal) return 'app-error';
  if (child.reason) return child.reason;
  if (code === 0 && signal === null) return 'recycled';
  return 'crashed';
}
