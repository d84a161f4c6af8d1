/**
 * The primary: owns the listener, the scoreboard image and the children, and runs the
 * maintenance loop. Decisions come from pure functions (dispatch, maintenance, directive
 * adjustment); this file only carries them out.
 *
 *   clients ─▶ Listener (paused sockets, accept queue) ─▶ chooseChild ─▶ child N (fork IPC + handle)
 *   child N ─▶ report / closed / status-request ─▶ image ─▶ /server-status, snapshot(), events
 *   timer   ─▶ performIdleServerMaintenance(image, directives, retained) ─▶ fork / stop one
 *
 * @see httpd server/mpm/prefork/prefork.c prefork_run, server_main_loop
 */

import { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import type { EffectiveDirectives } from '../directives/types.js';
import { dispatchAct, type ActTable, type ChildDirectives, type ChildToPrimary } from '../ipc/messages.js';
import { chooseChild } from '../mpm/dispatch.js';
import { performIdleServerMaintenance, startupChildren } from '../mpm/maintenance/index.js';
import { initialRetainedState, type MaintenanceLog, type RetainedState } from '../mpm/maintenance-types.js';
import { applyReport, cloneImage, createImage, markDead, markForked, markQuiescing } from '../scoreboard/image.js';
import type { MpmName, ScoreboardImage } from '../scoreboard/types.js';
import { renderAuto, renderHtml } from '../status/index.js';
import { exitReason, makeChild, type ChildRecord, type ExitReason } from './children.js';
import { Listener } from './listener.js';
import { resolveConfig, type PoolConfig, type ResolvedConfig } from './config.js';

export const SERVER_VERSION = 'Forkyard/0.1.0';
const SERVER_BUILT = ((d) => `${d.toUTCString().slice(8, 11)} ${d.toUTCString().slice(5, 7)} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)}`)(new Date());
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TERM_AFTER_MS = 3000;
const STOP_KILL_AFTER_MS = 6000;
/** After an app fails to load: wait 1, 2, 4 … 60 s before forking again (no fork storm). */
const FATAL_BACKOFF_MAX_MS = 60_000;

export interface ChildEvent {
  slot: number;
  pid: number;
  generation: number;
}
export interface ChildExitEvent extends ChildEvent {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  error?: string;
}

export interface StatusResponse {
  status: number;
  contentType: string;
  body: string;
  /** mod_status `?refresh=N`: sent as a `Refresh: N` header. */
  refresh?: number;
}

export interface PoolEvents {
  spawn: [ChildEvent];
  exit: [ChildExitEvent];
  log: [MaintenanceLog];
}

export class Pool extends EventEmitter<PoolEvents> {
  readonly config: ResolvedConfig;
  readonly #image: ScoreboardImage;
  readonly #children = new Map<number, ChildRecord>();
  #retained: RetainedState = initialRetainedState();
  #listener: Listener | null = null;
  #timer: NodeJS.Timeout | null = null;
  #nextConnId = 0;
  #stopping = false;
  #fatalStreak = 0;
  #spawnHoldUntil = 0;
  #lastFatal: string | null = null;
  #address: AddressInfo | null = null;

  constructor(config: ResolvedConfig) {
    super();
    this.config = config;
    const d = config.directives;
    const threaded = config.mpm !== 'prefork';
    this.#image = createImage(
      {
        mpm: config.mpm,
        serverName: config.serverName,
        serverVersion: SERVER_VERSION,
        serverBuilt: SERVER_BUILT,
        restartTime: Date.now(),
        configGeneration: 1,
        mpmGeneration: 0,
        cpuUser: 0,
        cpuSystem: 0,
        cpuChildrenUser: 0,
        cpuChildrenSystem: 0,
        acceptQueue: 0,
        extendedStatus: d.ExtendedStatus,
      },
      {
        serverLimit: d.ServerLimit,
        threadLimit: threaded ? d.ThreadLimit : 1,
        threadsPerChild: threaded ? d.ThreadsPerChild : 1,
        maxRequestWorkers: d.MaxRequestWorkers,
        maxDaemons: d.MaxDaemons,
      },
    );
  }

  get mpm(): MpmName {
    return this.config.mpm;
  }

  get directives(): EffectiveDirectives {
    return this.config.directives;
  }

  get address(): AddressInfo | null {
    return this.#address;
  }

  /** Opens the listener, forks StartServers children, resolves once they are ready. */
  async start(): Promise<AddressInfo> {
    const d = this.config.directives;
    this.#listener = new Listener({
      host: this.config.listen.host,
      port: this.config.listen.port,
      backlog: d.ListenBacklog,
      handOff: (socket) => this.#handOff(socket),
    });
    this.#address = await this.#listener.listen(this.config.listen.host, this.config.listen.port);
    const slots = startupChildren(this.config.mpm, this.#image, d);
    const started = slots.map((slot) => this.#makeChild(slot));
    try {
      await this.#waitReady(started);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#timer = setInterval(() => this.#serverMainLoopTick(), d.MaintenanceInterval);
    return this.#address;
  }

  /** Stop now (httpd SIGTERM): children are told to exit, then terminated if they linger. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#waitAllExited();
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const closing = this.#listener?.close();
    for (const child of this.#children.values()) this.#stopChild(child, 'stop', false);
    await this.#waitAllExited();
    await closing;
  }

  /** A deep copy of the scoreboard image, with the primary's own figures filled in. */
  snapshot(): ScoreboardImage {
    return cloneImage(this.#refreshGlobals());
  }

  /** mod_status for `query` (`auto`, `refresh=N`, …): what /server-status answers. */
  renderStatus(query: string, host: string, localAddress: string): StatusResponse {
    const image = this.#refreshGlobals();
    const now = Date.now();
    const loadavg = os.loadavg() as [number, number, number];
    const serverName = host.replace(/:\d+$/, '') || this.config.serverName;
    if (/(^|&)auto(=|&|$)/.test(query) || query.includes('auto')) {
      return { status: 200, contentType: 'text/plain; charset=ISO-8859-1', body: renderAuto(image, { now, loadavg, serverName }) };
    }
    const m = /refresh(?:=(-?\d+))?/.exec(query);
    const refresh = m ? Math.max(1, Number(m[1] ?? 10) || 10) : undefined;
    const body = renderHtml(image, { now, loadavg, serverName, localAddress, notable: query.includes('notable') });
    return { status: 200, contentType: 'text/html; charset=ISO-8859-1', body, ...(refresh ? { refresh } : {}) };
  }

  // ── connections ────────────────────────────────────────────────────────────────────────

  #handOff(socket: Socket): boolean {
    const d = this.config.directives;
    const list = [...this.#children.values()];
    const i = chooseChild(
      list.map((c) => ({ slot: c.slot, open: c.open.size, ready: c.ready, stopping: c.stopping, accepting: c.accepting })),
      { mpm: this.config.mpm, threadsPerChild: d.ThreadsPerChild, asyncRequestWorkerFactor: d.AsyncRequestWorkerFactor },
    );
    if (i < 0) return false;
    const child = list[i]!;
    const id = ++this.#nextConnId;
    child.open.add(id);
    child.proc.send({ act: 'conn', id }, socket, { keepOpen: false }, (err) => {
      if (!err) return;
      child.open.delete(id);
      // The child went away between the choice and the send: try another one.
      if (!socket.destroyed && !this.#stopping && !this.#handOff(socket)) socket.destroy();
    });
    return true;
  }

  // ── children ───────────────────────────────────────────────────────────────────────────

  #childDirectives(): ChildDirectives {
    const d = this.config.directives;
    return {
      KeepAlive: d.KeepAlive,
      KeepAliveTimeout: d.KeepAliveTimeout,
      MaxKeepAliveRequests: d.MaxKeepAliveRequests,
      Timeout: d.Timeout,
      MaxConnectionsPerChild: d.MaxConnectionsPerChild,
      AsyncRequestWorkerFactor: d.AsyncRequestWorkerFactor,
      ExtendedStatus: d.ExtendedStatus,
    };
  }

  #makeChild(slot: number): ChildRecord {
    const generation = this.#image.global.mpmGeneration;
    const threads = this.#image.limits.threadsPerChild;
    const child = makeChild({
      slot,
      generation,
      mpm: this.config.mpm,
      threadsPerChild: threads,
      app: this.config.app,
      directives: this.#childDirectives(),
      reportInterval: this.config.reportInterval,
    });
    this.#children.set(slot, child);
    markForked(this.#image, slot, child.pid, generation, threads, Date.now());
    child.proc.on('message', (msg: ChildToPrimary) => dispatchAct(this.#childActs, msg, child));
    child.proc.on('error', () => undefined);
    child.proc.once('exit', (code, signal) => this.#reap(child, code, signal));
    this.emit('spawn', { slot, pid: child.pid, generation });
    return child;
  }

  readonly #childActs: ActTable<ChildToPrimary, ChildRecord> = {
    ready: (_msg, child) => {
      child.ready = true;
      this.#fatalStreak = 0;
      this.#listener?.drain();
    },
    closed: (msg, child) => {
      if (child.open.delete(msg.id)) this.#listener?.drain();
    },
    report: (msg, child) => {
      if (this.#children.get(child.slot) !== child) return;
      applyReport(this.#image, child.slot, msg.slots, msg.counters, msg.usage);
      if (msg.usage) child.lastUsage = { cpuUser: msg.usage.cpuUser, cpuSystem: msg.usage.cpuSystem };
    },
    accepting: (msg, child) => {
      child.accepting = msg.accepting;
      if (msg.accepting) this.#listener?.drain();
    },
    'status-request': (msg, child) => {
      const page = this.renderStatus(msg.query, msg.host, msg.localAddress);
      if (child.proc.connected) child.proc.send({ act: 'status-reply', seq: msg.seq, ...page }, undefined, undefined, () => undefined);
    },
    fatal: (msg, child) => {
      child.fatal = { code: msg.code, message: msg.message };
    },
  };

  #stopChild(child: ChildRecord, reason: ExitReason, graceful: boolean): void {
    if (child.stopping && graceful) return;
    child.stopping = true;
    child.reason ??= reason;
    if (graceful) markQuiescing(this.#image, child.slot);
    if (child.proc.connected) child.proc.send({ act: 'stop', graceful }, undefined, undefined, () => undefined);
    else child.proc.kill('SIGTERM');
  }

  #reap(child: ChildRecord, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#children.get(child.slot) === child) this.#children.delete(child.slot);
    const g = this.#image.global;
    g.cpuChildrenUser += child.lastUsage.cpuUser;
    g.cpuChildrenSystem += child.lastUsage.cpuSystem;
    markDead(this.#image, child.slot, Date.now());
    const reason = exitReason(child, code, signal);
    if (reason === 'app-error') {
      this.#lastFatal = child.fatal?.message ?? 'the application failed to load';
      this.#fatalStreak++;
      this.#spawnHoldUntil = Date.now() + Math.min(FATAL_BACKOFF_MAX_MS, 1000 * 2 ** (this.#fatalStreak - 1));
    }
    this.emit('exit', {
      slot: child.slot,
      pid: child.pid,
      generation: child.generation,
      code,
      signal,
      reason,
      ...(child.fatal ? { error: child.fatal.message } : {}),
    });
    // Connections queued for capacity may now fit elsewhere.
    this.#listener?.drain();
  }

  #serverMainLoopTick(): void {
    if (this.#stopping) return;
    const plan = performIdleServerMaintenance({
      mpm: this.config.mpm,
      image: this.#image,
      directives: this.config.directives,
      retained: this.#retained,
    });
    this.#retained = plan.retained;
    for (const entry of plan.log) this.emit('log', entry);
    if (plan.stop !== null) {
      const child = this.#children.get(plan.stop);
      if (child) this.#stopChild(child, 'surplus', true);
    }
    if (plan.spawn.length > 0 && Date.now() < this.#spawnHoldUntil) {
      this.emit('log', {
        level: 'error',
        id: 'FY00001',
        message: `not starting children for now: the application failed to load (${this.#lastFatal}); retrying in ${Math.ceil((this.#spawnHoldUntil - Date.now()) / 1000)} s`,
      });
      return;
    }
    for (const slot of plan.spawn) {
      if (!this.#children.has(slot)) this.#makeChild(slot);
    }
  }

  #refreshGlobals(): ScoreboardImage {
    const g = this.#image.global;
    const cpu = process.cpuUsage();
    g.cpuUser = cpu.user / 1e6;
    g.cpuSystem = cpu.system / 1e6;
    g.acceptQueue = this.#listener?.queued ?? 0;
    return this.#image;
  }

  #waitReady(children: ChildRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`children did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
      const check = (): void => {
        const failed = children.find((c) => c.fatal);
        if (failed) return done(Object.assign(new Error(failed.fatal!.message), { code: failed.fatal!.code }));
        if (children.every((c) => c.ready)) done();
      };
      const done = (err?: Error): void => {
        clearTimeout(timer);
        for (const c of children) c.proc.off('message', check);
        this.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onExit = (e: ChildExitEvent): void => {
        if (children.some((c) => c.pid === e.pid) && !children.every((c) => c.ready)) {
          if (e.reason === 'app-error') done(Object.assign(new Error(e.error ?? 'the application failed to load'), { code: 'FY_APP_LOAD' }));
          else done(new Error(`child ${e.pid} exited during start-up (code ${e.code}, signal ${e.signal})`));
        }
      };
      // Our `message` listener runs after the act table's, so flags are already set.
      for (const c of children) c.proc.on('message', check);
      this.on('exit', onExit);
      if (children.length === 0) done();
    });
  }

  #waitAllExited(): Promise<void> {
    const pending = [...this.#children.values()];
    if (pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const term = setTimeout(() => pending.forEach((c) => c.proc.exitCode === null && c.proc.kill('SIGTERM')), STOP_TERM_AFTER_MS);
      const kill = setTimeout(() => pending.forEach((c) => c.proc.exitCode === null && c.proc.kill('SIGKILL')), STOP_KILL_AFTER_MS);
      let left = pending.length;
      for (const c of pending) {
        const onGone = (): void => {
          if (--left > 0) return;
          clearTimeout(term);
          clearTimeout(kill);
          resolve();
        };
        if (c.proc.exitCode !== null || c.proc.signalCode !== null) onGone();
        else c.proc.once('exit', onGone);
      }
    });
  }
}

export function createPool(config: PoolConfig = {}): Pool {
  return new Pool(resolveConfig(config));
}
