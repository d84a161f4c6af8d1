/**
 * The stream hub: ONE ticker for every `/stream` client. Each tick takes one snapshot and, per
 * delivery rate in use, one delta, serialises each frame once, and hands the same text to every
 * client at that rate. Nothing is computed per client except the decision to send.
 *
 *   tick ─▶ source() ─▶ snapshot(seq) ─┬─ rate 10 Hz: delta(from seq-1) ─▶ clients A, B, C
 *                                      └─ rate  2 Hz: delta(from seq-5) ─▶ client D (every 5th tick)
 *
 * Slow clients never grow the server's memory: a client whose socket holds more than
 * `softLimitBytes` unsent gets no deltas (it is owed a snapshot once it drains); one that stays
 * above it for `stallMs`, or ever goes above `hardLimitBytes`, is closed with 1013.
 *
 * With permessage-deflate (routes/stream.ts) "unsent" is what ws reports as bufferedAmount:
 * the compressed bytes the socket holds plus the raw size of frames zlib has not finished. A
 * snapshot so counts in full for the few ms it is compressed: keep the soft limit above a raw
 * snapshot (a 1,024-slot board's is ~120 kB) so that a client that keeps up is never taken
 * for a slow one.
 */
import {
  diffSnapshots,
  STREAM_CLOSE,
  STREAM_MAX_RATE_HZ,
  type ServerFrame,
  type StatusSnapshot,
  type StreamEvent,
} from '@forkyard/protocol';

/** What the hub needs of a WebSocket (ws's WebSocket has all of it). */
export interface StreamPeer {
  readonly bufferedAmount: number;
  /** `compress`: whether to deflate this frame, where the connection negotiated permessage-deflate. */
  send(text: string, options: { compress: boolean }): void;
  close(code: number, reason: string): void;
  /** Destroys the connection without a closing handshake. */
  terminate?(): void;
}

export interface StreamHubOptions {
  /** The current status snapshot (called once per tick, whatever the number of clients). */
  source: () => StatusSnapshot;
  /** Ticks per second, the fastest delivery rate (default 10). */
  rateHz?: number;
  /** Unsent bytes above which a client gets no deltas (default 256 KiB). */
  softLimitBytes?: number;
  /** Unsent bytes above which a client is closed at once (default 4 MiB). */
  hardLimitBytes?: number;
  /** How long a client may stay above the soft limit before it is closed (default 10 s). */
  stallMs?: number;
  now?: () => number;
  /** Run the ticker on a timer (default); tests turn it off and call tick() themselves. */
  autoTick?: boolean;
}

/**
 * Frames shorter than this many characters go out as they are, even to a client that
 * negotiated permessage-deflate. Deflating one costs a zlib round trip through libuv's thread
 * pool per client and saves a few hundred bytes: for a small pool's deltas (about 530
 * characters) it was most of what 10 clients cost the primary (docs/BENCHMARKS.md, overhead of
 * observation: 34.7 ms of CPU a second before, 11.9 after; each client now reads 5.3 kB/s
 * instead of 1.3). A loaded large board's frames, where compression pays, are longer.
 */
export const COMPRESS_MIN_CHARS = 1024;

/** After a 1013 close, how long a client that reads nothing keeps its socket before it is destroyed. */
const DROP_GRACE_MS = 1000;

interface Client {
  /** Deliver on ticks where seq % divisor === 0. */
  divisor: number;
  /** Sequence number of the state the client holds (-1: none yet). */
  seq: number;
  /** Skipped frames while slow, or asked to resync: the next delivery is a snapshot. */
  owedSnapshot: boolean;
  /** When it went above the soft limit; 0 while it keeps up. */
  slowSince: number;
}

/** One delivery rate's chain of deltas. */
interface Tier {
  base: StatusSnapshot;
  baseSeq: number;
}

export interface StreamHubStats {
  clients: number;
  seq: number;
  ticks: number;
  /** Clients closed for reading too slowly since the hub started. */
  dropped: number;
}

export class StreamHub {
  readonly #source: () => StatusSnapshot;
  readonly #rateHz: number;
  readonly #soft: number;
  readonly #hard: number;
  readonly #stallMs: number;
  readonly #now: () => number;
  readonly #autoTick: boolean;
  /** True while clients are connected (the ticker runs, by timer or by hand). */
  #running = false;
  readonly #clients = new Map<StreamPeer, Client>();
  readonly #tiers = new Map<number, Tier>();
  #seq = 0;
  #current: StatusSnapshot | null = null;
  /** `#current` as a snapshot frame, serialised at most once per tick. */
  #snapshotText: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #ticks = 0;
  #dropped = 0;
  #closed = false;

  constructor(opts: StreamHubOptions) {
    this.#source = opts.source;
    this.#rateHz = Math.min(Math.max(opts.rateHz ?? STREAM_MAX_RATE_HZ, 0.1), 100);
    this.#soft = opts.softLimitBytes ?? 256 * 1024;
    this.#hard = Math.max(opts.hardLimitBytes ?? 4 * 1024 * 1024, this.#soft);
    this.#stallMs = opts.stallMs ?? 10_000;
    this.#now = opts.now ?? Date.now;
    this.#autoTick = opts.autoTick ?? true;
  }

  get stats(): StreamHubStats {
    return { clients: this.#clients.size, seq: this.#seq, ticks: this.#ticks, dropped: this.#dropped };
  }

  /** A new client: it gets a full snapshot now, then deltas at the full rate. */
  add(peer: StreamPeer): void {
    if (this.#closed) {
      peer.close(STREAM_CLOSE.goingAway, 'the server is shutting down');
      return;
    }
    if (!this.#running) {
      // Nobody was listening: take a fresh snapshot rather than an old one.
      this.#running = true;
      this.#advance();
      if (this.#autoTick) {
        this.#timer = setInterval(() => this.tick(), 1000 / this.#rateHz);
        this.#timer.unref();
      }
    }
    const client: Client = { divisor: 1, seq: -1, owedSnapshot: false, slowSince: 0 };
    this.#clients.set(peer, client);
    this.#ensureTier(1);
    this.#sendSnapshot(peer, client);
  }

  remove(peer: StreamPeer): void {
    this.#clients.delete(peer);
    if (this.#clients.size === 0) this.#idle();
    else this.#dropUnusedTiers();
  }

  /** The client asks for `hz` deltas per second: rounded to a whole number of ticks. */
  setRate(peer: StreamPeer, hz: number): void {
    const client = this.#clients.get(peer);
    if (!client) return;
    client.divisor = Math.max(1, Math.round(this.#rateHz / Math.min(hz, this.#rateHz)));
    this.#ensureTier(client.divisor);
    this.#dropUnusedTiers();
  }

  /** The client missed something: a snapshot goes out now, unless it is slow (then on drain). */
  resync(peer: StreamPeer): void {
    const client = this.#clients.get(peer);
    if (!client) return;
    if (peer.bufferedAmount > this.#soft) client.owedSnapshot = true;
    else this.#sendSnapshot(peer, client);
  }

  /** An event goes to every client at once; only a client past the hard limit misses it (and is closed). */
  broadcastEvent(event: StreamEvent): void {
    if (this.#clients.size === 0) return;
    const text = JSON.stringify({ type: 'event', event } satisfies ServerFrame);
    for (const [peer, client] of this.#clients) {
      if (this.#overHardLimit(peer)) continue;
      this.#send(peer, client, text);
    }
  }

  /** Sends one frame to one client (errors, answers to its requests). */
  sendTo(peer: StreamPeer, frame: ServerFrame): void {
    const client = this.#clients.get(peer);
    if (client && !this.#overHardLimit(peer)) this.#send(peer, client, JSON.stringify(frame));
  }

  /** One tick: one snapshot, one delta per rate in use, delivered to every client that is due. */
  tick(): void {
    if (this.#closed || this.#clients.size === 0) return;
    try {
      this.#advance();
    } catch {
      // A snapshot that cannot be taken now (the pool mid-change) is taken on the next tick;
      // a throw from a timer would take the control plane down.
      return;
    }
    const seq = this.#seq;
    const current = this.#current!;
    const deltas = new Map<number, { from: number; text: string }>();
    for (const [divisor, tier] of this.#tiers) {
      if (seq % divisor !== 0) continue;
      const delta = diffSnapshots(tier.base, current, tier.baseSeq);
      deltas.set(divisor, { from: tier.baseSeq, text: JSON.stringify({ type: 'delta', seq, delta } satisfies ServerFrame) });
      tier.base = current;
      tier.baseSeq = seq;
    }
    const now = this.#now();
    for (const [peer, client] of this.#clients) {
      const due = deltas.get(client.divisor);
      if (!due || this.#overHardLimit(peer)) continue;
      if (peer.bufferedAmount > this.#soft) {
        client.owedSnapshot = true;
        client.slowSince ||= now;
        if (now - client.slowSince > this.#stallMs) this.#drop(peer, `no frame read for ${this.#stallMs} ms`);
        continue;
      }
      client.slowSince = 0;
      if (client.owedSnapshot || client.seq !== due.from) this.#sendSnapshot(peer, client);
      else {
        this.#send(peer, client, due.text);
        client.seq = seq;
      }
    }
  }

  /** Closes every client (1001) and stops the ticker; later clients are turned away. */
  close(): void {
    this.#closed = true;
    for (const peer of this.#clients.keys()) peer.close(STREAM_CLOSE.goingAway, 'the server is shutting down');
    this.#clients.clear();
    this.#idle();
  }

  #advance(): void {
    const next = this.#source();
    this.#seq++;
    this.#ticks++;
    this.#current = next;
    this.#snapshotText = null;
  }

  #ensureTier(divisor: number): void {
    if (!this.#tiers.has(divisor)) this.#tiers.set(divisor, { base: this.#current!, baseSeq: this.#seq });
  }

  #dropUnusedTiers(): void {
    const used = new Set([...this.#clients.values()].map((c) => c.divisor));
    for (const divisor of this.#tiers.keys()) if (!used.has(divisor)) this.#tiers.delete(divisor);
  }

  #idle(): void {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#tiers.clear();
  }

  #sendSnapshot(peer: StreamPeer, client: Client): void {
    this.#snapshotText ??= JSON.stringify({ type: 'snapshot', seq: this.#seq, snapshot: this.#current! } satisfies ServerFrame);
    client.owedSnapshot = false;
    client.seq = this.#seq;
    this.#send(peer, client, this.#snapshotText);
  }

  #send(peer: StreamPeer, _client: Client, text: string): void {
    try {
      peer.send(text, { compress: text.length >= COMPRESS_MIN_CHARS });
    } catch {
      // The socket closed under us; its 'close' handler removes it.
    }
  }

  #overHardLimit(peer: StreamPeer): boolean {
    if (peer.bufferedAmount <= this.#hard) return false;
    this.#drop(peer, `more than ${this.#hard} bytes unsent`);
    return true;
  }

  #drop(peer: StreamPeer, why: string): void {
    this.#dropped++;
    this.remove(peer);
    peer.close(STREAM_CLOSE.tryAgainLater, `too slow: ${why}`.slice(0, 120));
    // The close frame waits behind the unsent data: a client that reads nothing never sees it.
    if (peer.terminate) setTimeout(() => peer.terminate!(), DROP_GRACE_MS).unref();
  }
}
