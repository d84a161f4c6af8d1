/**
 * /api/v1/stream against a real event pool (2 children × 4 threads) and the real control
 * plane, over @fastify/websocket's injectWS (a real ws client on in-memory streams). The data
 * plane is loaded over real loopback sockets.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { createPool, type Pool } from '@forkyard/engine';
import {
  applyFrame,
  INITIAL_STREAM_STATE,
  parseServerFrame,
  type ServerFrame,
  type StatusSnapshot,
  type StreamEvent,
  type StreamState,
} from '@forkyard/protocol';
import { buildApp, controlPlane } from '../src/app.js';
import streamRoutes from '../src/routes/stream.js';
import { snapshotOf } from '../src/snapshot.js';
import { openStore, type ControlStore } from '../src/store/store.js';
import { loadOrCreateTokens, type TokenEntry } from '../src/store/tokens.js';

/** The client end of injectWS: a ws WebSocket. */
interface WsClient {
  readyState: number;
  send(text: string): void;
  close(): void;
  terminate(): void;
  pause(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: (code: number) => void): void;
}

const LOOPBACK = { remoteAddress: '127.0.0.1' };

/** Follows one stream connection: its frames, its rebuilt state (by seq), its events. */
class StreamReader {
  readonly frames: ServerFrame[] = [];
  readonly events: StreamEvent[] = [];
  readonly states = new Map<number, StatusSnapshot>();
  state: StreamState = INITIAL_STREAM_STATE;
  closedWith: number | null = null;
  #waiters = new Set<() => void>();

  constructor(readonly ws: WsClient) {
    ws.on('message', (data) => {
      const frame = parseServerFrame(data.toString(), true);
      if (typeof frame === 'string') throw new Error(`bad frame from the server: ${frame}`);
      this.frames.push(frame);
      if (frame.type === 'event') this.events.push(frame.event);
      const out = applyFrame(this.state, frame);
      this.state = out.state;
      if (out.resync) ws.send(JSON.stringify({ type: 'resync' }));
      if (this.state.snapshot && !this.state.stale) {
        this.states.set(this.state.seq, this.state.snapshot);
        this.states.delete(this.state.seq - 200);
      }
      for (const w of this.#waiters) w();
    });
    ws.on('close', (code) => {
      this.closedWith = code;
      for (const w of this.#waiters) w();
    });
  }

  /** Resolves once `pred` holds (checked on every frame), with the ms it took. */
  until(pred: (r: StreamReader) => boolean, timeoutMs: number, what: string): Promise<number> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred(this)) return;
        cleanup();
        resolve(performance.now() - t0);
      };
      const timer = setTimeout(() => {
        cleanup();
        const board = this.state.snapshot?.processes.map((p) => `${p.slot}:${p.pid}/g${p.generation}${p.quiescing ? 'q' : ''} ${p.letters}`).join(' | ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (seq ${this.state.seq}, board ${board}, accept queue ${this.state.snapshot?.acceptQueue})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const busyOf = (s: StatusSnapshot | null): number => s?.counts.busy ?? 0;

describe('/api/v1/stream', () => {
  let pool: Pool;
  let port: number;
  let app: FastifyInstance;
  let openApp: FastifyInstance;
  let store: ControlStore;
  let dir: string;
  let viewer: string;
  let operator: string;

  async function plane(tokens: TokenEntry[], openRead: boolean): Promise<FastifyInstance> {
    const built = await buildApp({ pool, store, tokens, openRead });
    if (built.hasDecorator('injectWS')) return built;
    // The app leaves @fastify/websocket to the stream route (encapsulated, so injectWS is not
    // at the root): the same control plane under a root that registers it gives the test injectWS.
    await built.close();
    const a = Fastify({ logger: false });
    await a.register(fastifyWebsocket);
    await a.register(controlPlane, { pool, store, tokens, openRead });
    await a.ready();
    return a;
  }

  const connect = async (a: FastifyInstance, path = '/api/v1/stream', headers: Record<string, string> = { authorization: `Bearer ${viewer}` }): Promise<StreamReader> => {
    let reader: StreamReader | undefined;
    // onInit: listen before the first frame can arrive.
    await a.injectWS(path, { headers, socket: LOOPBACK } as never, { onInit: (ws: WsClient) => void (reader = new StreamReader(ws)) });
    return reader!;
  };

  const refused = async (a: FastifyInstance, path: string, headers: Record<string, string>): Promise<string> => {
    const err = await a.injectWS(path, { headers, socket: LOOPBACK } as never).then(
      (ws: WsClient) => {
        ws.terminate();
        return null;
      },
      (e: Error) => e,
    );
    assert.ok(err, `${path} ${JSON.stringify(headers)} was let in`);
    return err.message;
  };

  before(async () => {
    pool = createPool({
      mpm: 'event',
      listen: '127.0.0.1:0',
      directives: { ServerLimit: 4, ThreadsPerChild: 4, ThreadLimit: 4, MaxRequestWorkers: 16, StartServers: 2, MinSpareThreads: 4, MaxSpareThreads: 12, MaintenanceInterval: 200 },
    });
    port = (await pool.start()).port;
    dir = mkdtempSync(join(tmpdir(), 'forkyard-stream-'));
    store = openStore(dir);
    const { tokens } = loadOrCreateTokens(dir, '');
    viewer = tokens.find((t) => t.role === 'viewer')!.token;
    operator = tokens.find((t) => t.role === 'operator')!.token;
    app = await plane(tokens, false);
    openApp = await plane(tokens, true);
  });

  after(async () => {
    await app?.close();
    await openApp?.close();
    await pool?.stop();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends a full snapshot first, then deltas', async () => {
    const r = await connect(app);
    await r.until((x) => x.frames.length >= 3, 2000, 'three frames');
    assert.equal(r.frames[0]!.type, 'snapshot');
    assert.ok(r.frames.slice(1).every((f) => f.type === 'delta' || f.type === 'event'));
    const s = r.state.snapshot!;
    assert.equal(s.mpm, 'event');
    assert.equal(s.processes.filter((p) => p.pid !== 0).length, 2);
    assert.ok(s.processes.every((p) => p.letters.length === 4));
    r.ws.terminate();
  });

  it('sends spawn, exit, generation and audit events as they happen', async () => {
    const r = await connect(app);
    const before = new Set(r.state.snapshot!.processes.map((p) => p.pid));
    const res = await app.inject({ method: 'POST', url: '/api/v1/pool/graceful-restart', headers: { authorization: `Bearer ${operator}` } });
    assert.equal(res.statusCode, 200, res.body);
    await r.until(
      (x) => ['spawn', 'exit', 'generation', 'audit'].every((k) => x.events.some((e) => e.kind === k)),
      10_000,
      'spawn, exit, generation and audit events',
    );
    const exit = r.events.find((e) => e.kind === 'exit');
    assert.ok(exit && exit.kind === 'exit' && before.has(exit.pid) && exit.reason === 'generation', JSON.stringify(exit));
    const spawn = r.events.find((e) => e.kind === 'spawn');
    assert.ok(spawn && spawn.kind === 'spawn' && !before.has(spawn.pid) && spawn.generation === 1);
    const audit = r.events.find((e) => e.kind === 'audit');
    assert.ok(audit && audit.kind === 'audit' && audit.entry.actor === 'operator', JSON.stringify(audit));
    await r.until((x) => x.state.snapshot!.generation === 1 && x.state.snapshot!.processes.every((p) => p.generation === 1), 10_000, 'the new generation on the board');
    r.ws.terminate();
  });

  it('shows a burst of /sleep requests as busy slots within a second, and deltas rebuild the server state exactly', async (t) => {
    const a = await connect(app);
    await a.until((x) => x.state.snapshot !== null && busyOf(x.state.snapshot) === 0, 3000, 'an idle board');
    const sent = performance.now();
    const burst = Array.from({ length: 6 }, () => get(port, '/sleep?ms=500'));
    // Child report (every 100 ms) + stream tick (every 100 ms): ~100-200 ms on a quiet machine.
    await a.until((x) => busyOf(x.state.snapshot) >= 6, 3000, '6 busy slots');
    const latency = performance.now() - sent;
    t.diagnostic(`burst visible in the stream after ${latency.toFixed(0)} ms`);
    console.log(`# stream: a burst of 6 /sleep requests showed as busy after ${latency.toFixed(0)} ms`);
    assert.ok(latency < 1000, `the burst took ${latency.toFixed(0)} ms to show`);
    const busy = a.state.snapshot!;
    const letters = busy.processes.map((p) => p.letters).join('');
    assert.ok((letters.match(/[RW]/g) ?? []).length >= 6, letters);
    // A slot still reading (R) has no request line yet; each shows it once the request is read.
    const inFlight = (x: StreamReader) => x.state.snapshot!.processes.flatMap((p) => p.threads).filter((c) => c[0].startsWith('GET /sleep') && c[3] > 0).length;
    await a.until((x) => inFlight(x) >= 6, 1000, 'six /sleep request lines with their start times');
    assert.deepStrictEqual(await Promise.all(burst), [200, 200, 200, 200, 200, 200]);

    await a.until((x) => busyOf(x.state.snapshot) === 0, 3000, 'the burst to end');
    // A second client's first snapshot and the first client's delta-built state at that seq
    // come from the same tick: they must be identical.
    const b = await connect(app);
    const seq = b.state.seq;
    await a.until((x) => x.state.seq >= seq, 2000, `client A to reach seq ${seq}`);
    assert.ok(a.states.has(seq), `client A went through seq ${seq}`);
    assert.deepStrictEqual(a.states.get(seq), b.state.snapshot);
    // And what they show is the pool's own scoreboard (figures that move on their own aside).
    const fresh = snapshotOf(pool.snapshot());
    const shape = (s: StatusSnapshot) => s.processes.map((p) => [p.slot, p.pid, p.generation, p.letters, p.requests]);
    assert.deepStrictEqual(shape(b.state.snapshot!), shape(fresh));
    assert.equal(b.state.snapshot!.counts.accesses, fresh.counts.accesses);
    assert.ok(a.frames.filter((f) => f.type === 'snapshot').length === 1, 'client A never needed a resync');
    a.ws.terminate();
    b.ws.terminate();
  });

  it('refuses foreign origins and lets in the control plane’s own and loopback pages', async () => {
    const auth = { authorization: `Bearer ${viewer}` };
    assert.match(await refused(app, '/api/v1/stream', { ...auth, origin: 'http://evil.example', host: '127.0.0.1:7070' }), /403/);
    assert.match(await refused(app, '/api/v1/stream', { ...auth, origin: 'null', host: '127.0.0.1:7070' }), /403/);
    // A DNS-rebinding page is same-origin by name: refused unless configured.
    assert.match(await refused(app, '/api/v1/stream', { ...auth, origin: 'http://rebind.example:7070', host: 'rebind.example:7070' }), /403/);
    for (const origin of ['http://127.0.0.1:7070', 'http://localhost:5173']) {
      const r = await connect(app, '/api/v1/stream', { ...auth, origin, host: '127.0.0.1:7070' });
      await r.until((x) => x.state.snapshot !== null, 2000, `a snapshot for ${origin}`);
      r.ws.terminate();
    }
  });

  it('needs a token or a single-use ticket, unless reads are open on loopback', async () => {
    assert.match(await refused(app, '/api/v1/stream', {}), /401/);
    assert.match(await refused(app, '/api/v1/stream', { authorization: 'Bearer nope-nope-nope-nope' }), /401/);
    assert.match(await refused(app, '/api/v1/stream?ticket=made-up', {}), /401/);

    const issued = await app.inject({ method: 'POST', url: '/api/v1/stream/ticket', headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(issued.statusCode, 200, issued.body);
    const { ticket } = issued.json() as { ticket: string };
    const r = await connect(app, `/api/v1/stream?ticket=${encodeURIComponent(ticket)}`, { origin: 'http://127.0.0.1:7070', host: '127.0.0.1:7070' });
    await r.until((x) => x.state.snapshot !== null, 2000, 'a snapshot with a ticket');
    r.ws.terminate();
    assert.match(await refused(app, `/api/v1/stream?ticket=${encodeURIComponent(ticket)}`, {}), /401/, 'a ticket works once');

    const open = await connect(openApp, '/api/v1/stream', {});
    await open.until((x) => x.state.snapshot !== null, 2000, 'a snapshot with open reads');
    open.ws.terminate();
    // Open reads do not excuse a wrong token.
    assert.match(await refused(openApp, '/api/v1/stream', { authorization: 'Bearer nope-nope-nope-nope' }), /401/);
  });

  it('answers a bad client frame with an error frame and honours hello.rate', async () => {
    const r = await connect(app);
    r.ws.send('{"type":"subscribe"}');
    await r.until((x) => x.frames.some((f) => f.type === 'error'), 2000, 'an error frame');
    const error = r.frames.find((f) => f.type === 'error');
    assert.ok(error && error.type === 'error' && error.code === 'FY_ERR_STREAM_BAD_FRAME', JSON.stringify(error));
    r.ws.send(JSON.stringify({ type: 'hello', rate: 2 }));
    await new Promise((res) => setTimeout(res, 300));
    const from = r.frames.length;
    await new Promise((res) => setTimeout(res, 2000));
    const deltas = r.frames.slice(from).filter((f) => f.type === 'delta' || f.type === 'snapshot').length;
    assert.ok(deltas >= 3 && deltas <= 6, `at 2 Hz, 2 s brought ${deltas} frames`);
    assert.equal(r.state.stale, false);
    r.ws.terminate();
  });

  it('drops a client that never reads, with the bytes held for it bounded', async () => {
    // The route alone, with small limits, so the test does not need megabytes of frames.
    const soft = 16 * 1024;
    const hard = 64 * 1024;
    const bare = Fastify({ logger: false });
    bare.decorate('forkyardAuth', { authenticate: () => 'viewer' as const, redeemTicket: () => null, openRead: false });
    bare.decorate('forkyardEvents', new EventEmitter());
    await bare.register(fastifyWebsocket);
    await bare.register(streamRoutes, { prefix: '/api/v1', pool, softLimitBytes: soft, hardLimitBytes: hard, stallMs: 1000 });
    await bare.ready();
    try {
      const stalled = await connect(bare);
      const healthy = await connect(bare);
      stalled.ws.pause();
      const server = [...bare.websocketServer.clients] as Array<{ bufferedAmount: number }>;
      assert.equal(server.length, 2);
      let most = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 8000 && bare.websocketServer.clients.size > 1) {
        // Each resync asks for a full snapshot; the client reads none of them. While it is
        // behind, the hub only notes that it owes one.
        for (let i = 0; i < 20; i++) stalled.ws.send(JSON.stringify({ type: 'resync' }));
        for (const s of server) most = Math.max(most, s.bufferedAmount);
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(bare.websocketServer.clients.size, 1, 'the stalled client was dropped');
      assert.ok(most > soft, `the client did fall behind (${most} bytes held)`);
      assert.ok(most < hard, `held at most ${most} bytes (hard limit ${hard})`);
      console.log(`# stream: a client that never reads held at most ${most} bytes before it was dropped (${(performance.now() - t0).toFixed(0)} ms)`);
      // The healthy client kept getting deltas throughout.
      const seen = healthy.frames.length;
      await healthy.until((x) => x.frames.length > seen + 2, 2000, 'more frames for the healthy client');
      healthy.ws.terminate();
    } finally {
      for (const c of bare.websocketServer.clients) (c as { terminate(): void }).terminate();
      await bare.close();
    }
  });
});
