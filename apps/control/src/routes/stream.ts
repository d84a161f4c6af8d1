/**
 * GET /api/v1/stream (WebSocket): the live scoreboard. A full snapshot on connect, then deltas
 * at a steady rate (10 Hz unless the client asks for less), and events as they happen — child
 * spawned or exited and why, new generations, directive changes, maintenance warnings, audit
 * entries, load-test progress. One shared ticker serves every client (stream/hub.ts).
 *
 * Before the upgrade: the page's Origin is checked (stream/origin.ts), then the client proves
 * who it is with a bearer token (tools), a single-use `?ticket=` from POST /stream/ticket
 * (browsers cannot set headers on a WebSocket), or nothing when reads are open on loopback.
 * Every role may read the stream; it changes nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { Pool } from '@forkyard/engine';
import {
  dispatchFrame,
  parseClientFrame,
  STREAM_ERROR_CODES,
  type AuditEntry,
  type ClientFrame,
  type FrameTable,
  type Role,
  type StreamEvent,
} from '@forkyard/protocol';
import { isLoopback } from '../plugins/auth.js';
import { snapshotOf } from '../snapshot.js';
import { ProblemError, sendProblem } from '../plugins/problem.js';
import { auditEvent, directivesEvent, exitEvent, generationEvent, logEvent, spawnEvent } from '../stream/events.js';
import { StreamHub, type StreamHubOptions, type StreamPeer } from '../stream/hub.js';
import { originAllowed } from '../stream/origin.js';

export interface StreamRouteOptions extends Omit<StreamHubOptions, 'source' | 'autoTick' | 'now'> {
  pool: Pool;
  /** Origins allowed besides the control plane's own and loopback pages (stream/origin.ts). */
  allowedOrigins?: readonly string[];
}

/** Client frames are tiny; anything bigger is not one of ours. */
const MAX_CLIENT_FRAME_BYTES = 4096;

/**
 * permessage-deflate for server frames, with every client that offers it (ws and browsers do).
 * Context takeover stays on: one deflate window per connection spans frames, so the keys and
 * request lines a delta repeats from the last one cost a back-reference. ws's `threshold`
 * only applies without takeover, so the hub itself sends frames under COMPRESS_MIN_CHARS
 * uncompressed (they stay out of the window, as RFC 7692 allows). Measured on a loaded 1,024-slot
 * board (bench/stream-bytes.mjs): level 6 sends 13 kB/s per client, level 1 17, level 9 12.7
 * for more CPU; a 2^13 window 14.7. memLevel 7 instead of 8 changes nothing measurable and
 * saves 64 KiB of zlib state per client.
 */
export const STREAM_PER_MESSAGE_DEFLATE = {
  zlibDeflateOptions: { level: 6, memLevel: 7 },
  // Client frames (hello, resync) are a few bytes: no window is kept for them.
  clientNoContextTakeover: true,
} as const;

/** What the route needs of a ws WebSocket. */
interface Socket extends StreamPeer {
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The role the stream client proved (set before the upgrade). */
    streamRole?: Role;
  }
}

function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
}

export default async function streamRoutes(app: FastifyInstance, opts: StreamRouteOptions): Promise<void> {
  const { pool, allowedOrigins, ...hubOptions } = opts;
  // Normally app.ts registers the plugin for the whole app; standing alone, the route brings its own.
  if (!app.hasDecorator('websocketServer')) {
    await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: STREAM_PER_MESSAGE_DEFLATE } });
  }

  // The snapshot copies what it shows: it can read the live image, not a deep copy of it.
  const hub = new StreamHub({ ...hubOptions, source: () => pool.readImage((image) => snapshotOf(image)) });

  const onSpawn = (e: Parameters<typeof spawnEvent>[0]): void => hub.broadcastEvent(spawnEvent(e, Date.now()));
  const onExit = (e: Parameters<typeof exitEvent>[0]): void => hub.broadcastEvent(exitEvent(e, Date.now()));
  const onGeneration = (e: Parameters<typeof generationEvent>[0]): void => hub.broadcastEvent(generationEvent(e, Date.now()));
  const onDirectives = (e: Parameters<typeof directivesEvent>[0]): void => hub.broadcastEvent(directivesEvent(e, Date.now()));
  const onLog = (e: Parameters<typeof logEvent>[0]): void => hub.broadcastEvent(logEvent(e, Date.now()));
  const onAudit = (entry: AuditEntry): void => hub.broadcastEvent(auditEvent(entry, Date.now()));
  const onLoadTest = (event: StreamEvent): void => hub.broadcastEvent(event);
  pool.on('spawn', onSpawn);
  pool.on('exit', onExit);
  pool.on('generation', onGeneration);
  pool.on('directives', onDirectives);
  pool.on('log', onLog);
  const auditFeed = app.hasDecorator('forkyardEvents') ? app.forkyardEvents : null;
  auditFeed?.on('audit', onAudit);
  auditFeed?.on('loadtest', onLoadTest);

  app.addHook('onClose', async () => {
    pool.off('spawn', onSpawn);
    pool.off('exit', onExit);
    pool.off('generation', onGeneration);
    pool.off('directives', onDirectives);
    pool.off('log', onLog);
    auditFeed?.off('audit', onAudit);
    auditFeed?.off('loadtest', onLoadTest);
    hub.close();
  });

  /** Origin, then identity; answers 403/401 as problem documents instead of upgrading. */
  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const origin = request.headers.origin;
    if (!originAllowed(origin, request.headers.host, { allowedOrigins })) {
      request.log.warn({ origin }, 'stream: foreign origin refused');
      await sendProblem(reply, new ProblemError('FY_FORBIDDEN', `a page from ${origin} may not open the stream: only the control plane's own pages (or a configured origin) may`));
      return;
    }
    const role = identify(request);
    if (typeof role === 'string' && (role === 'viewer' || role === 'operator')) {
      request.streamRole = role;
      return;
    }
    await sendProblem(reply, new ProblemError('FY_UNAUTHORIZED', role.why, [], { 'www-authenticate': 'Bearer realm="forkyard"' }));
  }

  function identify(request: FastifyRequest): Role | { why: string } {
    const auth = app.forkyardAuth;
    const ticket = (request.query as Record<string, unknown> | undefined)?.ticket;
    if (request.headers.authorization !== undefined) {
      return auth.authenticate(request) ?? { why: 'the bearer token is not valid' };
    }
    if (typeof ticket === 'string' && ticket !== '') {
      return auth.redeemTicket(ticket) ?? { why: 'the stream ticket is unknown, expired or already used: get a new one with POST /api/v1/stream/ticket' };
    }
    if (auth.openRead && isLoopback(request.socket?.remoteAddress)) return 'viewer';
    return { why: 'the stream needs a bearer token (Authorization: Bearer <token>) or a ?ticket= from POST /api/v1/stream/ticket' };
  }

  app.get('/stream', { websocket: true, onRequest: admit }, (socket: Socket, request) => {
    const table: FrameTable<ClientFrame, Socket> = {
      hello: (frame, peer) => {
        if (frame.rate !== undefined) hub.setRate(peer, frame.rate);
      },
      resync: (_frame, peer) => hub.resync(peer),
    };
    hub.add(socket);
    socket.on('message', (data, isBinary) => {
      const bad = isBinary
        ? 'frames are JSON text, not binary'
        : frameBytes(data) > MAX_CLIENT_FRAME_BYTES
          ? `a client frame is at most ${MAX_CLIENT_FRAME_BYTES} bytes`
          : null;
      const frame = bad ?? parseClientFrame(frameText(data));
      if (typeof frame === 'string') {
        hub.sendTo(socket, { type: 'error', code: STREAM_ERROR_CODES.badFrame, message: frame });
        return;
      }
      dispatchFrame(table, frame, socket);
    });
    socket.on('close', () => hub.remove(socket));
    socket.on('error', () => hub.remove(socket));
    request.log.debug({ role: request.streamRole }, 'stream: client connected');
  });
}
