/**
 * A worker/event child's main thread: httpd's listener thread. It owns every socket the
 * primary hands over, runs ThreadsPerChild worker threads, and moves bytes between sockets and
 * threads.
 *
 *   worker  a connection is bound to one thread for its whole life (K holds the thread)
 *   event   between requests a kept-alive connection is parked here, holding no thread; its
 *           next request goes to any idle thread. The child stops accepting when
 *           open − lingering ≥ ThreadsPerChild + idle × AsyncRequestWorkerFactor, or no thread
 *           is idle, and says so to the primary at once.
 *
 * @see httpd server/mpm/event/event.c listener_thread, process_socket
 */

import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SERVICE_UNAVAILABLE } from '../http/serve.js';
import { EXIT_CHILDFATAL, type ActTable, type ChildInit, type PrimaryToChild, type ProcessCounters } from '../ipc/messages.js';
import { connectionLimit } from '../mpm/dispatch.js';
import { fromWire, toWire, type ListenerToThread, type ThreadInit, type ThreadToListener } from '../ipc/thread-messages.js';
import { ClosedRing, ThreadShared } from '../ipc/thread-shared.js';
import { WorkerQueue } from '../ipc/worker-queue.js';
import { createSlotBuffer, SlotReader, SlotWriter } from '../scoreboard/slot-buffer.js';
import { asSocket, onPrimaryMessage, onStatusReply, requestStatus, send, setStatusFlush, type ConnHandle } from './channel.js';
import { startReporter } from './reporter.js';
import { directUnavailable, dupForThread, holdUnread, startReading } from './fd.js';
import { captureThreadStack } from './stack.js';

const THREAD_MAIN = fileURLToPath(new URL('../thread/main.js', import.meta.url));
/** How long "every thread busy" must last before the child tells the primary it is not accepting. */
const ACCEPTING_SETTLE_MS = 20;
/** The longest the listener's look at its threads waits while it finds nothing to do. */
const TICK_QUIET_MS = 320;
/** How often the RequestTimeLimit watchdog looks at the slots. */
const WATCHDOG_MS = 200;
/** httpd's SECONDS_TO_LINGER. */
const LINGER_MS = 2000;

interface Conn {
  id: number;
  /** The connection as the primary sent it. */
  handle: ConnHandle;
  /**
   * The stream around it, built only once the listener reads or writes the connection itself
   * (relay, a lent or orphaned connection, a 503, a lingering close): a direct connection
   * usually never needs one. Use streamOf().
   */
  socket: Socket | null;
  /** Its thread told the primary it closed (ClosedRing): the listener does not tell it again. */
  told: boolean;
  /** Index of the thread serving it, or -1 while parked / waiting for a thread. */
  thread: number;
  /** Event: the thread that holds its parked socket (the one that served it last), or -1. */
  home: number;
  served: number;
  /** Bytes sent to the current thread since it was bound. */
  forwarded: number;
  /** Bytes read while no thread was bound, handed over with the next bind. */
  held: Buffer[];
  parked: boolean;
  closing: boolean;
  keepAliveTimer: NodeJS.Timeout | null;
  /** Served directly by a thread on its own descriptor; `handle` is the unread lifeline. */
  direct: boolean;
  /** Direct event: its thread is answering asynchronously and lent it here to watch. */
  lent: boolean;
  /** The listener's own read handlers are installed (lent or orphaned direct connections). */
  watched: boolean;
}

interface ThreadSlot {
  worker: Worker;
  ready: boolean;
  conn: Conn | null;
}

/**
 * The wait before the listener's next look at its threads: ACCEPTING_SETTLE_MS while looks find
 * something to do (connections to give out or to close), doubled after each look that finds
 * nothing, up to TICK_QUIET_MS.
 */
export function nextTickMs(lastMs: number, found: boolean): number {
  return found ? ACCEPTING_SETTLE_MS : Math.min(TICK_QUIET_MS, lastMs * 2);
}

/** A standby's threads: started before their child has an init, they load the engine and wait for it. */
export function prestartThreads(n: number): Worker[] {
  return Array.from({ length: n }, () => {
    const worker = new Worker(THREAD_MAIN, { workerData: null });
    // Failures before the child has an init show as that thread's exit once it does.
    worker.on('error', () => undefined);
    return worker;
  });
}

export async function threadedChildMain(init: ChildInit, prestarted: Worker[] = []): Promise<void> {
  const event = init.mpm === 'event';
  const T = init.threadsPerChild;
  const sab = createSlotBuffer(T);
  const shared = new ThreadShared(T);
  const closedRing = new ClosedRing(T);
  const queue = new WorkerQueue();
  // Direct transport: a thread owns each connection it is given. worker binds it for its life
  // (the thread is held, K, between requests); event parks it on its thread between requests
  // with the slot free, so the thread serves other connections meanwhile.
  const direct = directUnavailable === '';
  /** Direct event: threads are not bound to one connection; where the next one goes. */
  const spread = direct && event;
  let nextThread = 0;
  /** Direct event: each thread's `started` count when it was last given a connection, and when. */
  const givenAt = new Int32Array(T);
  const givenTime = new Float64Array(T);
  const reader = new SlotReader(sab);
  for (let i = 0; i < T; i++) new SlotWriter(sab, i).status('S', Date.now());
  let directives = init.directives;
  let stopping = false;
  let accepting = true;
  let accepted = 0;
  const conns = new Map<number, Conn>();
  /** Connections in a lingering close (closing), which httpd's limit does not count. */
  let lingering = 0;
  const waiting: Conn[] = [];
  const threads: ThreadSlot[] = [];

  const counters = (): ProcessCounters => {
    let keepAlive = 0;
    let writing = 0;
    let closing = 0;
    for (const c of conns.values()) {
      if (c.closing) closing++;
      else if (c.parked && (c.socket?.writableLength ?? 0) > 0) writing++;
      else if (c.parked) keepAlive++;
    }
    if (spread) for (let i = 0; i < T; i++) keepAlive += shared.parked(i);
    return { connections: conns.size, writeCompletion: writing, keepAlive, lingeringClose: closing, notAccepting: !accepting };
  };
  const reporter = startReporter(reader, counters, init.reportInterval);
  const flush = reporter.flush;
  setStatusFlush(() => flush());

  /** A thread that can take a connection now: relay and worker bind one at a time; a direct event thread is idle while it answers nothing. */
  const isIdle = (i: number): boolean => {
    const t = threads[i];
    if (!t?.ready || killing.has(i)) return false;
    if (!spread) return t.conn === null;
    // Answering nothing, and the connection it was last given has sent its request (or is
    // slow to: a client that connects and waits does not hold the thread for long).
    return shared.current(i) === 0 && (shared.started(i) !== givenAt[i] || Date.now() - givenTime[i] > ACCEPTING_SETTLE_MS);
  };
  /** Direct event: a thread was given a connection within the last 2 × ACCEPTING_SETTLE_MS. */
  const givenLately = (): boolean => {
    const now = Date.now();
    for (let i = 0; i < T; i++) if (now - givenTime[i]! <= 2 * ACCEPTING_SETTLE_MS) return true;
    return false;
  };
  const idleThreads = (): number => {
    let n = 0;
    for (let i = 0; i < T; i++) if (isIdle(i)) n++;
    return n;
  };

  /**
   * httpd's connections_above_limit, plus "no idle thread"; told to the primary on change.
   * Each busy thread lowers the limit by AsyncRequestWorkerFactor, and on a loaded child threads
   * turn busy and idle with every request: a change that comes from busy threads is told only
   * once it has lasted ACCEPTING_SETTLE_MS (meanwhile the primary prefers the child with fewer
   * connections). The limit reached with every thread idle — kept-alive connections alone
   * filling the child — is told at once.
   */
  let settle: NodeJS.Timeout | null = null;
  const computeAccepting = (): { accepting: boolean; hard: boolean } => {
    if (stopping) return { accepting: false, hard: true };
    if (!event) return { accepting: true, hard: false };
    const idle = idleThreads();
    const factor = Math.floor(directives.AsyncRequestWorkerFactor);
    const open = conns.size - lingering;
    return { accepting: idle > 0 && open < T + idle * factor, hard: open >= T + T * factor };
  };
  const report = (): void => {
    const now = computeAccepting().accepting;
    if (now !== accepting) {
      accepting = now;
      closedRing.wake = !accepting;
      send({ act: 'accepting', accepting });
      paceUp();
    }
  };
  const updateAccepting = (): void => {
    const { accepting: now, hard } = computeAccepting();
    if (now === accepting) {
      if (settle) clearTimeout(settle);
      settle = null;
      return;
    }
    if (now || hard) return report();
    settle ??= setTimeout(() => {
      settle = null;
      report();
    }, ACCEPTING_SETTLE_MS);
  };

  const post = (i: number, msg: ListenerToThread, transfer?: ArrayBuffer[]): void => threads[i]!.worker.postMessage(msg, transfer ?? []);

  /** The connection leaves the listener for a thread: no longer parked, its KeepAliveTimeout off. */
  const handOver = (conn: Conn): void => {
    conn.parked = false;
    conn.forwarded = 0;
    if (conn.keepAliveTimer) clearTimeout(conn.keepAliveTimer);
    conn.keepAliveTimer = null;
  };

  const bind = (conn: Conn, i: number): void => {
    const t = threads[i]!;
    t.conn = conn;
    conn.thread = i;
    handOver(conn);
    const held = conn.held.length === 0 ? null : conn.held.length === 1 ? conn.held[0]! : Buffer.concat(conn.held);
    const wire = held ? toWire(held) : null;
    const head = wire ? wire.bytes : null;
    conn.held = [];
    if (held) conn.forwarded += held.byteLength;
    if (conn.direct) {
      conn.lent = false;
      const fd = dupForThread(conn.handle);
      if (fd !== null) {
        if (spread) {
          t.conn = null;
          givenAt[i] = shared.started(i);
          givenTime[i] = Date.now();
        }
        post(i, { t: 'adopt', id: conn.id, fd, served: conn.served, head }, wire ? wire.transfer : []);
        return;
      }
      // The socket is gone or cannot be duplicated: relay this one.
      conn.direct = false;
      relay(conn);
    }
    const s = streamOf(conn);
    if (conn.home === i) {
      // The thread still holds this connection from its last request: just pass the bytes on.
      if (head) post(i, { t: 'data', id: conn.id, chunk: head }, wire!.transfer);
    } else {
      if (conn.home >= 0) post(conn.home, { t: 'drop', id: conn.id });
      conn.home = i;
      post(
        i,
        { t: 'open', id: conn.id, remoteAddress: s.remoteAddress ?? '', remotePort: s.remotePort ?? 0, localAddress: s.localAddress ?? '', localPort: s.localPort ?? 0, served: conn.served, head },
        wire ? wire.transfer : [],
      );
    }
    s.resume();
  };

  /**
   * Direct event: a connection into the worker queue with its thread's descriptor. 'full' when
   * the queue is; 'keep' when it cannot be duplicated (it waits here for bind, which relays it).
   */
  const enqueue = (conn: Conn): 'queued' | 'full' | 'keep' => {
    const fd = dupForThread(conn.handle);
    if (fd === null) return 'keep';
    if (!queue.push({ id: conn.id, fd, served: conn.served })) {
      closeSync(fd);
      return 'full';
    }
    handOver(conn);
    conn.lent = false;
    return 'queued';
  };
  /** A thread took a queued connection: it is that thread's now, as if bound to it. */
  const took = (i: number, id: number): void => {
    const conn = conns.get(id);
    if (conn) conn.thread = i;
  };

  /** Give waiting connections to idle threads, oldest first, each to its home thread if idle. */
  const schedule = (): void => {
    if (spread) return scheduleSpread();
    // Ask first, then look (as scheduleSpread): a bound thread that finishes after the look
    // sees the request and says so.
    if (direct) shared.wantFree = true;
    drainClosed();
    while (waiting.length > 0) {
      const conn = waiting[0]!;
      const home = conn.home >= 0 ? threads[conn.home] : undefined;
      const i = home && home.ready && home.conn === null ? conn.home : threads.findIndex((t) => t.ready && t.conn === null);
      if (i < 0) break;
      waiting.shift();
      if (conns.has(conn.id)) bind(conn, i);
    }
    if (direct) shared.wantFree = waiting.length > 0;
    updateAccepting();
  };

  /**
   * Direct event: each waiting connection to the next idle thread in turn (a thread that has
   * just been given one has not yet marked itself busy). With none idle, the threads are asked
   * to say when one frees up.
   */
  const scheduleSpread = (): void => {
    drainClosed();
    for (;;) {
      // Ask first, then look: a thread that frees up after the look sees the request (both sides
      // use sequentially consistent atomics), so a free thread is never missed.
      shared.wantFree = true;
      let i = -1;
      for (let k = 0; k < T && waiting.length > 0; k++) {
        const j = (nextThread + k) % T;
        if (isIdle(j)) {
          i = j;
          break;
        }
      }
      if (i < 0) break;
      nextThread = (i + 1) % T;
      const conn = waiting.shift()!;
      if (conns.has(conn.id)) bind(conn, i);
    }
    // Every thread busy: the rest wait in the worker queue for the first thread to finish,
    // which takes the oldest itself. Those with bytes already read wait here.
    for (let k = 0; k < waiting.length; ) {
      const conn = waiting[k]!;
      const done = !conns.has(conn.id) ? 'queued' : conn.held.length > 0 ? 'keep' : enqueue(conn);
      if (done === 'full') break;
      if (done === 'keep') k++;
      else waiting.splice(k, 1);
    }
    // A thread that turned idle after the look above takes them when woken.
    if (queue.waiting() > 0) for (let j = 0; j < T; j++) if (isIdle(j)) post(j, { t: 'pop' });
    updateAccepting();
    // Connections waiting here, or a child that stopped accepting for want of an idle thread:
    // the first thread to free up says so at once (one message, not one per request).
    shared.wantFree = waiting.length > 0 || (!accepting && !computeAccepting().hard);
  };
  // Threads send no message per request: a child that stopped accepting (every thread busy, or
  // AsyncRequestWorkerFactor's connection limit) looks again every ACCEPTING_SETTLE_MS, and
  // connections the threads have finished with are closed here then if nothing woke the
  // listener meanwhile. The timer runs while the child holds connections: one at rest sleeps.
  // Connections that only stay open (kept alive between requests, or idle) need no look that
  // often: each look that finds nothing to do waits twice as long for the next, up to
  // TICK_QUIET_MS, and a new connection brings the pace back.
  let ticker: NodeJS.Timeout | null = null;
  let tickMs = ACCEPTING_SETTLE_MS;
  const startTicker = (ms: number): void => {
    tickMs = ms;
    ticker = setTimeout(tick, ms);
    ticker.unref();
  };
  const tick = (): void => {
    ticker = null;
    const wasAccepting = accepting;
    // schedule() reads the rings itself; a close it finds that the primary is still to hear of
    // shows in closedIds.
    let found = false;
    if (spread && (waiting.length > 0 || !accepting || queue.waiting() > 0)) schedule();
    else found = drainClosed() > 0;
    if (closedIds.length > 0) found = true;
    if (!closedSoon) flushClosed();
    // Still to look at soon: connections waiting for a thread, a change of accepting, or a child
    // that stopped accepting just after giving a thread a connection (the thread counts as busy
    // until its request begins, or for ACCEPTING_SETTLE_MS). One that stopped accepting with every
    // thread idle is at AsyncRequestWorkerFactor's limit: only a close changes that.
    if (waiting.length > 0 || queue.waiting() > 0 || accepting !== wasAccepting || (!accepting && givenLately())) found = true;
    // At rest only once it accepts again (or is leaving): a child that stopped accepting looks
    // here until it does, even with no connection left (a thread given one that closed before
    // sending a request counts as busy for ACCEPTING_SETTLE_MS).
    // (A close found here may have re-armed the timer already: this look decides the next one.)
    if (ticker) clearTimeout(ticker);
    ticker = null;
    if (conns.size === 0 && closedIds.length === 0 && queue.waiting() === 0 && (accepting || stopping)) return;
    startTicker(nextTickMs(tickMs, found));
  };
  /** Something happened: the next look comes within ACCEPTING_SETTLE_MS again. */
  const paceUp = (): void => {
    if (!direct || (ticker && tickMs === ACCEPTING_SETTLE_MS)) return;
    if (ticker) clearTimeout(ticker);
    startTicker(ACCEPTING_SETTLE_MS);
  };
  /** A connection arrived (or a limit changed): the timers it needs run until the child is at rest again. */
  const armTimers = (): void => {
    paceUp();
    if (!watchdog && directives.RequestTimeLimit > 0 && conns.size > 0) {
      watchdog = setInterval(lookForStuck, WATCHDOG_MS);
      watchdog.unref();
    }
  };

  /**
   * The primary counts each child's open connections: closes are told once per turn of the
   * event loop, together (one IPC message for all the connections that ended meanwhile).
   */
  let closedIds: number[] = [];
  let closedSoon = false;
  const flushClosed = (): void => {
    closedSoon = false;
    if (closedIds.length === 0) return;
    const ids = closedIds;
    closedIds = [];
    send({ act: 'closed', ids });
  };
  /**
   * Where threads own their connections (direct), a child far below its connection limit tells
   * its closes every ACCEPTING_SETTLE_MS, or once they would bring the primary's count of it to
   * half the limit: the primary needs them only to find room, and a message per close costs
   * both processes a wake-up. Near the limit, threads tell the primary themselves (ClosedRing).
   */
  const closeThreshold = (): number =>
    direct ? Math.floor(connectionLimit({ mpm: init.mpm, threadsPerChild: T, asyncRequestWorkerFactor: directives.AsyncRequestWorkerFactor }) / 2) : 0;
  const setPrompt = (): void => {
    closedRing.prompt = stopping || conns.size >= closeThreshold();
  };
  const reportClosed = (id: number): void => {
    closedIds.push(id);
    paceUp();
    if (closedSoon || (!stopping && conns.size + closedIds.length < closeThreshold())) return;
    closedSoon = true;
    setImmediate(flushClosed);
  };

  const closeConn = (conn: Conn): void => {
    if (!conns.delete(conn.id)) return;
    if (conn.closing) lingering--;
    if (conn.keepAliveTimer) clearTimeout(conn.keepAliveTimer);
    const w = waiting.indexOf(conn);
    if (w >= 0) waiting.splice(w, 1);
    const holder = conn.thread >= 0 ? conn.thread : conn.home;
    if (holder >= 0) post(holder, { t: 'gone', id: conn.id });
    // Tell the primary it may count on this capacity again, unless this child is leaving.
    updateAccepting();
    if (!conn.told) reportClosed(conn.id);
    setPrompt();
    maybeExit();
  };

  /** Half-close, then give the client SECONDS_TO_LINGER to close its side (httpd: 2 s). */
  const lingeringClose = (conn: Conn): void => {
    if (conn.closing) return;
    conn.closing = true;
    lingering++;
    streamOf(conn).end();
    setTimeout(() => destroy(conn), LINGER_MS).unref();
  };

  const park = (conn: Conn): void => {
    conn.parked = true;
    conn.thread = -1;
    if (stopping) return lingeringClose(conn);
    conn.keepAliveTimer = setTimeout(() => lingeringClose(conn), directives.KeepAliveTimeout * 1000);
  };

  /** Relay: the listener reads the socket and moves its bytes to and from the bound thread. */
  const relay = (conn: Conn): void => {
    const { id } = conn;
    const socket = streamOf(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.thread >= 0) {
        conn.forwarded += chunk.byteLength;
        const { bytes, transfer } = toWire(chunk);
        post(conn.thread, { t: 'data', id, chunk: bytes }, transfer);
        return;
      }
      // Parked (event) or waiting: hold the bytes and find a thread.
      conn.held.push(chunk);
      socket.pause();
      if (!waiting.includes(conn)) waiting.push(conn);
      schedule();
    });
    socket.on('end', () => {
      if (conn.thread >= 0) post(conn.thread, { t: 'eof', id });
      else socket.end();
    });
  };

  /**
   * The listener reads a direct connection's lifeline itself: lent by its busy thread, or left
   * behind by a thread that died. Its first bytes (a next request) make it wait for an idle
   * thread, which gets them with the connection; the thread that lent it forgets it.
   */
  const watch = (conn: Conn): void => {
    const { id } = conn;
    const socket = streamOf(conn);
    if (!conn.watched) {
      conn.watched = true;
      socket.on('data', (chunk: Buffer) => {
        if (!conn.direct) return;
        holdUnread(socket);
        if (conn.lent && conn.thread >= 0) post(conn.thread, { t: 'drop', id });
        conn.lent = false;
        conn.thread = -1;
        conn.held.push(chunk);
        if (!waiting.includes(conn)) waiting.push(conn);
        schedule();
      });
      socket.on('end', () => {
        if (!conn.direct) return;
        if (conn.lent && conn.thread >= 0) post(conn.thread, { t: 'drop', id });
        conn.lent = false;
        conn.thread = -1;
        socket.destroy();
      });
    }
    startReading(socket);
  };

  /** A direct connection whose thread died while it was parked there: held here as the relay does, until its next request or KeepAliveTimeout. */
  const orphan = (conn: Conn): void => {
    conn.lent = false;
    conn.thread = -1;
    watch(conn);
    park(conn);
  };

  /**
   * The connection's stream, built on first use: a direct connection's is held unread (its
   * bytes are its thread's), and its close ends the connection here.
   */
  const streamOf = (conn: Conn): Socket => {
    if (conn.socket) return conn.socket;
    const socket = asSocket(conn.handle);
    conn.socket = socket;
    if (conn.direct) holdUnread(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => closeConn(conn));
    return socket;
  };

  /** Ends the connection: its stream if it has one, else the bare handle. */
  const destroy = (conn: Conn): void => {
    if (conn.socket) return void conn.socket.destroy();
    conn.handle.close();
    closeConn(conn);
  };

  const adopt = (id: number, handle: ConnHandle): void => {
    accepted++;
    const conn: Conn = { id, handle, socket: null, told: false, thread: -1, home: -1, served: 0, forwarded: 0, held: [], parked: false, closing: false, keepAliveTimer: null, direct, lent: false, watched: false };
    conns.set(id, conn);
    armTimers();
    setPrompt();
    if (!direct) relay(conn);
    if (directives.MaxConnectionsPerChild > 0 && accepted >= directives.MaxConnectionsPerChild) {
      // The Nth accept: stop taking connections, leave once they are done (event.c).
      stopping = true;
    }
    waiting.push(conn);
    schedule();
  };

  /**
   * Thread i is done with connection `id`: it closed its descriptor, so the listener's
   * lifeline is the last one, and closing it ends the connection.
   */
  const threadDone = (i: number, id: number, told: boolean): void => {
    const conn = conns.get(id);
    const t = threads[i]!;
    // Taken from the worker queue after this drain's resolve: the take came first (the thread
    // marks it taken before it can end it), so a resolve now sees it.
    if (spread && conn?.direct && conn.thread < 0) queue.resolve(took);
    if (conn?.direct && conn.thread === i) {
      conn.told = told;
      conn.thread = -1;
      destroy(conn);
      closeConn(conn);
    }
    if (conn && conn.home === i) conn.home = -1;
    if (t.conn && t.conn.id === id) {
      if (t.conn.thread === i) t.conn.thread = -1;
      t.conn = null;
    }
  };
  const doneTold = (i: number, entry: number): void => threadDone(i, Math.abs(entry), entry > 0);
  /**
   * What the threads did meanwhile without a word: connections taken from the worker queue,
   * then those ended cleanly (ClosedRing; a thread takes a connection before it can end it).
   */
  const drainClosed = (): number => (spread ? queue.resolve(took) : 0) + closedRing.drain(doneTold);

  let announced = false;
  const fromThread = (i: number, msg: ThreadToListener): void => {
    // What the threads did before this message first, as it was.
    drainClosed();
    const conn = 'id' in msg ? conns.get(msg.id) : undefined;
    switch (msg.t) {
      case 'ready':
        threads[i]!.ready = true;
        // Ready once every thread is: a child serving with part of its threads would take the
        // connections its limit allows and queue them behind the few it has. Told once, not
        // again for threads that replace dead ones.
        if (!announced && threads.every((t) => t.ready)) {
          announced = true;
          send({ act: 'ready' });
        }
        schedule();
        return;
      case 'fatal':
        send({ act: 'fatal', code: 'FY_APP_LOAD', message: msg.message }, () => process.exit(EXIT_CHILDFATAL));
        return;
      case 'write': {
        if (!conn) return;
        const socket = streamOf(conn);
        const flowing = socket.write(typeof msg.chunk === 'string' ? msg.chunk : fromWire(msg.chunk), 'latin1');
        // The thread waits: tell it once the client has taken enough (backpressure, so a client
        // that does not read holds no more than a window here, and Timeout sees the stall).
        if (msg.wait && flowing) post(i, { t: 'drain', id: conn.id });
        else if (msg.wait) socket.once('drain', () => post(i, { t: 'drain', id: conn.id }));
        return;
      }
      case 'end':
        if (conn) lingeringClose(conn);
        return;
      case 'destroy':
        if (conn) destroy(conn);
        return;
      case 'release':
        if (!conn || conn.thread !== i) return;
        conn.served++;
        // Bytes already on their way to the thread: it carries on with the next request.
        if (conn.forwarded !== msg.received) return;
        threads[i]!.conn = null;
        park(conn);
        schedule();
        return;
      case 'free':
        schedule();
        return;
      case 'lend':
        for (const [id, served] of msg.conns) {
          const c = conns.get(id);
          if (!c || !c.direct || c.thread !== i) continue;
          c.lent = true;
          c.served = served;
          watch(c);
        }
        return;
      case 'reclaim': {
        const ids: number[] = [];
        for (const c of conns.values()) {
          if (!c.lent || c.thread !== i) continue;
          holdUnread(streamOf(c));
          c.lent = false;
          ids.push(c.id);
        }
        if (ids.length > 0) post(i, { t: 'return', ids });
        schedule();
        return;
      }
      case 'idle':
        // The primary hears of it now rather than after the close completes.
        threadDone(i, msg.id, false);
        schedule();
        return;
      case 'status':
        requestStatus(msg.query, msg.host, msg.localAddress).then(
          (page) => post(i, { t: 'status-reply', seq: msg.seq, page }),
          (err: Error) => post(i, { t: 'status-reply', seq: msg.seq, page: null, error: err.message }),
        );
        return;
    }
  };

  const startThread = (i: number): void => {
    const data: ThreadInit = { index: i, sab, app: init.app, directives, event, shared: shared.sab, closed: closedRing.sab, queue: queue.sab, localPort: init.localPort };
    let worker = prestarted.shift();
    if (worker && worker.threadId < 0) worker = undefined; // it died while waiting
    // Its process.env was copied when it started, before this child had an init.
    if (worker) worker.postMessage({ t: 'init', init: data, env: { FORKYARD_CHILD: process.env.FORKYARD_CHILD ?? '' } } satisfies ListenerToThread);
    else worker = new Worker(THREAD_MAIN, { workerData: data });
    threads[i] = { worker, ready: false, conn: null };
    worker.on('message', (msg: ThreadToListener) => fromThread(i, msg));
    worker.on('error', (err) => {
      process.emitWarning(`thread ${i} failed: ${err.stack ?? err.message}`, 'ForkyardThreadError');
    });
    worker.on('exit', () => {
      if (threads[i]?.worker !== worker || exiting) return;
      reporter.wake();
      drainClosed();
      if (spread) queue.requeue(i);
      // A thread died (uncaught error in the app, or stopped by RequestTimeLimit): its
      // connection goes — with a 503 if nothing of the response was sent — and it is replaced.
      const conn = spread ? conns.get(shared.current(i)) : threads[i]!.conn;
      shared.setCurrent(i, 0);
      shared.setParked(i, 0);
      const killed = killing.get(i);
      killing.delete(i);
      if (conn && killed?.answer503) {
        streamOf(conn).end(SERVICE_UNAVAILABLE);
        if (!conn.closing) lingering++;
        conn.closing = true;
        setTimeout(() => destroy(conn), LINGER_MS).unref();
      } else if (conn) destroy(conn);
      for (const c of conns.values()) {
        if (c.home === i) c.home = -1;
        if (c !== conn && c.direct && c.thread === i) orphan(c);
      }
      new SlotWriter(sab, i).status('.', Date.now());
      startThread(i);
    });
  };

  /**
   * RequestTimeLimit: a thread whose slot has been in W longer than the limit is stopped after
   * its stack is taken; the client gets 503 if nothing of the response went out yet.
   */
  const killing = new Map<number, { answer503: boolean }>();
  let watchdog: NodeJS.Timeout | null = null;
  const lookForStuck = (): void => {
    const limitMs = directives.RequestTimeLimit * 1000;
    if (limitMs <= 0 || exiting || conns.size === 0) {
      // Nothing can be stuck without a connection: armTimers() starts it with the next one.
      clearInterval(watchdog!);
      watchdog = null;
      return;
    }
    const now = Date.now();
    for (let i = 0; i < T; i++) {
      if (killing.has(i) || reader.status(i) !== 'W') continue;
      const rec = reader.read(i);
      if (rec.startTime > 0 && now - rec.startTime > limitMs) void requestTimeLimit(i, rec.startTime);
    }
  };

  const requestTimeLimit = async (i: number, startTime: number): Promise<void> => {
    const t = threads[i]!;
    killing.set(i, { answer503: false });
    const stack = await captureThreadStack(t.worker.threadId);
    const rec = reader.read(i);
    if (threads[i] !== t || rec.startTime !== startTime || rec.status !== 'W') {
      killing.delete(i); // it finished while the stack was taken
      return;
    }
    const conn = spread ? conns.get(shared.current(i)) : t.conn;
    // A 503 only if nothing of the stuck request's response went out (written by the thread, on
    // its own descriptor or relayed here, or counted as begun behind another response).
    const answer503 = !conn || shared.wroteIn(i) !== shared.started(i);
    killing.set(i, { answer503 });
    send({ act: 'forensic', kind: 'RequestTimeLimit', thread: i, request: rec.request, client: rec.client, vhost: rec.vhost, elapsedMs: Date.now() - startTime, stack, answered503: answer503 });
    await t.worker.terminate();
  };

  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    flush(() => process.exit(code));
    setTimeout(() => process.exit(code), 500).unref();
  };
  const maybeExit = (): void => {
    if (stopping && conns.size === 0) exit(0);
  };

  const table: ActTable<PrimaryToChild, ConnHandle | undefined> = {
    conn: (msg, handle) => {
      if (!handle) return;
      adopt(msg.id, handle);
    },
    stop: (msg) => {
      stopping = true;
      setPrompt();
      flushClosed();
      updateAccepting();
      if (!msg.graceful) return exit(0);
      for (const t of threads) t.worker.postMessage({ t: 'stopping' } satisfies ListenerToThread);
      // httpd closes parked keep-alive connections at once here (event.c close_listeners); a
      // client may be sending its next request at that very moment and see the connection
      // drop. Forkyard keeps them to their KeepAliveTimeout and answers a next request with
      // `Connection: close`, so a graceful stop loses nothing.
      for (let i = 0; i < T; i++) if (spread ? shared.current(i) === 0 : !threads[i]?.conn) new SlotWriter(sab, i).status('G', Date.now());
      maybeExit();
    },
    directives: (msg) => {
      directives = msg.directives;
      armTimers();
      setPrompt();
      for (const t of threads) t.worker.postMessage({ t: 'directives', directives } satisfies ListenerToThread);
      updateAccepting();
    },
    'status-reply': (msg) => onStatusReply(msg),
    init: () => undefined,
  };

  onPrimaryMessage((msg, handle) => {
    reporter.wake();
    (table[msg.act] as (m: PrimaryToChild, h: ConnHandle | undefined) => void)?.(msg, handle);
  });

  for (let i = 0; i < T; i++) startThread(i);
  // A standby prepared for more threads than this child runs (ThreadsPerChild went down).
  for (const w of prestarted.splice(0)) void w.terminate();
}
