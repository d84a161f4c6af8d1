/**
 * The primary: owns the listener, the scoreboard image and the children, runs the maintenance
 * loop and rolls generations. Decisions come from pure functions (dispatch, maintenance,
 * directive adjustment); this file carries them out.
 *
 *   clients ─▶ Listener (paused sockets, accept queue) ─▶ chooseChild ─▶ child (fork IPC + handle)
 *   child   ─▶ report / closed / accepting / status-request ─▶ image ─▶ /server-status, snapshot()
 *   timer   ─▶ performIdleServerMaintenance(image, directives, retained) ─▶ fork / stop one
 *   change  ─▶ new generation: start new children, then stop dispatching to the old ones,
 *              which finish what they hold (G) and exit
 *
 * @see httpd server/mpm/prefork/prefork.c prefork_run, server/mpm/event/event.c server_main_loop
 */

import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import type { DirectiveWarning, EffectiveDirectives } from '../directives/types.js';
import { Descriptor, sendConn } from '../ipc/conn-channel.js';
import { dispatchAct, type ActTable, type ChildDirectives, type ChildInit, type ChildToPrimary, type Forensic } from '../ipc/messages.js';
import { chooseChild, connectionLimit, nextConnId } from '../mpm/dispatch.js';
import { performIdleServerMaintenance, retainedAfterGracefulRestart, startupChildren } from '../mpm/maintenance/index.js';
import { initialRetainedState, type MaintenanceLog, type RetainedState } from '../mpm/maintenance-types.js';
import { applyReport, cloneImage, createImage, markDead, markForked, markQuiescing, relayoutImage, zeroImage } from '../scoreboard/image.js';
import type { MpmName, ScoreboardImage, ScoreboardLimits } from '../scoreboard/types.js';
import { renderAuto, renderHtml } from '../status/index.js';
import { connChannelOf, exitReason, onClosedReports, hasExited, makeChild, unreadConns, recycleLimit, waitExited, type ChildRecord, type ExitReason } from './children.js';
import { Listener, type Accepted } from './listener.js';
import { Standbys } from './standby.js';
import { resolveConfig, type PoolConfig, type ResolvedConfig } from './config.js';
import { needsNewGeneration, PoolError } from './changes.js';

export const SERVER_VERSION = 'Forkyard/0.1.0';
/** httpd prints its build date as `Mon DD YYYY HH:MM:SS`; ours is when this file was built. */
const SERVER_BUILT = ((d) => `${d.toUTCString().slice(8, 11)} ${d.toUTCString().slice(5, 7)} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)}`)(
  statSync(fileURLToPath(import.meta.url)).mtime,
);
/**
 * A start that has made no child ready for this long has failed (many threads on few cores are
 * slow, not stuck). FORKYARD_STARTUP_TIMEOUT_MS changes it.
 */
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TERM_AFTER_MS = 3000;
const STOP_KILL_AFTER_MS = 6000;
/** Forensics of stopped requests kept in memory for the API. */
const FORENSICS_KEPT = 50;
/** After an app fails to load: wait 1, 2, 4 … 60 s before forking again (no fork storm). */
const FATAL_BACKOFF_MAX_MS = 60_000;

export interface ChildEvent {
  slot: number;
  pid: number;
  generation: number;
  mpm: MpmName;
}
export interface ChildExitEvent extends ChildEvent {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  error?: string;
}
export interface GenerationEvent {
  generation: number;
  mpm: MpmName;
  reason: 'graceful-restart' | 'restart' | 'switch' | 'directives';
}
export interface StatusResponse {
  status: number;
  contentType: string;
  body: string;
  /** mod_status `?refresh=N`: sent as a `Refresh: N` header. */
  refresh?: number;
}
export interface ApplyResult {
  /** True if the change needed a new generation of children. */
  newGeneration: boolean;
  directives: EffectiveDirectives;
  warnings: DirectiveWarning[];
}

/** A condition that holds until it ends (see Pool.alerts). */
export interface PoolAlert {
  id: string;
  level: 'error' | 'warn';
  message: string;
  /** Epoch ms since when it holds. */
  since: number;
}

/** A request stopped by RequestTimeLimit, with what it was doing. */
export interface ForensicEvent extends Forensic {
  pid: number;
  slot: number;
  generation: number;
  at: number;
}

export interface PoolEvents {
  forensic: [ForensicEvent];
  spawn: [ChildEvent];
  exit: [ChildExitEvent];
  log: [MaintenanceLog];
  generation: [GenerationEvent];
  directives: [{ before: EffectiveDirectives; after: EffectiveDirectives }];
}

function limitsOf(config: ResolvedConfig): ScoreboardLimits {
  const d = config.directives;
  const threaded = config.mpm !== 'prefork';
  return {
    serverLimit: d.ServerLimit,
    threadLimit: threaded ? d.ThreadLimit : 1,
    threadsPerChild: threaded ? d.ThreadsPerChild : 1,
    maxRequestWorkers: d.MaxRequestWorkers,
    maxDaemons: d.MaxDaemons,
  };
}

export class Pool extends EventEmitter<PoolEvents> {
  #config: ResolvedConfig;
  /** The operator's own settings, re-resolved against each MPM's defaults on a switch. */
  #given: PoolConfig;
  readonly #image: ScoreboardImage;
  /** The child owning each slot. */
  readonly #children = new Map<number, ChildRecord>();
  /** Old children whose slot a new child took over (httpd's squatting, worker MPM). */
  readonly #extras = new Set<ChildRecord>();
  /** Prefork children past MaxConnectionsPerChild, told to go once their last connection closes. */
  readonly #recycleDue = new WeakSet<ChildRecord>();
  /**
   * Connections sent to a child whose send has not completed. Node queues a handle behind one
   * the child has not acknowledged yet; if the child dies, the queued ones are never sent and
   * their callbacks never run, so the reaper hands them to another child.
   */
  readonly #unsent = new WeakMap<ChildRecord, Map<number, Accepted>>();
  #retained: RetainedState = initialRetainedState();
  #listener: Listener | null = null;
  #timer: NodeJS.Timeout | null = null;
  #nextConnId = 0;
  #connIdsWrapped = false;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #change: Promise<unknown> | null = null;
  #fatalStreak = 0;
  #spawnHoldUntil = 0;
  #lastFatal: string | null = null;
  #address: AddressInfo | null = null;
  readonly #forensics: ForensicEvent[] = [];
  #fatalSince = 0;
  readonly #standby: Standbys;

  constructor(config: ResolvedConfig, given: PoolConfig = {}) {
    super();
    this.#config = config;
    this.#standby = new Standbys(config.standby);
    this.#given = { ...given, mpm: config.mpm, directives: { ...(given.directives ?? {}) } };
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
        acceptRefused: 0,
        extendedStatus: config.directives.ExtendedStatus,
      },
      limitsOf(config),
    );
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  get mpm(): MpmName {
    return this.#config.mpm;
  }

  get directives(): EffectiveDirectives {
    return this.#config.directives;
  }

  get generation(): number {
    return this.#image.global.mpmGeneration;
  }

  get address(): AddressInfo | null {
    return this.#address;
  }

  /** The standby the next child would be made of (booted ahead of need; a booted one first), or null. */
  get standby(): { pid: number; booted: boolean } | null {
    return this.#standby.next;
  }

  /** Every standby process, booted or booting, oldest first (one at rest; more while children churn). */
  get standbys(): { pid: number; booted: boolean }[] {
    return this.#standby.all;
  }

  /** True while a restart, switch or resize is rolling. */
  get changing(): boolean {
    return this.#change !== null;
  }

  /** Opens the listener, forks StartServers children, resolves once they are ready. */
  async start(): Promise<AddressInfo> {
    if (this.#state !== 'new') throw new PoolError('FY_STATE', 'this pool has already been started');
    this.#state = 'running';
    const d = this.#config.directives;
    this.#listener = new Listener({
      host: this.#config.listen.host,
      port: this.#config.listen.port,
      backlog: d.ListenBacklog,
      handOff: (conn) => this.#handOff(conn),
    });
    this.#address = await this.#listener.listen(this.#config.listen.host, this.#config.listen.port).catch(async (err) => {
      this.#state = 'stopped';
      throw err;
    });
    try {
      await this.#startChildren(startupChildren(this.mpm, this.#image, d));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#startLoop();
    return this.#address;
  }

  /** Stop now (httpd SIGTERM): children are told to exit, then terminated if they linger. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return this.#waitAll();
    this.#state = 'stopping';
    this.#stopLoop();
    const closing = this.#listener?.close();
    const standby = this.#standby.discard();
    for (const child of this.#all()) this.#stopChild(child, 'stop', false);
    await this.#waitAll();
    await standby;
    await closing;
    this.#state = 'stopped';
  }

  /**
   * Graceful stop (httpd SIGWINCH): no new connections; children finish what they hold, bounded
   * by GracefulShutdownTimeout (0: wait as long as it takes), then the pool stops.
   */
  async gracefulStop(): Promise<void> {
    if (this.#state !== 'running') return this.stop();
    this.#state = 'stopping';
    this.#stopLoop();
    // The listening socket closes now; the promise only settles once every connection handed
    // to a child has closed (Node asks the children), so it is awaited after they are gone.
    const closing = this.#listener?.close();
    const standby = this.#standby.discard();
    const all = this.#all();
    for (const child of all) this.#stopChild(child, 'stop', true);
    const limit = this.#config.directives.GracefulShutdownTimeout * 1000;
    await waitExited(all, limit, limit > 0 ? limit + STOP_KILL_AFTER_MS : 0);
    await standby;
    await closing;
    this.#state = 'stopped';
  }

  /** Graceful restart (httpd SIGUSR1): a new generation with the same configuration. */
  gracefulRestart(): Promise<ApplyResult> {
    return this.#exclusive(() => this.#roll(this.#config, this.#given, 'graceful-restart'));
  }

  /** Hard restart (httpd SIGHUP): children stop now, the scoreboard is zeroed, a new generation starts. */
  restart(): Promise<ApplyResult> {
    return this.#exclusive(async () => {
      const old = this.#all();
      for (const child of old) this.#stopChild(child, 'generation', false);
      await waitExited(old, STOP_TERM_AFTER_MS, STOP_KILL_AFTER_MS);
      const g = this.#image.global;
      zeroImage(this.#image);
      g.restartTime = Date.now();
      g.cpuChildrenUser = 0;
      g.cpuChildrenSystem = 0;
      g.mpmGeneration++;
      g.configGeneration++;
      this.#retained = initialRetainedState();
      this.emit('generation', { generation: g.mpmGeneration, mpm: this.mpm, reason: 'restart' });
      await this.#startChildren(startupChildren(this.mpm, this.#image, this.#config.directives));
      return { newGeneration: true, directives: this.#config.directives, warnings: [] };
    });
  }

  /** Live MPM switch: a new generation under another MPM; nothing that reached the pool fails. */
  switchMpm(mpm: MpmName | string): Promise<ApplyResult> {
    return this.#exclusive(() => {
      const given = { ...this.#given, mpm };
      return this.#roll(this.#resolve(given), given, 'switch');
    });
  }

  /**
   * Validates `partial` together with the current directives (all or nothing, httpd's
   * adjustments applied). In-place directives apply from the next tick or connection; the rest
   * (ThreadsPerChild, ServerLimit, ThreadLimit) roll a new generation.
   */
  applyDirectives(partial: Record<string, unknown>): Promise<ApplyResult> {
    return this.#exclusive(async () => {
      const given = { ...this.#given, directives: { ...this.#given.directives, ...partial } };
      const next = this.#resolve(given);
      if (needsNewGeneration(this.#config, next)) return this.#roll(next, given, 'directives');
      const before = this.#config.directives;
      this.#adopt(next, given);
      this.#image.limits = { ...limitsOf(next), serverLimit: this.#image.limits.serverLimit, threadLimit: this.#image.limits.threadLimit };
      this.#image.global.extendedStatus = next.directives.ExtendedStatus;
      if (this.#listener) this.#listener.backlog = next.directives.ListenBacklog;
      if (before.MaintenanceInterval !== next.directives.MaintenanceInterval) this.#startLoop();
      const cd = this.#childDirectives();
      for (const child of this.#all()) if (child.proc.connected) child.proc.send({ act: 'directives', directives: cd }, undefined, undefined, () => undefined);
      this.emit('directives', { before, after: next.directives });
      this.#listener?.drain();
      return { newGeneration: false, directives: next.directives, warnings: next.warnings };
    });
  }

  /**
   * Operator actions on one child, by pid: 'recycle' stops it gracefully (it finishes what it
   * holds; maintenance replaces it if the spares call for it), 'kill' ends it now (SIGKILL; its
   * in-flight requests fail). Resolves once the child has exited.
   */
  async childAction(pid: number, action: 'recycle' | 'kill'): Promise<void> {
    if (this.#state !== 'running') throw new PoolError('FY_STATE', `the pool is ${this.#state}, not running`);
    const child = this.#all().find((c) => c.pid === pid);
    if (!child) throw new PoolError('FY_CHILD_UNKNOWN', `no child with pid ${pid} in this pool`);
    if (action === 'recycle') this.#stopChild(child, 'recycled', true);
    else {
      child.stopping = true;
      child.reason ??= 'killed';
      child.proc.kill('SIGKILL');
    }
    await waitExited([child], 0, 0);
  }

  /**
   * Conditions that hold now and that an operator must see until they end (not one-off log
   * lines): today, an application that keeps failing to load while forking is held off.
   */
  alerts(): PoolAlert[] {
    if (this.#fatalStreak === 0 || this.#lastFatal === null) return [];
    const retryIn = Math.max(0, Math.ceil((this.#spawnHoldUntil - Date.now()) / 1000));
    return [
      {
        id: 'FY00001',
        level: 'error',
        message: `the application fails to load (${this.#lastFatal}); ${this.#fatalStreak} failure(s) in a row, forking held off${retryIn > 0 ? `, next try in ${retryIn} s` : ''}`,
        since: this.#fatalSince,
      },
    ];
  }

  /** The last requests stopped by RequestTimeLimit, oldest first. */
  forensics(): ForensicEvent[] {
    return [...this.#forensics];
  }

  /** A deep copy of the scoreboard image, with the primary's own figures filled in. */
  snapshot(): ScoreboardImage {
    return cloneImage(this.#refreshGlobals());
  }

  /**
   * Runs `read` on the live scoreboard image, with the primary's own figures filled in, and
   * returns what it returns: for a reader that copies what it needs there and then (the
   * stream's source, ten times a second per rate), without snapshot()'s deep copy of every
   * slot. `read` must neither change the image nor keep it.
   */
  readImage<T>(read: (image: Readonly<ScoreboardImage>) => T): T {
    return read(this.#refreshGlobals());
  }

  /** mod_status for `query` (`auto`, `refresh=N`, `notable`): what /server-status answers. */
  renderStatus(query: string, host = '', localAddress = ''): StatusResponse {
    const image = this.#refreshGlobals();
    const now = Date.now();
    const loadavg = os.loadavg() as [number, number, number];
    const serverName = host.replace(/:\d+$/, '') || this.#config.serverName;
    if (query.includes('auto')) {
      return { status: 200, contentType: 'text/plain; charset=ISO-8859-1', body: renderAuto(image, { now, loadavg, serverName }) };
    }
    const m = /refresh(?:=(-?\d+))?/.exec(query);
    const refresh = m ? Math.max(1, Number(m[1] ?? 10) || 10) : undefined;
    const body = renderHtml(image, { now, loadavg, serverName, localAddress, notable: query.includes('notable') });
    return { status: 200, contentType: 'text/html; charset=ISO-8859-1', body, ...(refresh ? { refresh } : {}) };
  }

  // ── generations ────────────────────────────────────────────────────────────────────────

  #resolve(given: PoolConfig): ResolvedConfig {
    return resolveConfig({ ...given, listen: this.#config.listen, reportInterval: this.#config.reportInterval, standby: this.#config.standby });
  }

  #adopt(next: ResolvedConfig, given: PoolConfig): void {
    this.#config = next;
    this.#given = { ...given, mpm: next.mpm };
  }

  /** One change at a time: a second one while the first rolls is refused (FY_BUSY). */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#state !== 'running') throw new PoolError('FY_STATE', `the pool is ${this.#state}, not running`);
    if (this.#change) throw new PoolError('FY_BUSY', 'another restart, switch or resize is in progress: retry when it has finished');
    const p = fn();
    this.#change = p;
    try {
      return await p;
    } finally {
      this.#change = null;
    }
  }

  /**
   * A new generation: start its children first (so there is capacity at every moment), then
   * stop dispatching to the old ones, which finish their requests and exit. If the new children
   * cannot start, they are removed and the pool stays as it was.
   */
  async #roll(next: ResolvedConfig, given: PoolConfig, reason: GenerationEvent['reason']): Promise<ApplyResult> {
    const prev = this.#config;
    const prevGiven = this.#given;
    const old = this.#all();
    const g = this.#image.global;
    const before = prev.directives;
    this.#adopt(next, given);
    g.mpmGeneration++;
    g.configGeneration++;
    g.mpm = next.mpm;
    g.extendedStatus = next.directives.ExtendedStatus;
    relayoutImage(this.#image, limitsOf(next));
    if (this.#listener) this.#listener.backlog = next.directives.ListenBacklog;
    const wanted = Math.min(next.directives.StartServers, next.directives.MaxDaemons);
    const slots = startupChildren(next.mpm, this.#image, next.directives).slice(0, wanted);
    try {
      await this.#startChildren(slots);
    } catch (err) {
      this.#config = prev;
      this.#given = prevGiven;
      g.mpmGeneration--;
      g.configGeneration--;
      g.mpm = prev.mpm;
      g.extendedStatus = prev.directives.ExtendedStatus;
      if (this.#listener) this.#listener.backlog = prev.directives.ListenBacklog;
      for (const slot of slots) {
        const c = this.#children.get(slot);
        if (c && c.generation !== g.mpmGeneration) this.#stopChild(c, 'generation', false);
      }
      relayoutImage(this.#image, limitsOf(prev));
      throw new PoolError('FY_GENERATION_FAILED', `the new generation did not start: ${(err as Error).message}`);
    }
    this.#retained = retainedAfterGracefulRestart(this.#retained, next.directives);
    this.#retained = { ...this.#retained, remainingChildrenToStart: Math.max(0, wanted - slots.length) };
    this.emit('generation', { generation: g.mpmGeneration, mpm: next.mpm, reason });
    if (reason !== 'graceful-restart') this.emit('directives', { before, after: next.directives });
    for (const child of old) this.#stopChild(child, 'generation', true);
    this.#startLoop();
    const limit = next.directives.GracefulShutdownTimeout * 1000;
    await waitExited(old, limit, limit > 0 ? limit + STOP_KILL_AFTER_MS : 0);
    return { newGeneration: true, directives: next.directives, warnings: next.warnings };
  }

  // ── connections ────────────────────────────────────────────────────────────────────────

  #handOff(conn: Accepted): boolean {
    const list = [...this.#children.values()];
    const i = chooseChild(list.map((c) => ({ slot: c.slot, open: c.open.size, limit: c.limit, ready: c.ready, stopping: c.stopping, accepting: c.accepting, generation: c.generation })), this.mpm);
    if (i < 0) return false;
    const child = list[i]!;
    // Before the first wrap no id can still be open: only then are the children asked.
    const id = nextConnId(this.#nextConnId, (n) => this.#connIdsWrapped && this.#all().some((c) => c.open.has(n)));
    if (id < this.#nextConnId) this.#connIdsWrapped = true;
    this.#nextConnId = id;
    child.open.add(id);
    child.dispatched++;
    const channel = connChannelOf(child.proc);
    // On the connection channel the descriptor is in flight once written: close ours.
    if (channel >= 0 && sendConn(channel, conn.fd, id)) conn.close();
    else if (!(conn instanceof Descriptor)) this.#sendOverFork(child, id, conn);
    else {
      // One taken back from a dead child is no libuv handle for the fork channel: it waits in
      // the accept queue until a channel has room.
      child.open.delete(id);
      child.dispatched--;
      return false;
    }
    // After the connection message, so the child serves it before it hears it must go.
    if (child.recycleAfter > 0 && child.dispatched >= child.recycleAfter) this.#recycle(child);
    return true;
  }

  /** The fork channel's way: the connection is unsent until Node has written it. */
  #sendOverFork(child: ChildRecord, id: number, conn: Accepted): void {
    let unsent = this.#unsent.get(child);
    if (!unsent) this.#unsent.set(child, (unsent = new Map()));
    unsent.set(id, conn);
    // Closed here once written: the descriptor travels in the message itself. Node keeps no
    // copy of a bare handle until the child acknowledges it, so a child that dies first cannot
    // leave the primary holding a connection no one serves.
    child.proc.send({ act: 'conn', id }, conn as unknown as Socket, {}, (err) => {
      unsent.delete(id);
      if (!err) return void conn.close();
      child.open.delete(id);
      // The child went away between the choice and the send: try another one. It is not chosen
      // again (its channel is gone, or going): the error comes on the next tick, so choosing it
      // again would retry without end before its exit can be reaped.
      child.accepting = false;
      if (this.#state !== 'running' || !this.#handOff(conn)) conn.close();
    });
  }

  /**
   * MaxConnectionsPerChild reached: the child gets no more connections and leaves once it has
   * served them; its replacement is forked now, before it goes, if the pool has room.
   */
  #recycle(child: ChildRecord, reason: 'recycled' | 'memory' = 'recycled'): void {
    // A prefork child serves its last connection like any other, keep-alive included (httpd
    // child_main checks the count before the next accept): a stop now would answer it with
    // `Connection: close`. It takes nothing more (one connection at a time) and is told to go
    // when that connection closes.
    child.reason ??= reason;
    if (child.mpm === 'prefork' && child.open.size > 0) this.#recycleDue.add(child);
    else this.#stopChild(child, reason, true);
    const current = [...this.#children.values()].filter((c) => !c.stopping && !this.#recycleDue.has(c) && c.generation === this.generation).length;
    if (current >= this.#config.directives.MaxDaemons) return;
    const slot = startupChildren(this.mpm, this.#image, this.#config.directives)[0];
    if (slot !== undefined && !this.#children.has(slot)) this.#makeChild(slot);
  }

  // ── children ───────────────────────────────────────────────────────────────────────────

  #all(): ChildRecord[] {
    return [...this.#children.values(), ...this.#extras];
  }

  #childDirectives(): ChildDirectives {
    const d = this.#config.directives;
    return {
      KeepAlive: d.KeepAlive,
      KeepAliveTimeout: d.KeepAliveTimeout,
      MaxKeepAliveRequests: d.MaxKeepAliveRequests,
      Timeout: d.Timeout,
      // The primary counts connections and recycles children itself (with spacing).
      MaxConnectionsPerChild: 0,
      AsyncRequestWorkerFactor: d.AsyncRequestWorkerFactor,
      LimitRequestBody: d.LimitRequestBody,
      RequestTimeLimit: d.RequestTimeLimit,
      ExtendedStatus: d.ExtendedStatus,
    };
  }

  #makeChild(slot: number): ChildRecord {
    const generation = this.#image.global.mpmGeneration;
    const d = this.#config.directives;
    const threads = this.#threadsPerChild();
    const squatted = this.#children.get(slot);
    if (squatted) this.#extras.add(squatted);
    const init: ChildInit = {
      slot,
      generation,
      mpm: this.mpm,
      threadsPerChild: threads,
      app: this.#config.app,
      directives: this.#childDirectives(),
      reportInterval: this.#config.reportInterval,
      localPort: this.#address?.port ?? 0,
    };
    const standby = this.#state === 'running' ? this.#standby.take(init) : null;
    const child = makeChild(
      init,
      connectionLimit({ mpm: this.mpm, threadsPerChild: threads, asyncRequestWorkerFactor: d.AsyncRequestWorkerFactor }),
      recycleLimit(d.MaxConnectionsPerChild, slot),
      standby,
    );
    // Children come faster than one standby boots: the next boots now, beside those booting.
    if (this.#standby.depth() > 1) this.#prepareStandby();
    this.#children.set(slot, child);
    markForked(this.#image, slot, child.pid, generation, threads, Date.now());
    child.proc.on('message', (msg: ChildToPrimary) => dispatchAct(this.#childActs, msg, child));
    onClosedReports(child.proc, (ids) => this.#childActs.closed({ act: 'closed', ids }, child));
    child.proc.on('error', () => undefined);
    // 'close' comes after the IPC channel has delivered everything (a fatal report included).
    // A fork that fails (EAGAIN, ENOMEM) has no 'exit' but does have a 'close', so it is reaped too.
    child.proc.once('close', (code, signal) => this.#reap(child, code, signal));
    this.emit('spawn', { slot, pid: child.pid, generation, mpm: child.mpm });
    return child;
  }

  /** Threads in each child of the current configuration (prefork: its main thread). */
  #threadsPerChild(): number {
    return this.mpm === 'prefork' ? 1 : this.#config.directives.ThreadsPerChild;
  }

  /** A standby of the current MPM and ThreadsPerChild, unless the pool is stopping. */
  #prepareStandby(): void {
    if (this.#state !== 'running') return;
    this.#standby.prepare({ mpm: this.mpm, threads: this.#threadsPerChild() });
  }

  readonly #childActs: ActTable<ChildToPrimary, ChildRecord> = {
    listening: () => undefined,
    ready: (_msg, child) => {
      child.ready = true;
      this.#fatalStreak = 0;
      this.#listener?.drain();
      // The next standby boots once this child is up, not while it competes with its start-up.
      this.#prepareStandby();
    },
    closed: (msg, child) => {
      let any = false;
      for (const id of msg.ids) any = child.open.delete(id) || any;
      if (!any) return;
      if (child.open.size === 0 && this.#recycleDue.delete(child)) this.#stopChild(child, child.reason ?? 'recycled', true);
      this.#listener?.drain();
    },
    report: (msg, child) => {
      if (this.#children.get(child.slot) !== child) return;
      applyReport(this.#image, child.slot, msg.slots, msg.counters, msg.usage);
      if (!msg.usage) return;
      child.lastUsage = { cpuUser: msg.usage.cpuUser, cpuSystem: msg.usage.cpuSystem };
      const limitMiB = this.#config.directives.MaxMemoryPerChild;
      if (limitMiB > 0 && msg.usage.rss > limitMiB * 1024 * 1024 && !child.stopping && !this.#recycleDue.has(child)) {
        this.emit('log', {
          level: 'warn',
          id: 'FY00002',
          message: `child ${child.pid} uses ${Math.round(msg.usage.rss / 1048576)} MiB, above MaxMemoryPerChild ${limitMiB} MiB: recycling it gracefully (a replacement starts first)`,
        });
        this.#recycle(child, 'memory');
      }
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
    forensic: (msg, child) => {
      const { act: _act, ...forensic } = msg;
      const entry: ForensicEvent = { ...forensic, pid: child.pid, slot: child.slot, generation: child.generation, at: Date.now() };
      this.#forensics.push(entry);
      if (this.#forensics.length > FORENSICS_KEPT) this.#forensics.shift();
      this.emit('log', {
        level: 'error',
        id: 'FY00003',
        message: `RequestTimeLimit: stopped "${entry.request}" from ${entry.client} after ${entry.elapsedMs} ms (child ${child.pid}, thread ${entry.thread})${entry.answered503 ? ', answered 503' : ''}\n${entry.stack}`,
      });
      this.emit('forensic', entry);
    },
  };

  #stopChild(child: ChildRecord, reason: ExitReason, graceful: boolean): void {
    if (child.stopping && graceful) return;
    child.stopping = true;
    child.reason ??= reason;
    if (graceful && this.#children.get(child.slot) === child) markQuiescing(this.#image, child.slot);
    if (child.proc.connected) child.proc.send({ act: 'stop', graceful }, undefined, undefined, () => undefined);
    else if (!hasExited(child)) child.proc.kill('SIGTERM');
  }

  #reap(child: ChildRecord, code: number | null, signal: NodeJS.Signals | null): void {
    const owner = this.#children.get(child.slot) === child;
    this.#extras.delete(child);
    const g = this.#image.global;
    g.cpuChildrenUser += child.lastUsage.cpuUser;
    g.cpuChildrenSystem += child.lastUsage.cpuSystem;
    if (owner) {
      this.#children.delete(child.slot);
      markDead(this.#image, child.slot, Date.now());
    }
    // Connections the child never got (still in Node's queue) or never read (still in its
    // connection channel) go to another child, or wait in the accept queue for one.
    const orphans: Array<[number, Accepted]> = [...(this.#unsent.get(child) ?? [])];
    orphans.push(...unreadConns(child.proc));
    this.#unsent.delete(child);
    for (const [id, conn] of orphans) {
      child.open.delete(id);
      if (this.#state !== 'running' || !this.#listener) conn.close();
      else if (!this.#handOff(conn)) this.#listener.requeue(conn);
    }
    const reason = exitReason(child, code, signal);
    if (reason === 'app-error') {
      if (this.#fatalStreak === 0) this.#fatalSince = Date.now();
      this.#lastFatal = child.fatal?.message ?? 'the application failed to load';
      this.#fatalStreak++;
      this.#spawnHoldUntil = Date.now() + Math.min(FATAL_BACKOFF_MAX_MS, 1000 * 2 ** (this.#fatalStreak - 1));
    }
    this.emit('exit', {
      slot: child.slot,
      pid: child.pid,
      generation: child.generation,
      mpm: child.mpm,
      code,
      signal,
      reason,
      ...(child.fatal ? { error: child.fatal.message } : {}),
    });
    // After a graceful restart, an old child's slot goes to a new one at once (httpd's 1-for-1).
    if (owner && this.#state === 'running' && child.generation !== g.mpmGeneration && this.#retained.remainingChildrenToStart > 0) {
      const free = startupChildren(this.mpm, this.#image, this.#config.directives);
      if (free.includes(child.slot)) {
        this.#retained = { ...this.#retained, remainingChildrenToStart: this.#retained.remainingChildrenToStart - 1 };
        this.#makeChild(child.slot);
      }
    }
    this.#listener?.drain();
  }

  #startLoop(): void {
    this.#stopLoop();
    if (this.#state === 'running') this.#timer = setInterval(() => this.#serverMainLoopTick(), this.#config.directives.MaintenanceInterval);
  }

  #stopLoop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The hold the FY00001 log line was written for. */
  #holdLogged = 0;

  #serverMainLoopTick(): void {
    if (this.#state !== 'running') return;
    this.#standby.trim();
    const plan = performIdleServerMaintenance({ mpm: this.mpm, image: this.#image, directives: this.#config.directives, retained: this.#retained });
    const held = plan.spawn.length > 0 && Date.now() < this.#spawnHoldUntil;
    // A pass that may not fork must not grow the spawn rate either, or the hold ends in a burst.
    this.#retained = held ? { ...plan.retained, idleSpawnRate: 1 } : plan.retained;
    for (const entry of plan.log) this.emit('log', entry);
    if (plan.stop !== null) {
      const child = this.#children.get(plan.stop);
      if (child) this.#stopChild(child, 'surplus', true);
    }
    if (held) {
      // Once per hold (each new failure starts one); alerts() carries it while it lasts.
      if (this.#holdLogged === this.#spawnHoldUntil) return;
      this.#holdLogged = this.#spawnHoldUntil;
      this.emit('log', {
        level: 'error',
        id: 'FY00001',
        message: `not starting children for now: the application failed to load (${this.#lastFatal}); retrying in ${Math.ceil((this.#spawnHoldUntil - Date.now()) / 1000)} s`,
      });
      return;
    }
    for (const slot of plan.spawn) {
      const holder = this.#children.get(slot);
      if (!holder || holder.stopping) this.#makeChild(slot);
    }
  }

  #refreshGlobals(): ScoreboardImage {
    const g = this.#image.global;
    const cpu = process.cpuUsage();
    g.cpuUser = cpu.user / 1e6;
    g.cpuSystem = cpu.system / 1e6;
    g.acceptQueue = this.#listener?.queued ?? 0;
    g.acceptRefused = this.#listener?.refused ?? g.acceptRefused;
    return this.#image;
  }

  /**
   * Forks children into `slots` and resolves once all are ready; rejects on an app error, or
   * once STARTUP_TIMEOUT_MS has passed without one more child ready.
   */
  #startChildren(slots: number[]): Promise<void> {
    const children = slots.map((slot) => this.#makeChild(slot));
    if (children.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const limit = Number(process.env.FORKYARD_STARTUP_TIMEOUT_MS) || STARTUP_TIMEOUT_MS;
      let ready = 0;
      const stalled = (): void => done(new Error(`children did not start: ${ready} of ${children.length} ready, and none more within ${limit / 1000} s`));
      let timer = setTimeout(stalled, limit);
      const check = (): void => {
        const failed = children.find((c) => c.fatal);
        if (failed) return done(Object.assign(new Error(failed.fatal!.message), { code: failed.fatal!.code }));
        if (children.every((c) => c.ready || (c.stopping && hasExited(c)))) return done();
        const now = children.filter((c) => c.ready).length;
        if (now > ready) {
          ready = now;
          clearTimeout(timer);
          timer = setTimeout(stalled, limit);
        }
      };
      const onExit = (e: ChildExitEvent): void => {
        if (!children.some((c) => c.pid === e.pid)) return;
        if (e.reason === 'app-error') done(Object.assign(new Error(e.error ?? 'the application failed to load'), { code: 'FY_APP_LOAD' }));
        // Told to go (maintenance found it surplus, or the pool is stopping): not a failure.
        else if (e.reason === 'crashed' || e.reason === 'killed') done(new Error(`child ${e.pid} exited during start-up (code ${e.code}, signal ${e.signal})`));
        else check();
      };
      const done = (err?: Error): void => {
        clearTimeout(timer);
        for (const c of children) c.proc.off('message', check);
        this.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      // These listeners run after the act table's, so the flags are already set.
      for (const c of children) c.proc.on('message', check);
      this.on('exit', onExit);
    });
  }

  #waitAll(): Promise<void> {
    return waitExited(this.#all(), STOP_TERM_AFTER_MS, STOP_KILL_AFTER_MS);
  }
}

export function createPool(config: PoolConfig = {}): Pool {
  return new Pool(resolveConfig(config), config);
}
