/**
 * The live scoreboard as a store: connects to `/api/v1/stream`, keeps the state with the
 * protocol's pure `applyFrame` (snapshot, then deltas; a gap asks for a resync), passes events
 * on, and reconnects with backoff after any loss. Works with ws in Node and the browser's
 * WebSocket (pass the constructor); framework-free, so a UI store can be fed from it
 * (`subscribe` → `setState`) without React in here.
 *
 *   const stream = new StreamClient({ url, token, WebSocket });
 *   const off = stream.subscribe((s) => render(s.stream.snapshot));
 *   stream.onEvent((e) => log(e));
 *   stream.start();
 *
 * Authentication: a `WebSocket` that takes headers (ws) sends the token as a bearer header;
 * a browser's cannot, so the client first gets a single-use ticket over REST and opens
 * `?ticket=`. Without a token it connects bare (open reads on loopback).
 */
import {
  API_PATHS,
  API_PREFIX,
  applyFrame,
  INITIAL_STREAM_STATE,
  parseServerFrame,
  STREAM_CLOSE,
  STREAM_MAX_RATE_HZ,
  type ClientFrame,
  type ServerFrame,
  type StreamEvent,
  type StreamState,
} from '@forkyard/protocol';
import { ForkyardClient, DEFAULT_CONTROL_URL } from './rest-client.js';

/**
 * An event handler slot. Declared as a method so that the richer event types of the browser's
 * WebSocket and of ws are accepted (method parameters are checked bivariantly).
 */
type Handler<E> = { handle(ev: E): void }['handle'] | null;

/** The part of a WebSocket (browser or ws) this client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<unknown>;
}

/** `new WebSocket(url)` in browsers; ws also takes `(url, protocols, { headers })`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike;

export type StreamStatus = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

export interface StreamClientState {
  status: StreamStatus;
  stream: StreamState;
  /** Connection attempts since the last successful one. */
  attempts: number;
  /** Why the last connection ended or failed, if it did. */
  lastError: string | null;
  /** ms until the next attempt while `waiting`. */
  retryInMs: number | null;
}

export interface StreamClientOptions {
  /** Control plane base URL (default http://127.0.0.1:7070). */
  url?: string;
  token?: string;
  /** The WebSocket constructor: ws's in Node, the browser's in a page (default: globalThis.WebSocket). */
  WebSocket?: WebSocketConstructor;
  /** How to authenticate (default: 'ticket' with the browser's WebSocket, 'header' otherwise). */
  auth?: 'header' | 'ticket';
  /** Deltas per second to ask for (at most 10, the default). */
  rate?: number;
  /** Reconnect backoff: first wait and cap in ms (default 250 ms, 10 s), doubled per failure. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Check every frame against the protocol's schema (default false: the server is trusted). */
  validate?: boolean;
  /** The REST client used for tickets (default: one made from url and token). */
  rest?: ForkyardClient;
}

type Listener<T> = (value: T) => void;

const OPEN = 1;

export class StreamClient {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #WebSocket: WebSocketConstructor;
  readonly #auth: 'header' | 'ticket';
  readonly #rate: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #validate: boolean;
  readonly #rest: ForkyardClient;
  readonly #listeners = new Set<Listener<StreamClientState>>();
  readonly #eventListeners = new Set<Listener<StreamEvent>>();
  readonly #errorListeners = new Set<Listener<{ code: string; message: string }>>();
  #state: StreamClientState = { status: 'idle', stream: INITIAL_STREAM_STATE, attempts: 0, lastError: null, retryInMs: null };
  #socket: WebSocketLike | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;

  constructor(opts: StreamClientOptions = {}) {
    const ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new TypeError('no WebSocket constructor: pass { WebSocket } (in Node: import WebSocket from "ws")');
    this.#url = (opts.url ?? DEFAULT_CONTROL_URL).replace(/\/+$/, '');
    this.#token = opts.token;
    this.#WebSocket = ctor;
    this.#auth = opts.auth ?? (ctor === (globalThis as { WebSocket?: unknown }).WebSocket ? 'ticket' : 'header');
    this.#rate = Math.min(Math.max(opts.rate ?? STREAM_MAX_RATE_HZ, 0.01), STREAM_MAX_RATE_HZ);
    this.#initialMs = opts.backoff?.initialMs ?? 250;
    this.#maxMs = Math.max(opts.backoff?.maxMs ?? 10_000, this.#initialMs);
    this.#validate = opts.validate ?? false;
    this.#rest = opts.rest ?? new ForkyardClient({ url: this.#url, ...(opts.token ? { token: opts.token } : {}) });
  }

  getState(): StreamClientState {
    return this.#state;
  }

  /** Called on every state change; returns its own unsubscribe. */
  subscribe(listener: Listener<StreamClientState>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onEvent(listener: Listener<StreamEvent>): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Error frames from the server ({ code, message }). */
  onError(listener: Listener<{ code: string; message: string }>): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Connects, and keeps reconnecting until stop(). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000, 'client stopped');
    }
    this.#set({ status: 'closed', retryInMs: null });
  }

  /** Resolves with the state once `pred` holds (or rejects after `timeoutMs`). */
  until(pred: (s: StreamClientState) => boolean, timeoutMs = 10_000): Promise<StreamClientState> {
    if (pred(this.#state)) return Promise.resolve(this.#state);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`stream: condition not met within ${timeoutMs} ms (status ${this.#state.status}${this.#state.lastError ? `, ${this.#state.lastError}` : ''})`));
      }, timeoutMs);
      const off = this.subscribe((s) => {
        if (!pred(s)) return;
        clearTimeout(timer);
        off();
        resolve(s);
      });
    });
  }

  #set(patch: Partial<StreamClientState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l(this.#state);
  }

  async #connect(): Promise<void> {
    this.#set({ status: 'connecting', retryInMs: null, attempts: this.#state.attempts + 1 });
    let url = `${this.#url.replace(/^http/, 'ws')}${API_PREFIX}${API_PATHS.stream}`;
    let headers: Record<string, string> | undefined;
    if (this.#token && this.#auth === 'header') headers = { authorization: `Bearer ${this.#token}` };
    if (this.#token && this.#auth === 'ticket') {
      try {
        const { ticket } = await this.#rest.streamTicket();
        url += `?ticket=${encodeURIComponent(ticket)}`;
      } catch (err) {
        this.#lost((err as Error).message, null);
        return;
      }
    }
    if (this.#stopped) return;
    let socket: WebSocketLike;
    try {
      socket = headers ? new this.#WebSocket(url, undefined, { headers }) : new this.#WebSocket(url);
    } catch (err) {
      this.#lost((err as Error).message, null);
      return;
    }
    this.#socket = socket;
    let failure: string | null = null;
    socket.onopen = () => {
      // A new connection starts with a new snapshot; the old picture stays up until it comes.
      this.#set({ status: 'open', attempts: 0, lastError: null, stream: { seq: -1, snapshot: this.#state.stream.snapshot, stale: false } });
      if (this.#rate < STREAM_MAX_RATE_HZ) this.#send({ type: 'hello', rate: this.#rate });
    };
    socket.onmessage = (ev) => this.#onMessage(ev.data);
    socket.onerror = (ev) => {
      failure = (ev as { message?: string; error?: Error }).message ?? (ev as { error?: Error }).error?.message ?? 'connection error';
    };
    socket.onclose = (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#lost(failure ?? `closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`, ev.code);
    };
  }

  #onMessage(data: unknown): void {
    const text = typeof data === 'string' ? data : String(data);
    const frame = parseServerFrame(text, this.#validate);
    if (typeof frame === 'string') {
      this.#set({ lastError: `bad frame from the server: ${frame}` });
      return;
    }
    this.#apply(frame);
  }

  #apply(frame: ServerFrame): void {
    if (frame.type === 'event') {
      for (const l of this.#eventListeners) l(frame.event);
      return;
    }
    if (frame.type === 'error') {
      for (const l of this.#errorListeners) l({ code: frame.code, message: frame.message });
      return;
    }
    const { state, resync } = applyFrame(this.#state.stream, frame);
    if (resync) this.#send({ type: 'resync' });
    if (state !== this.#state.stream) this.#set({ stream: state });
  }

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** The connection is gone: wait (exponential backoff with jitter), then try again. */
  #lost(why: string, code: number | null): void {
    if (this.#stopped) return;
    const failures = Math.max(1, this.#state.attempts);
    // A server that called us slow wants us back later, not at once.
    const floor = code === STREAM_CLOSE.tryAgainLater ? Math.min(2000, this.#maxMs) : 0;
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** (failures - 1));
    const wait = Math.max(floor, Math.round(base / 2 + (Math.random() * base) / 2));
    this.#set({ status: 'waiting', lastError: why, retryInMs: wait });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) void this.#connect();
    }, wait);
  }
}
