/**
 * The `/api/v1/stream` WebSocket vocabulary: a closed set of JSON text frames in each
 * direction, discriminated by `type`, handled through tables (`FrameTable`) so that a new
 * frame type without a handler is a compile error.
 *
 *   server → client   snapshot (seq)  ─ full state; always the first frame, and the answer to resync
 *                     delta (seq)     ─ applies to the state at `delta.from`
 *                     event           ─ a child spawned or exited, a new generation, a change…
 *                     error           ─ { code, message }; a close may follow
 *   client → server   hello           ─ optional; `rate` asks for fewer deltas per second
 *                     resync          ─ "I missed something: send a snapshot"
 *
 * `applyFrame` is the client's whole state machine, pure; stream clients (Node, browser) are
 * thin loops around it.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { applyDelta, DeltaMismatchError, DeltaSchema } from './delta.js';
import { LoadTestKindSchema, LoadTestPhaseSchema } from './loadtest.js';
import { AuditEntrySchema } from './rest.js';
import { MpmNameSchema, StatusSnapshotSchema, type StatusSnapshot } from './snapshot.js';

/** Deltas per second when the client asks for nothing else; also the most it may ask for. */
export const STREAM_MAX_RATE_HZ = 10;

/** WebSocket close codes the server uses. */
export const STREAM_CLOSE = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** A frame that is not in this vocabulary. */
  policy: 1008,
  /** The client reads too slowly: reconnect later (RFC 6455 "Try Again Later"). */
  tryAgainLater: 1013,
} as const;

export const STREAM_ERROR_CODES = {
  badFrame: 'FY_ERR_STREAM_BAD_FRAME',
  slowClient: 'FY_ERR_STREAM_SLOW_CLIENT',
} as const;
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[keyof typeof STREAM_ERROR_CODES];

// ── events ──────────────────────────────────────────────────────────────────────────────

const at = { at: Type.Number({ description: 'epoch ms' }) };

/**
 * Why a child exited. Known today: surplus, recycled, memory, request-time-limit, generation,
 * stop, app-error, crashed, killed. Sent as a string, so a reason the engine adds later reaches
 * older clients as text instead of failing their schema check.
 */
export const KNOWN_EXIT_REASONS = ['surplus', 'recycled', 'memory', 'request-time-limit', 'generation', 'stop', 'app-error', 'crashed', 'killed'] as const;
export const ExitReasonSchema = Type.String({ description: `one of ${KNOWN_EXIT_REASONS.join(', ')} (others may be added)` });

/** Why a new generation started. Known today: graceful-restart, restart, switch, directives. */
export const KNOWN_GENERATION_REASONS = ['graceful-restart', 'restart', 'switch', 'directives'] as const;
export const GenerationReasonSchema = Type.String({ description: `one of ${KNOWN_GENERATION_REASONS.join(', ')} (others may be added)` });

const child = {
  slot: Type.Integer(),
  pid: Type.Integer(),
  generation: Type.Integer(),
  mpm: MpmNameSchema,
};

export const SpawnEventSchema = Type.Object({ kind: Type.Literal('spawn'), ...at, ...child });
export const ExitEventSchema = Type.Object({
  kind: Type.Literal('exit'),
  ...at,
  ...child,
  code: Type.Union([Type.Integer(), Type.Null()]),
  signal: Type.Union([Type.String(), Type.Null()]),
  reason: ExitReasonSchema,
  error: Type.Optional(Type.String()),
});
export const GenerationEventSchema = Type.Object({
  kind: Type.Literal('generation'),
  ...at,
  generation: Type.Integer(),
  mpm: MpmNameSchema,
  reason: GenerationReasonSchema,
});
export const DirectivesEventSchema = Type.Object({
  kind: Type.Literal('directives'),
  ...at,
  /** Only the directives whose effective value changed. */
  changes: Type.Array(Type.Object({ directive: Type.String(), before: Type.Unknown(), after: Type.Unknown() })),
});
export const LogEventSchema = Type.Object({
  kind: Type.Literal('log'),
  ...at,
  level: Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info')]),
  /** httpd's log id (AH00161) or Forkyard's (FY00001). */
  id: Type.String(),
  message: Type.String(),
});
export const AuditEventSchema = Type.Object({
  kind: Type.Literal('audit'),
  ...at,
  /** The audit entry as `GET /api/v1/audit` lists it. */
  entry: AuditEntrySchema,
});

/**
 * A load test's life: started, (compare) each run after its MPM switch, one progress event per
 * second of traffic, then finished, aborted or failed.
 */
export const LoadTestEventSchema = Type.Object({
  kind: Type.Literal('loadtest'),
  ...at,
  id: Type.String(),
  phase: LoadTestPhaseSchema,
  testKind: LoadTestKindSchema,
  scenario: Type.String(),
  /** Index of the run (compare: 0 prefork, 1 worker, 2 event) and the MPM it runs under. */
  run: Type.Integer(),
  mpm: MpmNameSchema,
  /** progress: the second (from 1), requests answered in it, its latency (ms) and errors. */
  second: Type.Optional(Type.Integer()),
  /** Seconds of traffic each run sends. */
  seconds: Type.Optional(Type.Integer()),
  rps: Type.Optional(Type.Number()),
  p50: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  p99: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  errors: Type.Optional(Type.Integer()),
  inFlight: Type.Optional(Type.Integer()),
  connections: Type.Optional(Type.Integer()),
  /** failed: why. */
  message: Type.Optional(Type.String()),
});

export const StreamEventSchema = Type.Union([
  SpawnEventSchema,
  ExitEventSchema,
  GenerationEventSchema,
  DirectivesEventSchema,
  LogEventSchema,
  AuditEventSchema,
  LoadTestEventSchema,
]);
export type StreamEvent = Static<typeof StreamEventSchema>;
export type StreamEventKind = StreamEvent['kind'];

// ── frames ──────────────────────────────────────────────────────────────────────────────

export const SnapshotFrameSchema = Type.Object({ type: Type.Literal('snapshot'), seq: Type.Integer(), snapshot: StatusSnapshotSchema });
export const DeltaFrameSchema = Type.Object({ type: Type.Literal('delta'), seq: Type.Integer(), delta: DeltaSchema });
export const EventFrameSchema = Type.Object({ type: Type.Literal('event'), event: StreamEventSchema });
export const ErrorFrameSchema = Type.Object({ type: Type.Literal('error'), code: Type.String(), message: Type.String() });
export const ServerFrameSchema = Type.Union([SnapshotFrameSchema, DeltaFrameSchema, EventFrameSchema, ErrorFrameSchema]);
export type ServerFrame = Static<typeof ServerFrameSchema>;

export const HelloFrameSchema = Type.Object({
  type: Type.Literal('hello'),
  /** Deltas per second wanted (at most STREAM_MAX_RATE_HZ); the server rounds to its tick. */
  rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: STREAM_MAX_RATE_HZ })),
});
export const ResyncFrameSchema = Type.Object({ type: Type.Literal('resync') });
export const ClientFrameSchema = Type.Union([HelloFrameSchema, ResyncFrameSchema]);
export type ClientFrame = Static<typeof ClientFrameSchema>;

/** A handler per frame type: leaving one out does not compile. */
export type FrameTable<F extends { type: string }, C = void> = {
  [T in F['type']]: (frame: Extract<F, { type: T }>, ctx: C) => void;
};

export function dispatchFrame<F extends { type: string }, C>(table: FrameTable<F, C>, frame: F, ctx: C): void {
  (table[frame.type as F['type']] as (frame: F, ctx: C) => void)(frame, ctx);
}

/** The member of a `type`-discriminated union that a value claims to be, for a readable error. */
function memberFor(schema: TSchema, type: unknown): TSchema {
  const members = (schema as { anyOf?: TSchema[] }).anyOf ?? [];
  return members.find((m) => (m as { properties?: { type?: { const?: unknown } } }).properties?.type?.const === type) ?? schema;
}

function parseWith<S extends TSchema>(schema: S, text: string): Static<S> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a frame must be JSON text';
  }
  if (Value.Check(schema, value)) return value;
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const member = memberFor(schema, type);
  if (member === schema) return `not a frame: "type" must be one of ${(schema as { anyOf?: TSchema[] }).anyOf?.map((m) => JSON.stringify(m.properties?.type?.const)).join(', ')}`;
  const first = Value.Errors(member, value).First();
  return `not a valid "${String(type)}" frame${first ? `: ${first.path || '/'} ${first.message}` : ''}`;
}

/** A client frame, or the reason it is not one (send it back as an error frame). */
export function parseClientFrame(text: string): ClientFrame | string {
  return parseWith(ClientFrameSchema, text);
}

/** A server frame, or why not. Clients may skip the schema check and trust the server. */
export function parseServerFrame(text: string, check = true): ServerFrame | string {
  if (check) return parseWith(ServerFrameSchema, text);
  try {
    const value = JSON.parse(text) as ServerFrame;
    return typeof value === 'object' && value !== null && typeof value.type === 'string' ? value : 'not a frame';
  } catch {
    return 'a frame must be JSON text';
  }
}

// ── the client's state machine ──────────────────────────────────────────────────────────

export interface StreamState {
  /** Sequence number of `snapshot`; -1 before the first snapshot. */
  seq: number;
  snapshot: StatusSnapshot | null;
  /** A delta was missed or did not fit: waiting for a snapshot (deltas are ignored meanwhile). */
  stale: boolean;
}

export const INITIAL_STREAM_STATE: StreamState = Object.freeze({ seq: -1, snapshot: null, stale: false });

export interface FrameResult {
  state: StreamState;
  /** Send `{ type: 'resync' }` now (only the first time the state goes stale). */
  resync: boolean;
}

/**
 * The state after one server frame. Snapshots replace the state; a delta applies only to the
 * state at its `from` sequence, otherwise the state goes stale and the client asks for a
 * snapshot once. Event and error frames leave the state alone.
 */
export function applyFrame(state: StreamState, frame: ServerFrame): FrameResult {
  if (frame.type === 'snapshot') return { state: { seq: frame.seq, snapshot: frame.snapshot, stale: false }, resync: false };
  if (frame.type !== 'delta') return { state, resync: false };
  if (state.stale) return { state, resync: false };
  if (state.snapshot === null || frame.delta.from !== state.seq) return { state: { ...state, stale: true }, resync: true };
  try {
    return { state: { seq: frame.seq, snapshot: applyDelta(state.snapshot, frame.delta), stale: false }, resync: false };
  } catch (err) {
    if (err instanceof DeltaMismatchError) return { state: { ...state, stale: true }, resync: true };
    throw err;
  }
}
