/**
 * Entry file of every worker/event thread (given to `new Worker()`): runs the application on
 * this thread with its own `http.Server`, fed by the listener one connection at a time, and
 * writes its own scoreboard slot.
 *
 * @see httpd server/mpm/worker/worker.c worker_thread
 */

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

const slot = new SlotWriter(init.sab, init.index);
slot.status('S', Date.now());
let directives: ChildDirectives = init.directives;
let stopping = false;
let current: PortSocket | null = null;
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
    if (init.event) post({ t: 'release', id: (socket as PortSocket).id, received: (socket as PortSocket).bytesRead });
  },
  onIdle: (socket) => {
    const s = socket as PortSocket;
    if (current === s) current = null;
    post({ t: 'idle', id: s.id });
  },
});

const table: { [K in ListenerToThread['t']]: (msg: Extract<ListenerToThread, { t: K }>) => void } = {
  open: (msg) => {
    const socket = new PortSocket(msg, post);
    current = socket;
    server.emit('connection', socket);
    if (msg.head) socket.deliver(msg.head);
  },
  data: (msg) => {
    if (current?.id === msg.id) current.deliver(msg.chunk);
  },
  eof: (msg) => {
    if (current?.id === msg.id) current.push(null);
  },
  gone: (msg) => {
    if (current?.id === msg.id) {
      current.handedOver = true; // the real socket is already closed: nothing to send back
      current.destroy();
    }
  },
  parked: (msg) => {
    if (current?.id !== msg.id) return;
    const s = current;
    s.handedOver = true;
    s.emit('forkyard:handover');
    s.destroy();
  },
  keep: () => {
    // More bytes were on their way: this thread carries on with the connection.
  },
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
