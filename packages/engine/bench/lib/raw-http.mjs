/**
 * Bare HTTP/1.1 connections to 127.0.0.1 for the idle benchmark: thousands of keep-alive
 * sockets that send a request and then sit parked, costing this process one descriptor each,
 * and single requests on fresh connections. It understands what the demo app answers — a
 * status line, headers, a `Content-Length` body — and nothing more.
 */

import net from 'node:net';

const REQUEST_TIMEOUT_MS = 10_000;
const HEADER_END = Buffer.from('\r\n\r\n');

export class RawConnection {
  #socket;
  #buf = Buffer.alloc(0);
  /** The request waiting for its response: { resolve, reject, timer }. */
  #pending = null;
  /** Set once the socket has closed, by either side. */
  closed = false;

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      this.#parse();
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => {
      this.closed = true;
      this.#fail(new Error('the server closed the connection'));
    });
  }

  /** A connected socket; rejects if the connection is refused or takes longer than the timeout. */
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
      const refused = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', refused);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', refused);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** GET `path`; resolves with the status code once the whole body has arrived. */
  get(path, { close = false } = {}) {
    if (this.closed) return Promise.reject(new Error('the connection is closed'));
    if (this.#pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
      this.#pending = { resolve, reject, timer };
      this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n`);
    });
  }

  destroy() {
    this.#socket.destroy();
  }

  #parse() {
    if (!this.#pending) return;
    const end = this.#buf.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buf.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const total = end + HEADER_END.length + length;
    if (this.#buf.length < total) return;
    this.#buf = this.#buf.subarray(total);
    const { resolve, timer } = this.#pending;
    clearTimeout(timer);
    this.#pending = null;
    resolve(status);
  }

  #fail(err) {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    clearTimeout(p.timer);
    this.#socket.destroy();
    p.reject(err);
  }
}

/**
 * One request on a new connection (`Connection: close`), timed from `since` (default: now,
 * before the connect) to the last byte of the response: what a new visitor waits.
 */
export async function freshRequest(port, path, since = performance.now()) {
  const t0 = since;
  const conn = await RawConnection.open(port);
  try {
    const status = await conn.get(path, { close: true });
    return { status, ms: performance.now() - t0 };
  } finally {
    conn.destroy();
  }
}
