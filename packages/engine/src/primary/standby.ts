/**
 * Standbys: child processes forked before the pool needs them. Each boots Node, loads the
 * engine and (worker/event) starts its threads, then waits; the next child the pool makes is
 * one of them, given its init over IPC, so that child's start-up costs its application's load
 * rather than a Node boot. httpd's fork() copies an already warm parent; Node cannot fork, and
 * this is the nearest to it (Passenger's preloader, Unicorn's preload_app, without the app: a
 * graceful restart must load the application afresh).
 *
 * The pool keeps one. While it makes children faster than one standby boots (a child made
 * finds no booted standby: MaxConnectionsPerChild 1 under load, a burst of spawns), it keeps
 * one more for each such child in the last STANDBY_DEMAND_WINDOW_MS, up to the configured most
 * (`standby`: 3 by default), and
 * forks the next as soon as one is taken rather than once the child is ready, so several boot
 * side by side; once children stop coming that fast, the surplus is stopped.
 *
 * A standby is of one kind (prefork, or threaded with N threads). A threaded standby may become
 * a worker or event child, and a child with a different ThreadsPerChild adds or drops threads.
 */

import type { ChildProcess } from 'node:child_process';
import type { ChildInit, ChildToPrimary, StandbyKind } from '../ipc/messages.js';
import { forkChild } from './children.js';

/** Standbys that die before booting, in a row, after which the pool forks its children cold. */
const MAX_FAILED_BOOTS = 3;
const DISCARD_KILL_AFTER_MS = 2000;
/** How long a child made without a booted standby keeps one more standby wanted. */
export const STANDBY_DEMAND_WINDOW_MS = 10_000;

/**
 * How many standbys to keep at `now`: one, and one more for each child made within the demand
 * window that found no booted standby to take (`starved`: when each was made), up to `most`
 * (0: none).
 */
export function standbyDepth(starved: readonly number[], now: number, most: number): number {
  let recent = 0;
  for (const at of starved) if (now - at < STANDBY_DEMAND_WINDOW_MS) recent++;
  return Math.min(most, 1 + recent);
}

interface Entry {
  proc: ChildProcess;
  kind: StandbyKind;
  booted: boolean;
}

export class Standbys {
  #entries: Entry[] = [];
  #failedBoots = 0;
  /** When each child made within the demand window found no booted standby. */
  #starved: number[] = [];
  readonly #most: number;

  /** `most`: the most standbys kept at once (0: none). */
  constructor(most: number) {
    this.#most = most;
  }

  /** The standby the next child would be made of (a booted one first), or null. */
  get next(): { pid: number; booted: boolean } | null {
    const e = this.#pick(null);
    return e?.proc.pid === undefined ? null : { pid: e.proc.pid, booted: e.booted };
  }

  /** Every standby waiting or booting now, oldest first. */
  get all(): { pid: number; booted: boolean }[] {
    return this.#entries.flatMap((e) => (e.proc.pid === undefined ? [] : [{ pid: e.proc.pid, booted: e.booted }]));
  }

  /** How many standbys the pool wants now (see standbyDepth). */
  depth(now = Date.now()): number {
    return standbyDepth(this.#starved, now, this.#most);
  }

  /**
   * Forks standbys of this kind up to the depth wanted now; those of another kind are stopped.
   * Above the depth (demand has passed), the least booted are stopped.
   */
  prepare(kind: StandbyKind, now = Date.now()): void {
    if (this.#most === 0) return;
    for (const e of this.#entries.filter((e) => !sameKind(e.kind, kind))) void this.#stop(e);
    this.trim(now);
    while (this.#entries.length < this.depth(now) && this.#failedBoots < MAX_FAILED_BOOTS) this.#fork(kind);
  }

  /** Stops the standbys above the depth wanted now (demand has passed), the least booted first. */
  trim(now = Date.now()): void {
    this.#starved = this.#starved.filter((at) => now - at < STANDBY_DEMAND_WINDOW_MS);
    const depth = this.depth(now);
    // Oldest first in the list: the newest, least booted, go first.
    while (this.#entries.length > depth) void this.#stop(this.#entries.at(-1)!);
  }

  /**
   * A standby made into the child `init` describes (a booted one first, else the one booting
   * longest), or null when there is none that can be. The caller owns the process from here on;
   * if it is still booting, its init (and whatever the pool sends it next) goes once it listens.
   */
  take(init: ChildInit, now = Date.now()): ChildProcess | null {
    if (this.#most === 0) return null;
    const e = this.#pick(init.mpm === 'prefork');
    if (!e?.booted) this.#starved.push(now);
    if (!e) return null;
    this.#entries.splice(this.#entries.indexOf(e), 1);
    e.proc.send({ act: 'init', init }, undefined, undefined, () => undefined);
    return e.proc;
  }

  /** Stops every standby; resolves once they have exited. */
  discard(): Promise<void> {
    return Promise.all([...this.#entries].map((e) => this.#stop(e))).then(() => undefined);
  }

  /** A standby that could become a child of this kind (null: any), booted first, else the oldest. */
  #pick(prefork: boolean | null): Entry | null {
    const fits = this.#entries.filter((e) => e.proc.connected && (prefork === null || (e.kind.mpm === 'prefork') === prefork));
    return fits.find((e) => e.booted) ?? fits[0] ?? null;
  }

  #fork(kind: StandbyKind): void {
    const proc = forkChild({ FORKYARD_STANDBY: JSON.stringify(kind) });
    const entry: Entry = { proc, kind, booted: false };
    this.#entries.push(entry);
    proc.on('error', () => undefined);
    const onListening = (msg: ChildToPrimary): void => {
      if (msg.act !== 'listening') return;
      proc.off('message', onListening);
      entry.booted = true;
      if (this.#entries.includes(entry)) this.#failedBoots = 0;
    };
    proc.on('message', onListening);
    proc.once('exit', () => {
      const i = this.#entries.indexOf(entry);
      if (i < 0) return;
      this.#entries.splice(i, 1);
      if (!entry.booted) this.#failedBoots++;
    });
  }

  /** Stops one standby (no longer counted); resolves once it has exited. */
  #stop(entry: Entry): Promise<void> {
    const i = this.#entries.indexOf(entry);
    if (i >= 0) this.#entries.splice(i, 1);
    const proc = entry.proc;
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), DISCARD_KILL_AFTER_MS);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  }
}

function sameKind(a: StandbyKind, b: StandbyKind): boolean {
  return (a.mpm === 'prefork') === (b.mpm === 'prefork') && (a.mpm === 'prefork' || a.threads === b.threads);
}
