/**
 * A connection as a thread sees it: a Duplex whose bytes come from, and go to, the child's
 * listener thread (which owns the real socket) over the thread's port. The thread's own
 * `http.Server` consumes it through `emit('connection', socket)`, so unmodified Node handlers
 * (Express, Koa, plain listeners) run in the thread.
 */

import { Duplex } from 'node:stream';
import { fromWire, toWireMany, wireLength, type ConnOpen, type ThreadToListener, type WireBytes } from '../ipc/thread-messages.js';

type Post = (msg: ThreadToListener, transfer?: ArrayBuffer[]) => void;

/**
 * Bytes a thread may send ahead of the real socket. Past it, a write waits for the listener's
 * 'drain' before it completes, so a response is paced by the client, not buffered whole in the
 * listener, and a client that stops reading leaves the connection silent (Timeout cuts it).
 */
const WRITE_WINDOW = 256 * 1024;

export class PortSocket extends Duplex {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteFamily: string;
  readonly forkyardServed: number;
  bytesRead = 0;
  bytesWritten = 0;
  /** Set once the listener has taken the connection back (event MPM parking). */
  handedOver = false;
  readonly #post: Post;
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Bytes sent since the listener last said its socket drained. */
  #unacknowledged = 0;
  /** The callback of a write held until the listener's 'drain'. */
  #waiting: ((err?: Error | null) => void) | null = null;

  constructor(open: ConnOpen, post: Post) {
    super({ allowHalfOpen: true, decodeStrings: true });
    this.id = open.id;
    this.remoteAddress = open.remoteAddress;
    this.remotePort = open.remotePort;
    this.localAddress = open.localAddress;
    this.localPort = open.localPort;
    this.remoteFamily = open.remoteAddress.includes(':') ? 'IPv6' : 'IPv4';
    this.forkyardServed = open.served;
    this.#post = post;
  }

  /** Bytes from the client. */
  deliver(chunk: WireBytes): void {
    this.bytesRead += wireLength(chunk);
    this.#touch();
    this.push(fromWire(chunk));
  }

  override _read(): void {
    // Flow control lives in the listener (it pauses the real socket); nothing to pull here.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#send([chunk], chunk.byteLength, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    let total = 0;
    const list = chunks.map((c) => {
      total += c.chunk.byteLength;
      return c.chunk;
    });
    this.#send(list, total, cb);
  }

  /** The listener's socket has taken what was sent: a write waiting on the window completes. */
  drained(): void {
    this.#unacknowledged = 0;
    const cb = this.#waiting;
    this.#waiting = null;
    if (cb) {
      this.#touch();
      cb();
    }
  }

  #send(chunks: ReadonlyArray<Uint8Array>, total: number, cb: (err?: Error | null) => void): void {
    if (this.handedOver || total === 0) return cb();
    this.bytesWritten += total;
    this.#touch();
    this.#unacknowledged += total;
    const wait = this.#unacknowledged > WRITE_WINDOW;
    const { bytes, transfer } = toWireMany(chunks, total);
    this.#post(wait ? { t: 'write', id: this.id, chunk: bytes, wait } : { t: 'write', id: this.id, chunk: bytes }, transfer);
    if (wait) this.#waiting = cb;
    else cb();
  }

  /** The response side is done: the listener half-closes and lingers; this thread is free. */
  override _final(cb: (err?: Error | null) => void): void {
    if (!this.handedOver) this.#post({ t: 'end', id: this.id });
    this.handedOver = true;
    cb();
    process.nextTick(() => this.destroy());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#clearTimer();
    // A write still waiting for 'drain' never completes: the connection is gone.
    this.#waiting = null;
    if (!this.handedOver) this.#post({ t: 'destroy', id: this.id });
    cb(err);
  }

  // The parts of net.Socket's surface that http.Server and applications use.
  get timeout(): number {
    return this.#timeoutMs;
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.#timeoutMs = ms;
    if (cb) this.once('timeout', cb);
    this.#touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: this.remoteFamily, port: this.localPort };
  }

  #touch(): void {
    this.#clearTimer();
    if (this.#timeoutMs > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), this.#timeoutMs);
      this.#timer.unref();
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
