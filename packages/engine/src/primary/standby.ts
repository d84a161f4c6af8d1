/**
 * The standby: one child process forked before the pool needs it. It boots Node, loads the
 * engine and (worker/event) starts its threads, then waits; the next child the pool makes is
 * this process, given its init over IPC, so that child's start-up costs its application's load
 * rather than a Node boot. httpd's fork() copies an already warm parent; Node cannot fork, and
 * this is the nearest to it (Passenger's preloader, Unicorn's preload_app, without the app: a
 * graceful restart must load the application afresh).
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

export class Standby {
  #proc: ChildProcess | null = null;
  #kind: StandbyKind | null = null;
  #booted = false;
  #failedBoots = 0;
  readonly #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Pid of the standby waiting now, or null. */
  get pid(): number | null {
    return this.#proc?.pid ?? null;
  }

  /** True once a standby has booted and listens for its init. */
  get booted(): boolean {
    return this.#proc !== null && this.#booted;
  }

  /** Forks a standby of this kind unless there is one; one of another kind is replaced. */
  prepare(kind: StandbyKind): void {
    if (!this.#enabled || this.#failedBoots >= MAX_FAILED_BOOTS) return;
    if (this.#proc && this.#kind && sameKind(this.#kind, kind)) return;
    void this.discard();
    const proc = forkChild({ FORKYARD_STANDBY: JSON.stringify(kind) });
    this.#proc = proc;
    this.#kind = kind;
    this.#booted = false;
    proc.on('error', () => undefined);
    const onListening = (msg: ChildToPrimary): void => {
      if (msg.act !== 'listening') return;
      proc.off('message', onListening);
      if (this.#proc !== proc) return;
      this.#booted = true;
      this.#failedBoots = 0;
    };
    proc.on('message', onListening);
    proc.once('exit', () => {
      if (this.#proc !== proc) return;
      this.#proc = null;
      if (!this.#booted) this.#failedBoots++;
    });
  }

  /**
   * The standby made into the child `init` describes, or null when there is none that can be.
   * The caller owns the process from here on; if it is still booting, its init (and whatever
   * the pool sends it next) goes once it listens.
   */
  take(init: ChildInit): ChildProcess | null {
    const proc = this.#proc;
    if (!proc || !this.#kind || !proc.connected || (this.#kind.mpm === 'prefork') !== (init.mpm === 'prefork')) return null;
    this.#proc = null;
    proc.send({ act: 'init', init }, undefined, undefined, () => undefined);
    return proc;
  }

  /** Stops the standby; resolves once it has exited. */
  discard(): Promise<void> {
    const proc = this.#proc;
    this.#proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
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
