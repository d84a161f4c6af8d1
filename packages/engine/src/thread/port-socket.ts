/**
 * A connection as a thread sees it: a Duplex whose bytes come from, and go to, the child's
 * listener thread (which owns the real socket) over the thread's port. The thread's own
 * `http.Server` consumes it through `emit('connection', socket)`, so unmodified Node handlers
 * (Express, Koa, plain listeners) run in the thread.
 */

import { Duplex } from 'node:stream';
import { fromWire, toWireMany, wireLength, type ConnOpen, type ThreadToListener, type WireBytes } from '../ipc/thread-messages.js';

type Post = (msg: ThreadToListener, transfer?: ArrayBuffer[]) => void;

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
    this.#send([chunk], chunk.byteLength);
    cb();
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    let total = 0;
    const list = chunks.map((c) => {
      total += c.chunk.byteLength;
      return c.chunk;
    });
    this.#send(list, total);
    cb();
  }

  #send(chunks: ReadonlyArray<Uint8Array>, total: number): void {
    if (this.handedOver || total === 0) return;
    this.bytesWritten += total;
    this.#touch();
    const { bytes, transfer } = toWireMany(chunks, total);
    this.#post({ t: 'write', id: this.id, chunk: bytes }, transfer);
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
    if (!this.handedOver) this.#post({ t: 'destroy', id: this.id });
    cb(err);
  }

  // The parts of net.Socket's surface that http.Server and applications use.
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
