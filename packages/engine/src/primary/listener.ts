/**
 * The data-plane listener: the primary accepts every connection itself (paused, no byte read)
 * and hands it to a child. While no child has capacity, connections wait here in a bounded
 * accept queue — ListenBacklog long — and beyond it are refused, never buffered without bound.
 * Apache cannot show its backlog; this queue is on the scoreboard.
 */

import net, { type Socket } from 'node:net';

export interface ListenerOptions {
  host: string;
  port: number;
  backlog: number;
  /** Try to hand a socket to a child now; false if none has capacity. */
  handOff: (socket: Socket) => boolean;
}

export class Listener {
  readonly server: net.Server;
  readonly #queue: Socket[] = [];
  #backlog: number;
  readonly #handOff: (socket: Socket) => boolean;
  refused = 0;

  constructor(opts: ListenerOptions) {
    this.#backlog = opts.backlog;
    this.#handOff = opts.handOff;
    this.server = net.createServer({ pauseOnConnect: true, noDelay: true });
    this.server.on('connection', (socket) => this.#accept(socket));
  }

  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: this.#backlog }, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  get queued(): number {
    return this.#queue.length;
  }

  set backlog(n: number) {
    this.#backlog = n;
  }

  #accept(socket: Socket): void {
    // A client that resets while queued must not take the queue down with it.
    socket.on('error', () => undefined);
    if (this.#queue.length === 0 && this.#handOff(socket)) return;
    if (this.#queue.length >= this.#backlog) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.#queue.push(socket);
  }

  /** Capacity appeared: hand queued connections out in arrival order while children take them. */
  drain(): void {
    while (this.#queue.length > 0) {
      const socket = this.#queue[0]!;
      if (socket.destroyed) {
        this.#queue.shift();
        continue;
      }
      if (!this.#handOff(socket)) return;
      this.#queue.shift();
    }
  }

  /**
   * Stops accepting at once. It does not wait for server.close()'s callback: that waits for
   * every connection ever handed to a child to be reported closed by it, and a child that has
   * exited never reports (the pool waits for its children itself).
   */
  close(): Promise<void> {
    for (const s of this.#queue.splice(0)) s.destroy();
    this.server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }
}
