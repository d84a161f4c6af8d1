/**
 * Entry file of every worker/event thread (given to `new Worker()`): runs the application on
 * this thread with its own `http.Server`, fed by the listener one connection at a time, and
 * writes its own scoreboard slot.
 *
 * @see httpd server/mpm/worker/worker.c worker_thread
 */

import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { loadApp } from '../app/load.js';
import { applyTimeouts, createSlotServer, keepAliveMs, keepAliveQueued, type StatusPage } from '../http/serve.js';
import type { ChildDirectives } from '../ipc/messages.js';
import { fromWire, type ListenerToThread, type ThreadInit, type ThreadToListener, type WireBytes } from '../ipc/thread-messages.js';
import { tellClosed } from '../ipc/conn-channel.js';
import { ClosedRing, ThreadShared } from '../ipc/thread-shared.js';
import { WorkerQueue } from '../ipc/worker-queue.js';
import { SlotWriter } from '../scoreboard/slot-buffer.js';
import { resumeReading, stopReading } from '../http/socket-reading.js';
import { PortSocket } from './port-socket.js';
import { tcpSocket } from '../ipc/tcp-socket.js';

const port = parentPort!;
const post = (msg: ThreadToListener, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer ?? []);

// Messages are taken from the start, so a standby's thread (started with no workerData, its
// init to come) stays alive while it waits; anything else that comes before this thread is
// ready is answered once it is.
let table: { [K in ListenerToThread['t']]: (msg: Extract<ListenerToThread, { t: K }>) => void } | null = null;
const early: ListenerToThread[] = [];
let initFromListener: (init: ThreadInit) => void = () => undefined;
port.on('message', (msg: ListenerToThread) => {
  if (msg.t === 'init') {
    Object.assign(process.env, msg.env);
    initFromListener(msg.init);
  } else if (table) (table[msg.t] as (m: ListenerToThread) => void)(msg);
  else early.push(msg);
});
const init = (workerData as ThreadInit | null) ?? (await new Promise<ThreadInit>((resolve) => (initFromListener = resolve)));

// RequestTimeLimit: the listener may pause this thread through the inspector to read the stack
// of a stuck handler; with the debugger enabled before the handler gets stuck, the pause lands
// in the handler's own frames.
if (init.directives.RequestTimeLimit > 0) {
  const self = new Session();
  self.connect();
  self.post('Debugger.enable');
}

const slot = new SlotWriter(init.sab, init.index);
slot.status('S', Date.now());
let directives: ChildDirectives = init.directives;
let stopping = false;
/** Connections this thread holds: the one it serves, and (event) parked ones it served before. */
const sockets = new Map<number, PortSocket>();
const shared = new ThreadShared(init.shared);
const closedRing = new ClosedRing(init.closed);
const queue = new WorkerQueue(init.queue);
/** Event, direct transport: kept-alive connections parked on this thread between requests. */
const parked = new Set<DirectSocket>();
const setParked = (): void => shared.setParked(init.index, parked.size);
/**
 * Parked connections lent to the listener while this thread answers an asynchronous request:
 * this thread stops reading them, the listener watches them, and a next request that arrives
 * meanwhile goes to an idle thread instead of waiting here (httpd's event MPM: any worker).
 */
const lent = new Map<number, DirectSocket>();

/** The number of the request this thread is answering (ThreadShared.start), stamped on its writes. */
let request = 0;
/** Its connection: only writes on it are its response's (Node may answer 408 on another). */
let requestSocket: Duplex | null = null;

let seq = 0;
const statusWaits = new Map<number, { resolve: (p: StatusPage) => void; reject: (e: Error) => void }>();

function statusPage(query: string, host: string, localAddress: string): Promise<StatusPage> {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    statusWaits.set(id, { resolve, reject });
    post({ t: 'status', seq: id, query, host, localAddress });
  });
}

let handler;
try {
  handler = await loadApp(init.app);
} catch (err) {
  post({ t: 'fatal', message: (err as Error).message });
  process.exit(1);
}

const server = createSlotServer({
  slot,
  localPort: init.localPort,
  handler,
  directives: () => directives,
  statusPage,
  stopping: () => stopping,
  onKeptAlive: (socket) => {
    if (!init.event) return false;
    if (socket instanceof PortSocket) {
      // Relay: a kept-alive connection goes back to the listener between requests.
      post({ t: 'release', id: socket.id, received: socket.bytesRead });
      return 'listener';
    }
    // Direct: it stays parked on this thread, which is free for other connections meanwhile.
    const s = socket as DirectSocket;
    s.parkedAt = s.bytesRead;
    s.parkedSince = performance.now();
    parked.add(s);
    setParked();
    if (keepAliveTimer === null) armKeepAlive();
    return 'thread';
  },
  keepAliveQueue: init.event,
  exclusive: init.event,
  onRequestStart: (socket, behind) => {
    const s = socket as PortSocket | DirectSocket;
    if (s.id === awaiting) awaiting = 0;
    request = shared.start(init.index, s.id);
    requestSocket = s;
    // Behind an unfinished response on its connection, a stuck request gets no 503: it counts
    // as begun, so the connection is only closed.
    if (behind) shared.wrote(init.index, request);
    if (parked.delete(s as DirectSocket)) setParked();
  },
  onBlocked: () => {
    const conns: Array<[number, number]> = [];
    for (const s of parked) {
      // Part of a next request already read: it stays, and is answered after this one.
      if (s.bytesRead !== s.parkedAt || lent.has(s.id)) continue;
      if (!stopReading(s)) continue;
      lent.set(s.id, s);
      conns.push([s.id, s.forkyardServed]);
    }
    if (conns.length > 0) post({ t: 'lend', conns });
  },
  onFree: (closing) => {
    shared.setCurrent(init.index, 0);
    // Free: the oldest connection waiting in the worker queue is this thread's, unasked.
    const took = popQueued();
    // Asking for the lent connections back also tells the listener this thread is free; so does
    // the 'idle' that follows a connection that is closing (one message per connection, not two).
    if (lent.size > 0) post({ t: 'reclaim' });
    else if (!took && shared.wantFree && !closing) post({ t: 'free' });
  },
  onIdle: (socket) => {
    const s = socket as PortSocket | DirectSocket;
    if (s instanceof PortSocket && sockets.get(s.id) === s) sockets.delete(s.id);
    if (parked.delete(s as DirectSocket)) setParked();
    if (lent.get(s.id) === s) lent.delete(s.id);
    if (shared.current(init.index) === s.id) shared.setCurrent(init.index, 0);
    if (s.id === awaiting) awaiting = 0;
    // Ended cleanly (the response and FIN are out): the listener closes its lifeline when it
    // next looks at the ring, and is woken only if it has connections waiting for a thread. The
    // primary hears of it from here when the child is near its limit, else from the listener.
    if (s instanceof PortSocket || s.forkyardGone || !s.writableFinished) return post({ t: 'idle', id: s.id });
    // Told before it is recorded: a thread stopped in between leaves the listener to tell it.
    const told = closedRing.prompt && tellClosed(s.id);
    if (!closedRing.push(init.index, told ? s.id : -s.id)) return post({ t: 'idle', id: s.id });
    if (shared.wantFree || closedRing.wake) post({ t: 'free' });
  },
});

/**
 * A connection this thread took from the worker queue whose first request has not begun, and
 * since when: the thread takes no other meanwhile, unless the client is slow to send it.
 */
let awaiting = 0;
let awaitingSince = 0;
const AWAIT_MS = 20;

/** Direct event: takes the oldest connection waiting in the worker queue, if any. */
function popQueued(): boolean {
  if (!init.event || (awaiting !== 0 && Date.now() - awaitingSince < AWAIT_MS)) return false;
  const c = queue.pop(init.index);
  if (!c) return false;
  awaiting = c.id;
  awaitingSince = Date.now();
  // Not idle to the listener either: it gives this thread nothing more meanwhile.
  shared.setCurrent(init.index, c.id);
  adopt(c.id, c.fd, c.served, null);
  return true;
}

/** The listener took the connection away (closed, or moved to another thread): drop it quietly. */
function forget(id: number): void {
  const s = sockets.get(id);
  if (!s) return;
  sockets.delete(id);
  s.handedOver = true;
  s.emit('forkyard:handover');
  s.destroy();
}

/**
 * Event, direct transport: httpd's keep-alive queue. The connections parked on this thread are
 * timed out here, oldest first (`parked` holds them in the order they were parked), by one timer
 * for the thread rather than one per connection armed again after every response. One whose next
 * request has begun arriving is not idle: its head is timed by Timeout (408), as any request's.
 * @see httpd server/mpm/event/event.c process_timeout_queue
 */
let keepAliveTimer: NodeJS.Timeout | null = null;
/**
 * Node starts a timer from its event loop's time, which lags the clock by the loop's current
 * turn: a connection this close to its deadline when the timer fires is due.
 */
const KEEP_ALIVE_EARLY_MS = 5;

function armKeepAlive(): void {
  if (keepAliveTimer !== null || !keepAliveQueued(directives)) return;
  for (const s of parked) {
    if (s.destroyed || s.bytesRead !== s.parkedAt) continue;
    keepAliveTimer = setTimeout(expireKeepAlive, Math.max(1, s.parkedSince + keepAliveMs(directives) - performance.now()));
    keepAliveTimer.unref();
    return;
  }
}

function expireKeepAlive(): void {
  keepAliveTimer = null;
  const waitMs = keepAliveMs(directives);
  const now = performance.now() + KEEP_ALIVE_EARLY_MS;
  for (const s of parked) {
    if (s.destroyed || s.bytesRead !== s.parkedAt) continue;
    if (s.parkedSince + waitMs > now) break;
    // As Node's keep-alive timer does: closed; its 'close' releases it (onIdle).
    s.destroy();
  }
  armKeepAlive();
}

/** A connection served directly: a real socket on this thread's own descriptor. */
interface DirectSocket extends Socket {
  id: number;
  /** Requests served on it so far (serve.ts keeps it current; MaxKeepAliveRequests when it moves). */
  forkyardServed: number;
  /** bytesRead when it was parked: more means a next request has begun arriving. */
  parkedAt: number;
  /** When it was last parked (performance.now(), ms), for the keep-alive queue. */
  parkedSince: number;
  /** Its next request went to another thread: this one only forgets it. */
  forkyardGone: boolean;
}

/** The listener gives lent connections back (those it did not take) once this thread is free. */
function giveBack(ids: number[]): void {
  for (const id of ids) {
    const s = lent.get(id);
    lent.delete(id);
    if (s && !s.destroyed) resumeReading(s);
  }
}

/** A lent connection's next request went to another thread: forget it without a word. */
function dropLent(id: number): void {
  const s = lent.get(id)!;
  lent.delete(id);
  if (parked.delete(s)) setParked();
  s.forkyardGone = true;
  s.emit('forkyard:handover');
  s.destroy();
}

/**
 * RequestTimeLimit answers 503 only if nothing of the response went out: each write handed on
 * (to the kernel, or to the listener on the relay) is stamped with the request it belongs to (a
 * number: no clock read per write). What Node holds while it corks the socket (a response's head
 * and body written in one turn) is stamped when it goes out, not when the application wrote it.
 */
function stampWrites(socket: Duplex): void {
  const out = socket._write;
  const outMany = socket._writev;
  socket._write = function (this: Duplex, chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this === requestSocket) shared.wrote(init.index, request);
    out.call(this, chunk, encoding, cb);
  };
  if (outMany) {
    socket._writev = function (this: Duplex, chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
      if (this === requestSocket) shared.wrote(init.index, request);
      outMany.call(this, chunks, cb);
    };
  }
}

function adopt(id: number, fd: number, served: number, head: WireBytes | null): void {
  const socket = tcpSocket(fd) as DirectSocket;
  // Every field it will carry, set now and in one order: all of them share one hidden class.
  socket.id = id;
  socket.forkyardServed = served;
  socket.parkedAt = 0;
  socket.parkedSince = 0;
  socket.forkyardGone = false;
  stampWrites(socket);
  server.emit('connection', socket);
  // Bytes the listener read before handing the connection over (a parked connection's next
  // request, taken when its thread died): the server's parser gets them first.
  if (head) socket.emit('data', fromWire(head));
}

table = {
  init: () => undefined,
  open: (msg) => {
    const socket = new PortSocket(msg, post);
    stampWrites(socket);
    sockets.set(msg.id, socket);
    server.emit('connection', socket);
    if (msg.head) socket.deliver(msg.head);
  },
  adopt: (msg) => adopt(msg.id, msg.fd, msg.served, msg.head),
  data: (msg) => {
    sockets.get(msg.id)?.deliver(msg.chunk);
  },
  eof: (msg) => {
    sockets.get(msg.id)?.push(null);
  },
  drain: (msg) => sockets.get(msg.id)?.drained(),
  gone: (msg) => (lent.has(msg.id) ? dropLent(msg.id) : forget(msg.id)),
  drop: (msg) => (lent.has(msg.id) ? dropLent(msg.id) : forget(msg.id)),
  return: (msg) => giveBack(msg.ids),
  directives: (msg) => {
    directives = msg.directives;
    applyTimeouts(server, directives, init.event);
    if (keepAliveTimer !== null) clearTimeout(keepAliveTimer);
    keepAliveTimer = null;
    const queued = keepAliveQueued(directives);
    if (queued) armKeepAlive();
    for (const s of parked) {
      if (s.destroyed) continue;
      // Queued, a parked connection's own timer is Timeout, now the new one. Out of the queue's
      // reach, it gets the new KeepAliveTimeout, as Node arms it (Timeout again at its next request).
      if (!queued) s.setTimeout(keepAliveMs(directives) || server.timeout);
      else if (s.timeout !== server.timeout) s.setTimeout(server.timeout);
    }
  },
  stopping: () => {
    stopping = true;
  },
  pop: () => {
    if (shared.current(init.index) === 0) popQueued();
  },
  'status-reply': (msg) => {
    const w = statusWaits.get(msg.seq);
    if (!w) return;
    statusWaits.delete(msg.seq);
    if (msg.page) w.resolve(msg.page);
    else w.reject(new Error(msg.error ?? 'unavailable'));
  },
};

slot.status('_', Date.now());
post({ t: 'ready' });
for (const msg of early.splice(0)) (table[msg.t] as (m: ListenerToThread) => void)(msg);
