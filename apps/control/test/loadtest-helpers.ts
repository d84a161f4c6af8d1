/**
 * Shared by the load-test files: a real small pool under the real control plane, mounted under
 * a root that registers @fastify/websocket so the test can open /api/v1/stream with injectWS,
 * and a reader that collects the stream's loadtest events.
 */

import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { after } from 'node:test';
import { createPool, type Pool, type PoolConfig } from '@forkyard/engine';
import type { ComparisonTable, LoadTestResult } from '@forkyard/loadgen';
import { parseServerFrame, type LoadTestRecord, type LoadTestRun, type StreamEvent } from '@forkyard/protocol';
import { controlPlane, type ControlPlaneOptions } from '../src/app.js';
import { loadOrCreateTokens, openStore, type ControlStore } from '../src/index.js';
import { tempDir } from './helpers.js';

export type LoadTestEvent = Extract<StreamEvent, { kind: 'loadtest' }>;

/** A record as the tests read it: loadgen's result and table where the wire says unknown. */
export type RecordJson = Omit<LoadTestRecord, 'result' | 'runs' | 'comparison'> & {
  result: LoadTestResult;
  runs: Array<Omit<LoadTestRun, 'result'> & { result: LoadTestResult }>;
  comparison: ComparisonTable;
};

interface WsClient {
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
}

export interface LoadTestHarness {
  pool: Pool;
  store: ControlStore;
  app: FastifyInstance;
  dir: string;
  port: number;
  call(opts: InjectOptions & { as?: 'operator' | 'viewer' }): Promise<LightMyRequestResponse>;
  /** Opens the stream; `events` fills with its loadtest events. */
  stream(): Promise<{ events: LoadTestEvent[]; close(): void }>;
  /** Closes the app (aborting its tests) and the store; the pool keeps running unless `stopPool`. */
  close(stopPool?: boolean): Promise<void>;
}

export async function startLoadTestHarness(opts: { pool: PoolConfig; dir?: string; plane?: Partial<ControlPlaneOptions>; pool0?: Pool }): Promise<LoadTestHarness> {
  const dir = opts.dir ?? tempDir();
  const pool = opts.pool0 ?? createPool(opts.pool);
  const port = opts.pool0 ? opts.pool0.address!.port : (await pool.start()).port;
  const store = openStore(dir);
  const { tokens } = loadOrCreateTokens(dir, '');
  const token = (name: string): string => tokens.find((t) => t.name === name)!.token;
  const app = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(controlPlane, { pool, store, tokens, ...opts.plane });
  await app.ready();
  let closed = false;
  const sockets = new Set<WsClient>();
  const h: LoadTestHarness = {
    pool,
    store,
    app,
    dir,
    port,
    call({ as = 'operator', ...inject }) {
      return app.inject({ ...inject, headers: { ...(inject.headers ?? {}), authorization: `Bearer ${token(as)}` } });
    },
    async stream() {
      const events: LoadTestEvent[] = [];
      let ws: WsClient | undefined;
      await app.injectWS('/api/v1/stream', { headers: { authorization: `Bearer ${token('viewer')}` }, socket: { remoteAddress: '127.0.0.1' } } as never, {
        onInit: (client: WsClient) => {
          ws = client;
          client.on('message', (data) => {
            const frame = parseServerFrame(data.toString(), true);
            if (typeof frame === 'string') throw new Error(`bad frame from the server: ${frame}`);
            if (frame.type === 'event' && frame.event.kind === 'loadtest') events.push(frame.event);
          });
        },
      });
      sockets.add(ws!);
      return { events, close: () => ws!.terminate() };
    },
    async close(stopPool = true) {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.terminate();
      await app.close();
      if (stopPool) await pool.stop();
      store.close();
    },
  };
  after(() => h.close());
  return h;
}

/** Polls GET /loadtests/:id until the test has ended; returns the record. */
export async function untilEnded(h: LoadTestHarness, id: string, timeoutMs: number): Promise<RecordJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = (await h.call({ url: `/api/v1/loadtests/${id}` })).json<RecordJson>();
    if (rec.status !== 'running') return rec;
    if (Date.now() > deadline) throw new Error(`load test ${id} still running after ${timeoutMs} ms: ${JSON.stringify(rec.progress)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
