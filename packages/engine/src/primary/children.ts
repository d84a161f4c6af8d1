/**
 * Forking children and the primary's record of each one.
 *
 * @see httpd server/mpm/prefork/prefork.c make_child
 */

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeConnChannel, openConnChannel, takeBackConns, watchClosed, type Descriptor } from '../ipc/conn-channel.js';
import { EXIT_CHILDFATAL, EXIT_REQUEST_TIME_LIMIT, type ChildInit, type ChildToPrimary } from '../ipc/messages.js';
import type { MpmName } from '../scoreboard/types.js';

const CHILD_MAIN = fileURLToPath(new URL('../child/main.js', import.meta.url));

/** Why a child went away, as recorded in its exit event. */
export type ExitReason =
  | 'surplus' // maintenance: idle above MaxSpare*
  | 'recycled' // MaxConnectionsPerChild reached, or recycled on request
  | 'memory' // MaxMemoryPerChild exceeded
  | 'request-time-limit' // a prefork child stopped by RequestTimeLimit
  | 'generation' // replaced by a newer generation
  | 'stop' // pool stopping
  | 'app-error' // the application failed to load
  | 'crashed' // exited on its own with an error or a signal
  | 'killed'; // killed on request

export interface ChildRecord {
  slot: number;
  pid: number;
  generation: number;
  mpm: MpmName;
  /** Most connections it may hold at once (its MPM's connectionLimit). */
  limit: number;
  /** Connections handed to it so far, and after how many it is recycled (0: never). */
  dispatched: number;
  recycleAfter: number;
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

const connChannels = new WeakMap<ChildProcess, { primary: number; child: number }>();
/** How long waitExited waits for a child's 'close' once it has exited. */
const CLOSE_AFTER_EXIT_MS = 1000;
/** Children whose 'close' has come. */
const closed = new WeakSet<ChildProcess>();

/**
 * Forks the child entry with `env` added to the primary's environment, and with its
 * connection channel as descriptor 3 where there is one (ipc/conn-channel.ts).
 */
export function forkChild(env: Record<string, string>): ChildProcess {
  const channel = openConnChannel();
  let proc: ChildProcess;
  try {
    proc = fork(CHILD_MAIN, [], {
      env: { ...process.env, ...env, ...channel?.env },
      // stdio entry 3 is the child's descriptor 3.
      stdio: channel ? ['ignore', 'inherit', 'inherit', channel.child, 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
      // Children do not inherit the primary's flags; FORKYARD_CHILD_EXECARGV gives them their own
      // (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every child and thread).
      execArgv: process.env.FORKYARD_CHILD_EXECARGV?.split(' ').filter(Boolean) ?? [],
    });
  } catch (err) {
    if (channel) [channel.primary, channel.child].forEach(closeConnChannel);
    throw err;
  }
  if (channel) {
    // Both ends stay open here until the child is gone and reaped (takeBackConns).
    connChannels.set(proc, channel);
    proc.once('close', () =>
      setImmediate(() => {
        connChannels.delete(proc);
        closeConnChannel(channel.primary);
        closeConnChannel(channel.child);
      }),
    );
  }
  proc.once('close', () => closed.add(proc));
  holdUntilListening(proc);
  return proc;
}

/**
 * Calls `fn` with the ids of connections the child's threads report closed on its connection
 * channel (the listener reports the others on the fork channel), until the child is gone.
 */
export function onClosedReports(proc: ChildProcess, fn: (ids: number[]) => void): void {
  const channel = connChannels.get(proc);
  if (!channel) return;
  const stop = watchClosed(channel.primary, fn);
  proc.once('close', stop);
}

/** The primary's end of a child's connection channel, or -1 (none, or it has been reaped). */
export function connChannelOf(proc: ChildProcess): number {
  return connChannels.get(proc)?.primary ?? -1;
}

/**
 * Connections sent to a child that has exited and that it never read, with their ids.
 * Only once the child is gone: while it lives, its end is the child's to read.
 */
export function unreadConns(proc: ChildProcess): Array<[id: number, conn: Descriptor]> {
  const channel = connChannels.get(proc);
  return channel ? takeBackConns(channel.child) : [];
}

/**
 * Node drops a message its receiver has no listener for yet, and a child attaches its own only
 * once its modules are loaded: what the primary sends before the child says `listening` (a
 * stop right after the fork, a standby's init) is held and sent then, in order.
 */
function holdUntilListening(proc: ChildProcess): void {
  const send = proc.send.bind(proc) as (...args: unknown[]) => boolean;
  const held: unknown[][] = [];
  proc.send = ((...args: unknown[]) => {
    held.push(args);
    return true;
  }) as ChildProcess['send'];
  const onMessage = (msg: ChildToPrimary): void => {
    if (msg.act !== 'listening') return;
    proc.off('message', onMessage);
    proc.send = send as ChildProcess['send'];
    for (const args of held.splice(0)) if (proc.connected) send(...args);
  };
  proc.on('message', onMessage);
}

/** A child record for `init`: a standby taken for it (already running), or a fresh fork. */
export function makeChild(init: ChildInit, limit: number, recycleAfter: number, standby: ChildProcess | null = null): ChildRecord {
  const proc = standby ?? forkChild({ FORKYARD_CHILD: JSON.stringify(init) });
  return {
    slot: init.slot,
    pid: proc.pid ?? 0,
    generation: init.generation,
    mpm: init.mpm,
    limit,
    dispatched: 0,
    recycleAfter,
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
  if (child.fatal || code === EXIT_CHILDFATAL) return 'app-error';
  if (code === EXIT_REQUEST_TIME_LIMIT) return 'request-time-limit';
  if (child.reason) return child.reason;
  if (code === 0 && signal === null) return 'recycled';
  return 'crashed';
}

/**
 * MaxConnectionsPerChild with spacing: each child gets N plus up to a quarter of N more, spread
 * by slot (golden-ratio sequence), so children started together do not recycle together.
 * N = 1 stays exactly 1.
 */
export function recycleLimit(maxConnectionsPerChild: number, slot: number): number {
  if (maxConnectionsPerChild <= 0) return 0;
  const spread = (slot * 0.6180339887498949) % 1;
  return maxConnectionsPerChild + Math.floor(maxConnectionsPerChild * 0.25 * spread);
}

export function hasExited(child: ChildRecord): boolean {
  return child.proc.exitCode !== null || child.proc.signalCode !== null;
}

/**
 * Resolves once every child has exited and been reaped (its 'close', which comes after 'exit'
 * once its IPC channel has delivered everything, is where the pool records the exit); SIGTERM
 * after `termMs`, SIGKILL after `killMs` (0: never).
 */
export function waitExited(children: readonly ChildRecord[], termMs: number, killMs: number): Promise<void> {
  const pending = children.filter((c) => !closed.has(c.proc));
  if (pending.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const alive = (): ChildRecord[] => pending.filter((c) => !hasExited(c));
    const term = termMs > 0 ? setTimeout(() => alive().forEach((c) => c.proc.kill('SIGTERM')), termMs) : null;
    const kill = killMs > 0 ? setTimeout(() => alive().forEach((c) => c.proc.kill('SIGKILL')), killMs) : null;
    let left = pending.length;
    for (const c of pending) {
      let counted = false;
      const done = (): void => {
        if (counted) return;
        counted = true;
        if (--left > 0) return;
        if (term) clearTimeout(term);
        if (kill) clearTimeout(kill);
        resolve();
      };
      c.proc.once('close', done);
      // A 'close' held back by a process that inherited the child's IPC channel: its exit is enough.
      c.proc.once('exit', () => setTimeout(done, CLOSE_AFTER_EXIT_MS));
    }
  });
}
