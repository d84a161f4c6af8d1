#!/usr/bin/env node
/**
 * Bytes on the wire per `/api/v1/stream` client for a loaded 1,024-slot board.
 *
 * The real stream route and hub (dist/, so `pnpm build` first) on a loopback port, fed by a
 * stand-in pool whose scoreboard image is bench/loaded-board.mjs (16 children × 64 threads,
 * ~10 % of slots changing per tick). Real ws clients connect over TCP, rebuild the board from
 * the frames with the protocol's applyFrame, and the bytes their TCP sockets read are counted:
 * the snapshot on connect, then the steady delta stream.
 *
 *   node bench/stream-bytes.mjs [--seconds 10] [--clients 1] [--no-deflate]
 *                               [--level 6] [--mem-level 8] [--window-bits 15] [--fraction 0.1]
 *
 * --no-deflate: the clients do not offer permessage-deflate (what every client got before
 * the stream compressed). --level / --mem-level / --window-bits: the server's zlib settings
 * instead of the route's own, to compare them.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { applyFrame, INITIAL_STREAM_STATE, parseServerFrame } from '@forkyard/protocol';
import streamRoutes, { STREAM_PER_MESSAGE_DEFLATE } from '../dist/routes/stream.js';
import { loadedBoard } from './loaded-board.mjs';

// The ws that @fastify/websocket serves with, for the clients too.
const require = createRequire(import.meta.url);
const WebSocket = createRequire(require.resolve('@fastify/websocket'))('ws');

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1' },
    'no-deflate': { type: 'boolean', default: false },
    level: { type: 'string' },
    'mem-level': { type: 'string' },
    'window-bits': { type: 'string' },
    fraction: { type: 'string', default: '0.1' },
  },
});
const seconds = Number(args.seconds);
const clientCount = Number(args.clients);
const deflate = !args['no-deflate'];

const board = loadedBoard({ fraction: Number(args.fraction) });
// The hub takes one image per tick: each is the board one tick (100 ms) further on.
let taken = 0;
const pool = Object.assign(new EventEmitter(), {
  snapshot: () => (taken++ === 0 ? board.image : board.step(100)),
});

const app = Fastify({ logger: false });
app.decorate('forkyardAuth', { authenticate: () => 'viewer', redeemTicket: () => null, openRead: true });
app.decorate('forkyardEvents', new EventEmitter());
const custom = args.level !== undefined || args['mem-level'] !== undefined || args['window-bits'] !== undefined;
if (custom) {
  // A host that registers @fastify/websocket itself decides the options; the route uses them.
  const zlibDeflateOptions = { ...STREAM_PER_MESSAGE_DEFLATE.zlibDeflateOptions };
  if (args.level !== undefined) zlibDeflateOptions.level = Number(args.level);
  if (args['mem-level'] !== undefined) zlibDeflateOptions.memLevel = Number(args['mem-level']);
  const perMessageDeflate = { ...STREAM_PER_MESSAGE_DEFLATE, zlibDeflateOptions };
  if (args['window-bits'] !== undefined) perMessageDeflate.serverMaxWindowBits = Number(args['window-bits']);
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096, perMessageDeflate } });
}
await app.register(streamRoutes, { prefix: '/api/v1', pool });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const url = `${address.replace(/^http/, 'ws')}/api/v1/stream`;

function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate });
    const c = { ws, opened: performance.now(), extensions: '', frames: 0, deltas: 0, resyncs: 0, rawBytes: 0, state: INITIAL_STREAM_STATE, snapshotWire: 0, snapshotRaw: 0, mark: null };
    ws.on('open', () => {
      c.extensions = ws.extensions;
    });
    ws.on('message', (data) => {
      const text = data.toString();
      c.rawBytes += Buffer.byteLength(text);
      const frame = parseServerFrame(text, false);
      if (typeof frame === 'string') throw new Error(`bad frame: ${frame}`);
      c.frames++;
      if (frame.type === 'delta') c.deltas++;
      const out = applyFrame(c.state, frame);
      c.state = out.state;
      if (out.resync) c.resyncs++;
      if (frame.type === 'snapshot' && c.frames === 1) {
        c.snapshotWire = ws._socket.bytesRead;
        c.snapshotRaw = Buffer.byteLength(text);
        resolve(c);
      }
    });
    ws.on('error', reject);
  });
}

const clients = [];
for (let i = 0; i < clientCount; i++) clients.push(await connect());
// Let the first deltas settle, then count a whole window of steady deltas.
await new Promise((r) => setTimeout(r, 500));
for (const c of clients) c.mark = { bytes: c.ws._socket.bytesRead, raw: c.rawBytes, deltas: c.deltas, at: performance.now() };
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, seconds * 1000));
const cpu = process.cpuUsage(cpu0);

const rows = clients.map((c, i) => {
  const elapsed = (performance.now() - c.mark.at) / 1000;
  const wire = c.ws._socket.bytesRead - c.mark.bytes;
  const deltas = c.deltas - c.mark.deltas;
  return {
    client: i,
    deflate: c.extensions.includes('permessage-deflate') ? 'yes' : 'no',
    '101 + snapshot wire B': c.snapshotWire,
    'snapshot JSON B': c.snapshotRaw,
    deltas,
    'delta wire B': Math.round(wire / deltas),
    'delta JSON B': Math.round((c.rawBytes - c.mark.raw) / deltas),
    'wire B/s': Math.round(wire / elapsed),
    // Everything the connection read, the 101 and the first snapshot included.
    'B/s since connect': Math.round(c.ws._socket.bytesRead / ((performance.now() - c.opened) / 1000)),
    resyncs: c.resyncs,
  };
});
for (const c of clients) c.ws.terminate();
await app.close();

const settings = deflate ? (custom ? `level ${args.level ?? 'route'}, memLevel ${args['mem-level'] ?? 'route'}, window ${args['window-bits'] ?? 15}` : 'the route’s permessage-deflate') : 'no compression';
console.log(`stream bytes: 16 × 64 = 1,024 slots, ${Math.round(Number(args.fraction) * 100)} % changing per tick, 10 Hz, ${seconds} s, ${clientCount} client(s), ${settings}`);
console.table(rows);
const mean = rows.reduce((a, r) => a + r['wire B/s'], 0) / rows.length;
console.log(`per client: ${(mean / 1000).toFixed(1)} kB/s on the wire (${(mean / 1024).toFixed(1)} KiB/s); process CPU ${((cpu.user + cpu.system) / 1e3 / seconds).toFixed(0)} ms/s`);
