/**
 * /api/v1/stream with permessage-deflate, over real loopback TCP: a ws client that offers the
 * extension gets it, rebuilds the board exactly from compressed frames, and reads far fewer
 * bytes than the frames' JSON; a small board's frames, under COMPRESS_MIN_CHARS, go out as
 * they are and rebuild it as exactly. With compression a socket's bufferedAmount counts compressed
 * bytes plus the raw size of frames still being compressed; the slow-client rules must hold
 * all the same: a reader that keeps up is never dropped, one that reads nothing is, with the
 * bytes held for it bounded.
 *
 * The pool is a stand-in whose scoreboard image moves on every tick (8 children × 64 threads,
 * 10 % of slots changing), so the test needs no forks and the frames are big enough to fill
 * socket buffers.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool, ScoreboardImage } from '@forkyard/engine';
import { applyFrame, INITIAL_STREAM_STATE, parseServerFrame, type ImageLike, type ImageWorker, type StreamState } from '@forkyard/protocol';
import streamRoutes, { STREAM_PER_MESSAGE_DEFLATE } from '../src/routes/stream.js';
import { snapshotOf } from '../src/snapshot.js';
import { COMPRESS_MIN_CHARS } from '../src/stream/hub.js';

/** The ws client this test uses (the one @fastify/websocket serves with). */
interface WsClient {
  readonly extensions: string;
  readonly _socket: { bytesRead: number };
  send(text: string): void;
  pause(): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'open', fn: () => void): void;
  on(event: 'close', fn: (code: number) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
type WsConstructor = new (url: string, opts?: { perMessageDeflate?: boolean }) => WsClient;
const require = createRequire(import.meta.url);
const WebSocket = createRequire(require.resolve('@fastify/websocket'))('ws') as WsConstructor;

/** mulberry32: the same board on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stand-in pool: `snapshot()` (and `readImage()`) moves the board on and keeps every image it handed out. */
function movingPool(children = 8, threads = 64) {
  const r = prng(99);
  const n = (hi: number): number => Math.floor(r() * hi);
  const t0 = 1_800_000_000_000;
  const worker = (): ImageWorker => ({
    status: '_WK'[n(3)]!,
    connCount: n(50),
    connBytes: n(40_000),
    accessCount: 1000 + n(9000),
    bytesServed: n(1e9),
    myAccessCount: n(1000),
    myBytesServed: n(1e8),
    startTime: t0 + n(5000),
    stopTime: t0 + 5000 + n(5000),
    lastUsed: t0 + 5000 + n(5000),
    durationMs: n(900),
    client: `10.0.${n(4)}.${n(250)}`,
    request: `GET /sleep?ms=${n(500)} HTTP/1.1`,
    vhost: 'localhost:8080',
  });
  const image: ImageLike = {
    global: { mpm: 'event', serverName: 'localhost', serverVersion: 'Forkyard/0.1.0', restartTime: t0, configGeneration: 1, mpmGeneration: 0, acceptQueue: 0, acceptRefused: 0 },
    limits: { serverLimit: children, threadLimit: threads, threadsPerChild: threads, maxRequestWorkers: children * threads, maxDaemons: children },
    processes: Array.from({ length: children }, (_, i) => ({ pid: 4000 + i, generation: 0, quiescing: false, notAccepting: false, connections: 0, writeCompletion: 0, keepAlive: 0, lingeringClose: 0, waitIo: 0, startedAt: t0, rss: 5e7, cpuUser: 1, cpuSystem: 0.5 })),
    workers: Array.from({ length: children }, () => Array.from({ length: threads }, worker)),
  };
  const images: ImageLike[] = [];
  const pool = Object.assign(new EventEmitter(), {
    snapshot(): ImageLike {
      for (const row of image.workers) for (let t = 0; t < row.length; t++) if (r() < 0.1) row[t] = worker();
      const copy = structuredClone(image);
      images.push(copy);
      return copy;
    },
    /** The stream's source reads through this: each read is a new image too. */
    readImage<T>(read: (image: ImageLike) => T): T {
      return read(this.snapshot());
    },
  });
  return { pool: pool as unknown as Pool, images };
}

/**
 * The stream route alone on a loopback port. It brings its own @fastify/websocket (and so its
 * compression) unless `root` registers one with the route's settings, to reach its sockets.
 */
async function serve(pool: Pool, limits: { softLimitBytes?: number; hardLimitBytes?: number; stallMs?: number } = {}, root = false): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.decorate('forkyardAuth', { authenticate: () => 'viewer' as const, redeemTicket: () => null, openRead: true });
  app.decorate('forkyardEvents', new EventEmitter());
  if (root) await app.register(fastifyWebsocket, { options: { maxPayload: 4096, perMessageDeflate: STREAM_PER_MESSAGE_DEFLATE } });
  await app.register(streamRoutes, { prefix: '/api/v1', pool, ...limits });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `${address.replace(/^http/, 'ws')}/api/v1/stream` };
}

class Reader {
  state: StreamState = INITIAL_STREAM_STATE;
  frames = 0;
  jsonBytes = 0;
  resyncs = 0;
  closedWith: number | null = null;
  readonly opened: Promise<void>;

  constructor(readonly ws: WsClient) {
    this.opened = new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.on('message', (data) => {
      const text = data.toString();
      this.jsonBytes += Buffer.byteLength(text);
      const frame = parseServerFrame(text, true);
      if (typeof frame === 'string') throw new Error(`bad frame from the server: ${frame}`);
      this.frames++;
      const out = applyFrame(this.state, frame);
      this.state = out.state;
      if (out.resync) this.resyncs++;
    });
    ws.on('close', (code) => (this.closedWith = code));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('/api/v1/stream with permessage-deflate', () => {
  it('negotiates it with a client that offers it, and the compressed frames rebuild the board exactly', async () => {
    const { pool, images } = movingPool();
    const { app, url } = await serve(pool);
    try {
      const plain = new Reader(new WebSocket(url, { perMessageDeflate: false }));
      const deflated = new Reader(new WebSocket(url));
      await Promise.all([plain.opened, deflated.opened]);
      assert.equal(plain.ws.extensions, '');
      assert.match(deflated.ws.extensions, /^permessage-deflate/);
      await until(() => deflated.frames >= 20 && plain.frames >= 20, 5000, '20 frames each');
      for (const r of [plain, deflated]) {
        const s = r.state.snapshot!;
        assert.equal(r.resyncs, 0);
        // The hub's seq n is the n-th image the pool gave.
        // The images stand in for the engine's (the fields the snapshot reads), as the pool does.
        assert.deepStrictEqual(s, snapshotOf(images[r.state.seq - 1] as unknown as ScoreboardImage, s.time));
      }
      const ratio = (r: Reader): number => r.ws._socket.bytesRead / r.jsonBytes;
      console.log(`# stream: wire/JSON bytes ${ratio(deflated).toFixed(3)} with permessage-deflate, ${ratio(plain).toFixed(3)} without`);
      assert.ok(ratio(plain) >= 1, 'without compression the wire carries the JSON and framing');
      assert.ok(ratio(deflated) < 0.5, `compressed, the wire carries ${ratio(deflated).toFixed(3)} of the JSON`);
      plain.ws.terminate();
      deflated.ws.terminate();
    } finally {
      await app.close();
    }
  });

  it('sends a small board\'s short frames as they are, to a client that negotiated it, and they rebuild the board exactly', async () => {
    const { pool, images } = movingPool(1, 2);
    const { app, url } = await serve(pool);
    try {
      const plain = new Reader(new WebSocket(url, { perMessageDeflate: false }));
      const deflated = new Reader(new WebSocket(url));
      await Promise.all([plain.opened, deflated.opened]);
      assert.match(deflated.ws.extensions, /^permessage-deflate/);
      await until(() => deflated.frames >= 30 && plain.frames >= 30, 5000, '30 frames each');
      const s = deflated.state.snapshot!;
      assert.equal(deflated.resyncs, 0);
      assert.deepStrictEqual(s, snapshotOf(images[deflated.state.seq - 1] as unknown as ScoreboardImage, s.time));
      assert.ok(deflated.jsonBytes / deflated.frames < COMPRESS_MIN_CHARS, `short frames (${Math.round(deflated.jsonBytes / deflated.frames)} characters on average)`);
      // Sent as they are, the frames cost the wire what they cost a client without the
      // extension (deflated, these repetitive deltas would take well under half).
      const ratio = (r: Reader): number => r.ws._socket.bytesRead / r.jsonBytes;
      assert.ok(ratio(deflated) > 0.9 * ratio(plain), `wire/JSON ${ratio(deflated).toFixed(3)} negotiated, ${ratio(plain).toFixed(3)} without`);
      plain.ws.terminate();
      deflated.ws.terminate();
    } finally {
      await app.close();
    }
  });

  it('drops a compressed client that never reads, with the bytes held bounded, and never one that keeps up', async () => {
    const { pool } = movingPool();
    // The soft limit sits above a raw snapshot (~70 kB here): right after a snapshot is handed
    // to ws, bufferedAmount counts it uncompressed until zlib is done with it.
    const soft = 128 * 1024;
    const hard = 1024 * 1024;
    const { app, url } = await serve(pool, { softLimitBytes: soft, hardLimitBytes: hard, stallMs: 1000 }, true);
    try {
      const stalled = new Reader(new WebSocket(url));
      const healthy = new Reader(new WebSocket(url));
      await Promise.all([stalled.opened, healthy.opened]);
      assert.match(stalled.ws.extensions, /^permessage-deflate/);
      await until(() => stalled.frames > 0, 2000, 'the first snapshot');
      stalled.ws.pause();
      const server = [...app.websocketServer.clients] as Array<{ bufferedAmount: number }>;
      assert.equal(server.length, 2);
      let most = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 20_000 && app.websocketServer.clients.size > 1) {
        // Each resync asks for a full snapshot (compressed: a board of new slots fills the
        // window). The stalled client reads none; the healthy one reads all of its own.
        for (let i = 0; i < 20; i++) {
          stalled.ws.send(JSON.stringify({ type: 'resync' }));
          healthy.ws.send(JSON.stringify({ type: 'resync' }));
        }
        for (const s of server) most = Math.max(most, s.bufferedAmount);
        await sleep(50);
      }
      assert.equal(app.websocketServer.clients.size, 1, 'the stalled client was dropped');
      assert.equal(healthy.closedWith, null, 'the client that keeps up was not');
      assert.ok(most > soft, `the stalled client did fall behind (${most} bytes held)`);
      assert.ok(most < hard, `held at most ${most} bytes (hard limit ${hard})`);
      console.log(`# stream: compressed, a client that never reads held at most ${most} bytes before it was dropped (${(performance.now() - t0).toFixed(0)} ms)`);
      const seen = healthy.frames;
      await until(() => healthy.frames > seen + 2, 2000, 'more frames for the healthy client');
      assert.deepStrictEqual(healthy.state.stale, false);
      healthy.ws.terminate();
      stalled.ws.terminate();
    } finally {
      await app.close();
    }
  });
});
