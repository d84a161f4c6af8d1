/**
 * Entry file of every worker/event thread (given to `new Worker()`): runs the application on
 * this thread with its own `http.Server`, fed by the listener one connection at a time, and
 * writes its own scoreboard slot.
 *
 * @see httpd server/mpm/worker/worker.c worker_thread
 */

import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { loadApp } from '../app/load.js';
import { applyTimeouts, createSlotServer, type StatusPage } from '../http/serve.js';
import type { ChildDirectives } from '../ipc/messages.js';
import type { ListenerToThread, ThreadInit, ThreadToListener } from '../ipc/thread-messages.js';
import { SlotWriter } from '../scoreboard/slot-buffer.js';
import { PortSocket } from './port-socket.js';

const init = workerData as ThreadInit;
const port = parentPort!;
const post = (msg: ThreadToListener, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer ?? []);

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
/** When this thread last wrote to a directly served socket, read by the listener's RequestTimeLimit watchdog. */
const writeClock = new Float64Array(init.writeClock);
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
  handler,
  directives: () => directives,
  statusPage,
  stopping: () => stopping,
  onKeptAlive: (socket) => {
    // Event: a kept-alive connection goes back to the listener between requests.
    if (!init.event) return false;
    const s = socket as PortSocket;
    post({ t: 'release', id: s.id, received: s.bytesRead });
    return true;
  },
  onIdle: (socket) => {
    const s = socket as PortSocket | DirectSocket;
    if (s instanceof PortSocket && sockets.get(s.id) === s) sockets.delete(s.id);
    post({ t: 'idle', id: s.id });
  },
});

/** The listener took the connection away (closed, or moved to another thread): drop it quietly. */
function forget(id: number): void {
  const s = sockets.get(id);
  if (!s) return;
  sockets.delete(id);
  s.handedOver = true;
  s.emit('forkyard:handover');
  s.destroy();
}

/** A connection served directly: a real socket on this thread's own descriptor. */
interface DirectSocket extends Socket {
  id: number;
  forkyardServed: number;
}

function adopt(id: number, fd: number, served: number): void {
  const socket = new Socket({ fd, readable: true, writable: true }) as DirectSocket;
  socket.id = id;
  socket.forkyardServed = served;
  // RequestTimeLimit answers 503 only if nothing of the response went out: stamp each write.
  const write = socket.write;
  socket.write = function (this: DirectSocket, ...args: unknown[]): boolean {
    writeClock[init.index] = Date.now();
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
  server.emit('connection', socket);
}

const table: { [K in ListenerToThread['t']]: (msg: Extract<ListenerToThread, { t: K }>) => void } = {
  open: (msg) => {
    const socket = new PortSocket(msg, post);
    sockets.set(msg.id, socket);
    server.emit('connection', socket);
    if (msg.head) socket.deliver(msg.head);
  },
  adopt: (msg) => adopt(msg.id, msg.fd, msg.served),
  data: (msg) => {
    sockets.get(msg.id)?.deliver(msg.chunk);
  },
  eof: (msg) => {
    sockets.get(msg.id)?.push(null);
  },
  drain: (msg) => sockets.get(msg.id)?.drained(),
  gone: (msg) => forget(msg.id),
  drop: (msg) => forget(msg.id),
  directives: (msg) => {
    directives = msg.directives;
    applyTimeouts(server, directives);
  },
  stopping: () => {
    stopping = true;
  },
  'status-reply': (msg) => {
    const w = statusWaits.get(msg.seq);
    if (!w) return;
    statusWaits.delete(msg.seq);
    if (msg.page) w.resolve(msg.page);
    else w.reject(new Error(msg.error ?? 'unavailable'));
  },
};

port.on('message', (msg: ListenerToThread) => {
  (table[msg.t] as (m: ListenerToThread) => void)(msg);
});

slot.status('_', Date.now());
post({ t: 'ready' });
