/**
 * The data-plane listener: the primary accepts every connection itself (paused, no byte read)
 * and hands it to a child. While no child has capacity, connections wait here in a bounded
 * accept queue — ListenBacklog long — and beyond it are refused, never buffered without bound.
 * Apache cannot show its backlog; this queue is on the scoreboard.
 *
 * A connection stays libuv's bare TCP handle here: the primary never reads it, so no net.Socket
 * (a stream with its buffers and listeners) is built around it only to be torn down once sent.
 * Node's cluster does the same in its round-robin primary.
 */

import net from 'node:net';

/** An accepted connection as libuv gives it: sent to a child as a handle, closed once sent. */
export interface Accepted {
  readonly fd: number;
  setNoDelay(enable: boolean): number;
  close(cb?: () => void): void;
}

interface ServerHandle {
  onconnection: (status: number, handle?: Accepted) => void;
}

export interface ListenerOptions {
  host: string;
  port: number;
  backlog: number;
  /** Try to hand a connection to a child now; false if none has capacity. */
  handOff: (conn: Accepted) => boolean;
}

export class Listener {
  readonly server: net.Server;
  readonly #queue: Accepted[] = [];
  #backlog: number;
  readonly #handOff: (conn: Accepted) => boolean;
  #refused = 0;

  constructor(opts: ListenerOptions) {
    this.#backlog = opts.backlog;
    this.#handOff = opts.handOff;
    this.server = net.createServer();
  }

  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: this.#backlog }, () => {
        this.server.off('error', onError);
        // Set before the first accept: 'listening' comes on the tick after the handle is
        // bound, and accepts only in a later turn of the event loop.
        const handle = (this.server as unknown as { _handle: ServerHandle })._handle;
        // A failed accept(2) (EMFILE and the like) leaves the connection in the kernel's
        // backlog, to be taken on a later turn: nothing to do here.
        handle.onconnection = (status, conn) => {
          if (status >= 0 && conn) this.#accept(conn);
        };
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Connections closed on arrival because ListenBacklog were already waiting. */
  get refused(): number {
    return this.#refused;
  }

  set backlog(n: number) {
    this.#backlog = n;
  }

  #accept(conn: Accepted): void {
    conn.setNoDelay(true);
    if (this.#queue.length === 0 && this.#handOff(conn)) return;
    if (this.#queue.length >= this.#backlog) {
      this.#refused++;
      conn.close();
      return;
    }
    this.#queue.push(conn);
  }

  /**
   * A connection that was handed out and came back (its child died first) waits at the front,
   * having waited longest; beyond ListenBacklog it is closed, as a new one would be refused.
   */
  requeue(conn: Accepted): void {
    if (this.#queue.length >= this.#backlog) return void conn.close();
    this.#queue.unshift(conn);
  }

  /** Capacity appeared: hand queued connections out in arrival order while children take them. */
  drain(): void {
    while (this.#queue.length > 0) {
      if (!this.#handOff(this.#queue[0]!)) return;
      this.#queue.shift();
    }
  }

  /** Stops accepting at once; connections still queued are closed. */
  close(): Promise<void> {
    for (const conn of this.#queue.splice(0)) conn.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
