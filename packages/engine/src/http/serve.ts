/**
 * One slot's HTTP server: a Node `http.Server` that never listens, fed one connection at a
 * time with `emit('connection', socket)`, recording httpd's slot states as the connection
 * moves through them. Used by a prefork child's main thread and by every worker/event thread.
 *
 *   connection ─▶ R ─(request read)─▶ W ─(response done)─▶ K (kept alive) ─▶ W …
 *                                                        └▶ C (closing) ─▶ _ (ready)
 *
 * @see httpd modules/http/http_core.c ap_process_http_sync_connection
 */

import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChildDirectives } from '../ipc/messages.js';
import type { SlotWriter } from '../scoreboard/slot-buffer.js';

export interface StatusPage {
  status: number;
  contentType: string;
  body: string;
  refresh?: number;
}

export interface SlotServerOptions {
  slot: SlotWriter;
  /** The port every connection arrives on, known to the pool; 0: ask each connection's socket (a system call). */
  localPort?: number;
  handler: RequestListener;
  directives: () => ChildDirectives;
  /** Renders /server-status (the primary holds the scoreboard). */
  statusPage: (query: string, host: string, localAddress: string) => Promise<StatusPage>;
  /** True once the child is going away: responses then carry `Connection: close`. */
  stopping: () => boolean;
  /** Called after each response that keeps the connection alive. Event MPM parks it: the slot
   * goes back to `_` at once. 'listener': the listener holds it and times the keep-alive out
   * (the socket stays here for a quick return); 'thread': it stays parked on this thread, which
   * times it out. false: the connection holds the slot in K (worker, prefork). */
  onKeptAlive?: (socket: Duplex) => 'listener' | 'thread' | false;
  /**
   * Event: the thread times out the connections it parks itself, in its keep-alive queue, while
   * keepAliveQueued() holds; Node then arms no timer per response (see applyTimeouts).
   */
  keepAliveQueue?: boolean;
  /** The connection is gone (closed or handed over) and the slot is ready again. */
  onIdle: (socket: Duplex) => void;
  /**
   * Event with the direct transport: this server holds many connections (kept-alive ones stay
   * here between requests) yet answers one request at a time, as the slot it is. A request
   * that arrives while another connection's is being answered waits for it.
   */
  exclusive?: boolean;
  /**
   * A request on `socket` is about to be answered. `behind`: it was pipelined behind a response
   * on the same connection that is not complete yet (a 503 could not be told apart from it).
   */
  onRequestStart?: (socket: Duplex, behind: boolean) => void;
  /**
   * Exclusive: no request is being answered any more. `closing`: the connection just answered
   * is going away, so `onIdle` follows for it.
   */
  onFree?: (closing: boolean) => void;
  /** Exclusive: the request being answered did not finish in the handler's synchronous part. */
  onBlocked?: () => void;
}

/** Connection-level facts the server needs that a Duplex from a thread carries as properties. */
interface ConnInfo {
  /** This server's record of the connection, kept on the socket itself. */
  slotConn?: SlotConn;
  remoteAddress?: string;
  localAddress?: string;
  localPort?: number;
  /** Requests already served on this connection before this server saw it (event MPM). */
  forkyardServed?: number;
  bytesWritten?: number;
}

/** net.Socket and the threads' PortSocket both have it. */
interface TimeoutSocket {
  setTimeout(ms: number): unknown;
  /** The idle timeout armed on it, in ms (0: none). */
  readonly timeout?: number;
}

/** What a client gets when RequestTimeLimit stops its request before any response was sent. */
export const SERVICE_UNAVAILABLE =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 61\r\nConnection: close\r\n\r\nThe request ran longer than RequestTimeLimit and was stopped\n';

/** How often request deadlines (headersTimeout) are checked, in ms (Node's default: 30 s). */
const CHECK_MS = 1000;

/** What Node adds to server.keepAliveTimeout when it arms a kept-alive connection's timer. */
const KEEP_ALIVE_BUFFER_MS = 1000;

/** How much later than Timeout a silent connection is cut, so a pending 408 is sent first. */
const IDLE_GRACE_MS = 1500;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.has(address);
}

/** One connection as this server sees it. */
interface SlotConn {
  socket: Duplex & ConnInfo & TimeoutSocket;
  served: number;
  /** Responses begun and not yet finished (more than one when the client pipelines). */
  inFlight: number;
  /** The local port, read once: a net.Socket asks the kernel for it. */
  localPort: number;
  /** The response begun last on it, until it finishes (a parked connection holds none). */
  last: ServerResponse | null;
}

/**
 * The responses of a slot server: what the response-level listeners need travels on the
 * response itself, so those listeners are created once per server, not once per request.
 */
class SlotResponse extends http.ServerResponse {
  slotConn: SlotConn | null = null;
  bytesBefore = 0;
}

/**
 * Bytes written to a connection so far. net.Socket's `bytesWritten` copies its write queue to
 * count it; what the kernel took plus what is still queued is the same figure without that.
 */
export function bytesOut(socket: Duplex & ConnInfo): number {
  const dispatched = (socket as { _bytesDispatched?: number })._bytesDispatched;
  return typeof dispatched === 'number' ? dispatched + socket.writableLength : (socket.bytesWritten ?? 0);
}

export function createSlotServer(opts: SlotServerOptions): http.Server {
  const { slot } = opts;
  // Request deadlines (headersTimeout/requestTimeout = Timeout, answered with 408) are checked
  // every second rather than Node's default 30 s, so a slow client is cut close to Timeout.
  const server = http.createServer({ connectionsCheckingInterval: CHECK_MS, ServerResponse: SlotResponse });
  // Node starts that check when the server starts listening, which this one never does.
  server.emit('listening');
  let open = 0;
  const checks = startChecks(server, () => open > 0);
  applyTimeouts(server, opts.directives(), opts.keepAliveQueue);
  /**
   * The connection this slot is serving. An event thread may also hold idle connections it
   * served before (parked in the listener, kept here so their next request can come back
   * without a new hand-over); only the current one writes the slot.
   */
  let current: Duplex | null = null;
  /** Exclusive: the connection whose request is being answered, and requests waiting for it. */
  let answering: Duplex | null = null;
  const queue: Array<[IncomingMessage, ServerResponse]> = [];
  /** The vhost field of the last request, and what it was made of (it rarely changes). */
  let lastHost: string | null = null;
  let lastPort = -1;
  let lastVhost = '';
  /** The same for the request line and protocol: a keep-alive client often repeats its request. */
  let lastMethod: string | undefined;
  let lastUrl: string | undefined;
  let lastVersion = '';
  let lastLine = '';
  let lastProtocol = '';

  const portOf = (socket: ConnInfo): number => opts.localPort || socket.localPort || 0;

  const release = (socket: Duplex): void => {
    if (current === socket) {
      current = null;
      slot.status('_', Date.now());
    }
    opts.onIdle(socket);
  };

  server.on('connection', (socket: Duplex & ConnInfo & TimeoutSocket) => {
    socket.slotConn = { socket, served: socket.forkyardServed ?? 0, inFlight: 0, localPort: portOf(socket), last: null };
    if (answering === null) {
      current = socket;
      slot.connection(socket.remoteAddress ?? '', Date.now(), socket.forkyardServed ?? 0);
    }
    if (++open === 1) checks.start();
    let handedOver = false;
    socket.once('close', () => {
      open--;
      if (!handedOver) release(socket);
    });
    socket.on('forkyard:handover', () => {
      handedOver = true;
      release(socket);
    });
  });

  const nextInQueue = (closing: boolean): void => {
    answering = null;
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (next[0].socket.destroyed) continue;
      return answer(next[0], next[1] as SlotResponse);
    }
    opts.onFree?.(closing);
  };

  server.on('request', (req: IncomingMessage, res: SlotResponse) => {
    if (opts.exclusive && answering !== null && answering !== req.socket) {
      queue.push([req, res]);
      return;
    }
    answer(req, res);
  });

  /** Exclusive: 'close' follows 'finish', and also comes when the client goes away mid-response. */
  function onResponseClose(this: SlotResponse): void {
    const conn = this.slotConn!;
    // A pipelined request on the same connection keeps the slot until its own response.
    if (answering === conn.socket && (conn.socket.destroyed || conn.inFlight === 0)) nextInQueue(conn.socket.destroyed || !this.shouldKeepAlive);
  }

  function onResponseFinish(this: SlotResponse): void {
    const conn = this.slotConn!;
    const { socket } = conn;
    conn.inFlight--;
    if (conn.last === this) conn.last = null;
    const now = Date.now();
    const kept = this.shouldKeepAlive && !socket.destroyed;
    const bytes = Math.max(0, bytesOut(socket) - this.bytesBefore);
    if (!kept || conn.inFlight > 0) return slot.requestEnd(bytes, now, kept ? 'K' : 'C');
    // Node's own 'finish' listener (registered before this one) has just armed the idle timer at
    // server.keepAliveTimeout + 1 s (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER): exactly httpd's
    // KeepAliveTimeout, as applyTimeouts sets it, unless that is 1 s or less. Then it is re-armed
    // here (unless a pipelined request is still being answered: Node keeps Timeout running).
    const d = opts.directives();
    const waitMs = keepAliveMs(d);
    if (waitMs > 0 && waitMs <= KEEP_ALIVE_BUFFER_MS && !(opts.keepAliveQueue && keepAliveQueued(d))) socket.setTimeout(waitMs);
    // Event: the connection is parked; this slot is free at once (no K held).
    const parked = opts.onKeptAlive?.(socket) ?? false;
    if (parked === 'listener') socket.setTimeout(0);
    if (parked && current === socket) {
      current = null;
      slot.requestEnd(bytes, now, '_');
    } else {
      slot.requestEnd(bytes, now, 'K');
    }
  }

  function answer(req: IncomingMessage, res: SlotResponse): void {
    const socket = req.socket as unknown as Duplex & ConnInfo & TimeoutSocket;
    const conn = socket.slotConn ?? { socket, served: 0, inFlight: 0, localPort: portOf(socket), last: null };
    res.slotConn = conn;
    if (opts.exclusive) {
      answering = socket;
      res.on('close', onResponseClose);
    }
    // Behind: an earlier response on the connection has not all gone out (ended is not enough:
    // it may wait behind another, or in the socket's buffer). Each flushes only after the one
    // before it, so the last one begun (held until it finishes) tells for all.
    opts.onRequestStart?.(socket, conn.last !== null && !conn.last.writableFinished);
    conn.last = res;
    // Every wait on the client during a request is bounded by Timeout. Node restores that
    // timer when a request follows a kept-alive wait it timed itself; after a wait timed by an
    // event thread's queue or by the listener, or once Timeout has changed, it is restored here.
    if (socket.timeout !== server.timeout) socket.setTimeout(server.timeout);
    current = socket;
    const d = opts.directives();
    const host = req.headers.host ?? socket.localAddress ?? '';
    if (host !== lastHost || conn.localPort !== lastPort) {
      lastHost = host;
      lastPort = conn.localPort;
      lastVhost = `${host.replace(/:\d+$/, '')}:${lastPort}`;
    }
    const { method, url, httpVersion } = req;
    if (method !== lastMethod || url !== lastUrl || httpVersion !== lastVersion) {
      lastMethod = method;
      lastUrl = url;
      lastVersion = httpVersion;
      lastLine = `${method} ${url} HTTP/${httpVersion}`;
      lastProtocol = `http/${httpVersion}`;
    }
    slot.requestStart(lastLine, lastVhost, lastProtocol, Date.now());
    res.bytesBefore = bytesOut(socket);
    conn.served++;
    conn.inFlight++;
    // Carried with the connection if it moves to another thread (MaxKeepAliveRequests).
    socket.forkyardServed = conn.served;
    (res as unknown as { _keepAliveTimeout: number })._keepAliveTimeout = keepAliveMs(d);
    setKeepAlive(req, res, d, conn.served, opts.stopping());
    res.on('finish', onResponseFinish);

    if (d.LimitRequestBody > 0 && !limitRequestBody(req, res, d.LimitRequestBody)) return;
    if (isStatusRequest(req)) serveStatus(req, res, socket, opts);
    else runHandler(opts.handler, req, res);
    // The handler went asynchronous: this slot stays busy past this turn of the event loop.
    if (!res.writableEnded) opts.onBlocked?.();
  }

  return server as unknown as http.Server;
}

/**
 * Node's check of request deadlines (headersTimeout, once a second) is a wake-up a second for
 * every idle slot: it runs only while the slot has connections. Node's own interval is taken
 * over, so that the check stops itself at the first tick that finds no connection, instead of
 * being stopped and started again (a timer and a bound function) with every connection that
 * comes to a slot with none.
 */
function startChecks(server: object, busy: () => boolean): { start(): void } {
  const symbol = Object.getOwnPropertySymbols(server).find((s) => s.description === 'http.server.connectionsCheckingInterval');
  const nodes = symbol ? (server as Record<symbol, NodeJS.Timeout | undefined>)[symbol] : undefined;
  const check = (nodes as { _onTimeout?: unknown } | undefined)?._onTimeout;
  // Without Node's interval and the bound check it runs, Node's interval is left as it is.
  if (!nodes || typeof check !== 'function') return { start: () => undefined };
  clearInterval(nodes);
  let timer: NodeJS.Timeout | null = null;
  const tick = (): void => {
    (check as () => void)();
    if (busy() || timer === null) return;
    clearInterval(timer);
    timer = null;
  };
  return {
    start() {
      timer ??= setInterval(tick, CHECK_MS).unref();
    },
  };
}

/**
 * httpd's Timeout bounds each wait on the client. A request head not complete within Timeout
 * is answered 408 (headersTimeout, checked each second); an otherwise silent connection (a body
 * that stops, a client that stops reading) is cut a little later by the idle timeout, so the
 * 408 check comes first. The whole request is not time-boxed: a slow but moving upload is fine.
 */
export function applyTimeouts(
  server: Pick<http.Server, 'timeout' | 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout'>,
  d: ChildDirectives,
  keepAliveQueue = false,
): void {
  server.timeout = idleMs(d);
  server.headersTimeout = d.Timeout * 1000;
  server.requestTimeout = 0;
  // Node's 'finish' listener arms a kept-alive connection's idle timer at keepAliveTimeout + 1 s.
  // Set 1 s short, that timer is httpd's KeepAliveTimeout itself, and no second timer replaces
  // it on every response; each response still advertises the real value (`_keepAliveTimeout`,
  // which Node's Keep-Alive header reads).
  const waitMs = keepAliveMs(d);
  server.keepAliveTimeout = waitMs > KEEP_ALIVE_BUFFER_MS ? waitMs - KEEP_ALIVE_BUFFER_MS : waitMs;
  // An event thread's keep-alive queue times its parked connections instead. With
  // keepAliveTimeout 0, Node arms no timer when a response finishes and none again when the next
  // request comes (two timers and their callbacks a request): the idle timer armed when the
  // connection came (Timeout) keeps running, pushed back by every read and write.
  if (keepAliveQueue && keepAliveQueued(d)) server.keepAliveTimeout = 0;
}

/** How long a kept-alive connection waits for its next request (httpd's KeepAliveTimeout), in ms; 0 with KeepAlive Off. */
export function keepAliveMs(d: ChildDirectives): number {
  return d.KeepAlive ? d.KeepAliveTimeout * 1000 : 0;
}

/** How long a connection may stay silent (Timeout, and the grace that lets a pending 408 go first), in ms. */
function idleMs(d: ChildDirectives): number {
  return d.Timeout * 1000 + IDLE_GRACE_MS;
}

/**
 * Whether an event thread's keep-alive queue can time its parked connections: with keep-alive
 * on, and a KeepAliveTimeout no longer than the idle timer that keeps running under it.
 */
export function keepAliveQueued(d: ChildDirectives): boolean {
  const waitMs = keepAliveMs(d);
  return waitMs > 0 && waitMs <= idleMs(d);
}

/**
 * httpd's ap_set_keepalive: MaxKeepAliveRequests N lets a connection serve N + 1 requests,
 * `Keep-Alive: timeout=T, max=left` when the client asked for it, and `Connection: close`
 * while the server is stopping.
 */
function setKeepAlive(req: IncomingMessage, res: ServerResponse, d: ChildDirectives, served: number, stopping: boolean): void {
  const left = d.MaxKeepAliveRequests > 0 ? d.MaxKeepAliveRequests - (served - 1) : Infinity;
  if (!d.KeepAlive || d.KeepAliveTimeout <= 0 || left <= 0 || stopping) {
    res.shouldKeepAlive = false;
    return;
  }
  // Without a count left to tell, Node writes the very same `Keep-Alive: timeout=T` itself (from
  // the response's _keepAliveTimeout, set in answer), without setHeader's per-response validation.
  if (!Number.isFinite(left) && Number.isInteger(d.KeepAliveTimeout)) return;
  const asked = /keep-alive/i.test(req.headers.connection ?? '');
  if (!asked) return;
  if (Number.isInteger(d.KeepAliveTimeout)) {
    // Node adds `, max=N` to that header from the response's _maxRequestsPerSocket (set from
    // server.maxRequestsPerSocket, which this server leaves unset: the count is httpd's here).
    // A header set with setHeader instead would be validated on every response and would put
    // the application's own writeHead on Node's slow path, header by header.
    (res as unknown as { _maxRequestsPerSocket: number })._maxRequestsPerSocket = left;
    return;
  }
  const max = Number.isFinite(left) ? `, max=${left}` : '';
  res.setHeader('Keep-Alive', `timeout=${Math.ceil(d.KeepAliveTimeout)}${max}`);
}

/**
 * LimitRequestBody: a declared length over the limit is refused before the application runs;
 * a chunked body is counted as the parser hands it over and refused once it passes the limit.
 * Either way the answer is 413 and the connection closes. Returns false if already refused.
 */
function limitRequestBody(req: IncomingMessage, res: ServerResponse, limit: number): boolean {
  const refuse = (): void => {
    res.shouldKeepAlive = false;
    if (!res.headersSent) {
      const body = `Request body larger than LimitRequestBody (${limit} bytes)\n`;
      res.writeHead(413, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
    } else {
      res.destroy();
    }
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    refuse();
    return false;
  }
  // A body of declared length ends where it says (the parser reads no further): only a chunked
  // body has to be counted as it comes.
  if (req.headers['transfer-encoding'] === undefined) return true;
  let seen = 0;
  let refused = false;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk !== null && chunk !== undefined) {
      seen += (chunk as Buffer).length;
      if (refused) return false;
      if (seen > limit) {
        refused = true;
        refuse();
        return false;
      }
    }
    return push(chunk, encoding);
  };
  return true;
}

function isStatusRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (url === '/server-status' || url.startsWith('/server-status?')) && (req.method === 'GET' || req.method === 'HEAD');
}

function serveStatus(req: IncomingMessage, res: ServerResponse, socket: ConnInfo, opts: SlotServerOptions): void {
  // mod_status is reachable from loopback clients only by default.
  if (!isLoopback(socket.remoteAddress)) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden: /server-status is served to loopback clients only\n');
    return;
  }
  const url = req.url ?? '';
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  opts.statusPage(query, req.headers.host ?? '', socket.localAddress ?? '').then(
    (page) => {
      res.writeHead(page.status, {
        'content-type': page.contentType,
        'content-length': Buffer.byteLength(page.body),
        ...(page.refresh ? { refresh: String(page.refresh) } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : page.body);
    },
    (err: Error) => {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`server-status unavailable: ${err.message}\n`);
    },
  );
}

/** Runs the application; a throw or rejection answers 500 for that request only. */
export function runHandler(handler: RequestListener, req: IncomingMessage, res: ServerResponse): void {
  const fail = (err: unknown): void => {
    process.emitWarning(`application error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`, 'ForkyardAppError');
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' }).end('Internal Server Error\n');
    } else {
      res.destroy();
    }
  };
  try {
    const out = handler(req, res) as unknown;
    if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(undefined, fail);
  } catch (err) {
    fail(err);
  }
}
