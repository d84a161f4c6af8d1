/**
 * An app that fails at every load after the first (fixture app-loads-once): what an operator
 * watching the control plane sees. The stream carries each failed child's exit with the app's
 * own error, and the primary's FY00001 hold-off warning naming that error; the warning repeats
 * on every maintenance pass while forking is held, so a client that connects later sees it too.
 * GET /api/v1/status carries it as an alert for as long as it holds.
 *
 * A real prefork pool and the real control plane, over @fastify/websocket's injectWS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { createPool } from '@forkyard/engine';
import { parseServerFrame, type StreamEvent } from '@forkyard/protocol';
import { controlPlane } from '../src/app.js';
import { openStore } from '../src/store/store.js';
import { loadOrCreateTokens } from '../src/store/tokens.js';

const FIXTURE = fileURLToPath(new URL('../../../packages/engine/test/fixtures/cli/app-loads-once.mjs', import.meta.url));
const APP_ERROR = 'fixture app: the license server is unreachable';
const LOOPBACK = { remoteAddress: '127.0.0.1' };

interface WsClient {
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
}

const dir = mkdtempSync(join(tmpdir(), 'forkyard-control-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every event one stream connection receives. */
async function follow(app: FastifyInstance, token: string): Promise<{ events: StreamEvent[]; ws: WsClient }> {
  const events: StreamEvent[] = [];
  let ws: WsClient | undefined;
  await app.injectWS('/api/v1/stream', { headers: { authorization: `Bearer ${token}` }, socket: LOOPBACK } as never, {
    onInit: (client: WsClient) => {
      ws = client;
      client.on('message', (data) => {
        const frame = parseServerFrame(data.toString(), true);
        if (typeof frame !== 'string' && frame.type === 'event') events.push(frame.event);
      });
    },
  });
  return { events, ws: ws! };
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an app that keeps failing to load: the stream shows each failure with the app’s error and the hold-off warning', { timeout: 60_000 }, async () => {
  // The children read the marker's name from the environment they inherit.
  process.env.FORKYARD_FIXTURE_MARKER = join(dir, 'loaded');
  const pool = createPool({ mpm: 'prefork', listen: '127.0.0.1:0', app: FIXTURE, directives: { StartServers: 1, MinSpareServers: 3, MaxSpareServers: 4, MaintenanceInterval: 200 } });
  await pool.start();
  const store = openStore(dir);
  const { tokens } = loadOrCreateTokens(dir, '');
  const viewer = tokens.find((t) => t.name === 'viewer')!.token;
  const app = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(controlPlane, { pool, store, tokens, openRead: false });
  await app.ready();
  try {
    const first = await follow(app, viewer);
    const exit = await until(
      'an exit event with the app’s error',
      () => first.events.find((e) => e.kind === 'exit' && e.reason === 'app-error'),
      20_000,
    );
    assert.ok(exit.kind === 'exit' && exit.error?.endsWith(APP_ERROR), JSON.stringify(exit));
    const warning = await until('the FY00001 warning', () => first.events.find((e) => e.kind === 'log' && e.id === 'FY00001'), 20_000);
    assert.ok(warning.kind === 'log' && warning.level === 'error' && warning.message.includes(APP_ERROR), JSON.stringify(warning));

    // A client that connects now, after the failures, is told too.
    const later = await follow(app, viewer);
    const again = await until('the warning on a later connection', () => later.events.find((e) => e.kind === 'log' && e.id === 'FY00001'), 10_000);
    assert.ok(again.kind === 'log' && again.message.includes(APP_ERROR));
    first.ws.terminate();
    later.ws.terminate();

    // Over REST, the condition is an alert while it lasts.
    const res = await app.inject({ method: 'GET', url: '/api/v1/status', headers: { authorization: `Bearer ${viewer}` }, ...LOOPBACK });
    assert.equal(res.statusCode, 200, res.body);
    const alerts = (res.json() as { alerts: Array<{ id: string; level: string; message: string; since: number }> }).alerts;
    assert.equal(alerts.length, 1, res.body);
    assert.equal(alerts[0]!.id, 'FY00001');
    assert.equal(alerts[0]!.level, 'error');
    assert.ok(alerts[0]!.message.includes(APP_ERROR), alerts[0]!.message);
    assert.ok(alerts[0]!.since > 0 && alerts[0]!.since <= Date.now());

    // The child that loaded the app is still there and the pool still serves.
    assert.ok(pool.snapshot().processes.some((p) => p.pid !== 0));
  } finally {
    await app.close();
    await pool.stop();
    store.close();
    delete process.env.FORKYARD_FIXTURE_MARKER;
  }
});
