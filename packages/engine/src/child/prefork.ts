/**
 * A prefork child: the application runs on this process's main thread and the child serves
 * exactly one connection at a time (keep-alive included), like httpd's prefork child_main.
 * The primary only hands a connection to a child it knows is idle.
 *
 * @see httpd server/mpm/prefork/prefork.c child_main
 */

import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadApp } from '../app/load.js';
import { applyTimeouts, bytesOut, createSlotServer, SERVICE_UNAVAILABLE } from '../http/serve.js';
import { EXIT_CHILDFATAL, EXIT_REQUEST_TIME_LIMIT, type ChildInit, type PrimaryToChild, type ProcessCounters, type ActTable } from '../ipc/messages.js';
import { createSlotBuffer, SlotReader, SlotWriter } from '../scoreboard/slot-buffer.js';
import { asSocket, onPrimaryMessage, onStatusReply, requestStatus, send, setStatusFlush, type ConnHandle } from './channel.js';
import { startReporter } from './reporter.js';

const WATCHDOG_MAIN = fileURLToPath(new URL('../thread/watchdog.js', import.meta.url));
const STOP_HOOK = 'forkyard.requestTimeLimit';

export async function preforkChildMain(init: ChildInit): Promise<void> {
  const sab = createSlotBuffer(1);
  const slot = new SlotWriter(sab, 0);
  const reader = new SlotReader(sab);
  slot.status('S', Date.now());
  let directives = init.directives;
  let stopping = false;
  let current: { id: number; socket: Socket } | null = null;
  let served = 0;

  const counters = (): ProcessCounters => ({
    connections: current ? 1 : 0,
    writeCompletion: 0,
    keepAlive: 0,
    lingeringClose: 0,
    notAccepting: stopping,
  });
  const reporter = startReporter(reader, counters, init.reportInterval);
  const flush = reporter.flush;
  setStatusFlush(() => flush());

  const exit = (code: number): void => {
    flush(() => process.exit(code));
    setTimeout(() => process.exit(code), 500).unref();
  };

  let handler;
  try {
    handler = await loadApp(init.app);
  } catch (err) {
    send({ act: 'fatal', code: 'FY_APP_LOAD', message: (err as Error).message }, () => process.exit(EXIT_CHILDFATAL));
    return;
  }

  const server = createSlotServer({
    slot,
    localPort: init.localPort,
    handler,
    directives: () => directives,
    statusPage: requestStatus,
    stopping: () => stopping,
    onIdle: () => {
      const id = current?.id;
      current = null;
      served++;
      // MaxConnectionsPerChild counts connections; the child exits after its Nth (httpd: code 0).
      // It says it is leaving before it says the connection closed, so the primary never hands
      // a new connection to a child on its way out.
      const limit = directives.MaxConnectionsPerChild;
      const leaving = stopping || (limit > 0 && served >= limit);
      if (leaving) send({ act: 'accepting', accepting: false });
      if (id !== undefined) send({ act: 'closed', ids: [id] });
      if (leaving) {
        stopping = true;
        exit(0);
      }
    },
  });

  // RequestTimeLimit: a watchdog thread pauses this (stuck) thread and runs STOP_HOOK on it.
  let watchdog: Worker | null = null;
  let bytesAtRequestStart = 0;
  server.on('request', (req) => (bytesAtRequestStart = bytesOut(req.socket)));
  const ensureWatchdog = (): void => {
    const limit = directives.RequestTimeLimit;
    if (watchdog) return void watchdog.postMessage(limit);
    if (limit <= 0) return;
    watchdog = new Worker(WATCHDOG_MAIN, { workerData: { sab, limitSeconds: limit, hook: STOP_HOOK } });
    watchdog.unref();
  };
  (globalThis as Record<symbol, unknown>)[Symbol.for(STOP_HOOK)] = (stack: string): void => {
    const rec = reader.read(0);
    const socket = current?.socket;
    const answered503 = socket !== undefined && bytesOut(socket) === bytesAtRequestStart;
    // Everything here must leave before the exit: socket and IPC writes are tried at once.
    send({ act: 'forensic', kind: 'RequestTimeLimit', thread: 0, request: rec.request, client: rec.client, vhost: rec.vhost, elapsedMs: Date.now() - rec.startTime, stack, answered503 });
    if (socket && answered503) socket.end(SERVICE_UNAVAILABLE);
    else socket?.destroy();
    process.exit(EXIT_REQUEST_TIME_LIMIT);
  };
  ensureWatchdog();

  const table: ActTable<PrimaryToChild, ConnHandle | undefined> = {
    conn: (msg, handle) => {
      if (!handle) return;
      if (current || stopping) {
        // Cannot happen with the primary's accounting; refuse loudly rather than double-serve.
        handle.close();
        send({ act: 'closed', ids: [msg.id] });
        return;
      }
      const socket = asSocket(handle);
      current = { id: msg.id, socket };
      server.emit('connection', socket);
    },
    stop: (msg) => {
      stopping = true;
      if (!msg.graceful || !current) return exit(0);
      // Graceful: the in-flight request finishes; a kept-alive connection is answered with
      // `Connection: close` or closed by its KeepAliveTimeout, then the child exits.
      slot.status('G', Date.now());
    },
    directives: (msg) => {
      directives = msg.directives;
      applyTimeouts(server, directives);
      ensureWatchdog();
    },
    'status-reply': (msg) => onStatusReply(msg),
    init: () => undefined,
  };

  onPrimaryMessage((msg, handle) => {
    reporter.wake();
    const fn = table[msg.act] as (m: PrimaryToChild, h: ConnHandle | undefined) => void;
    fn?.(msg, handle);
  });

  slot.status('_', Date.now());
  flush();
  send({ act: 'ready' });
}
