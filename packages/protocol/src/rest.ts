/**
 * The REST API under `/api/v1`: paths, request bodies and responses. Every change needs an
 * operator token (`Authorization: Bearer …`); reads need a viewer token unless the control
 * plane runs with open reads on loopback. Errors are problem documents (problem.ts).
 *
 *   GET    /status                      StatusResponse: the StatusSnapshot (snapshot.ts) plus the requests in flight
 *   GET    /directives                  DirectivesState
 *   POST   /directives/validate         DirectivesBody → DirectivesValidation   (nothing applied)
 *   PATCH  /directives                  DirectivesBody → DirectivesApplied       (merged into the current set)
 *   PUT    /directives                  DirectivesBody → DirectivesApplied       (replaces the set; the rest return to defaults)
 *   POST   /mpm                         MpmSwitchBody  → DirectivesApplied
 *   POST   /pool/graceful-restart | /pool/restart | /pool/graceful-stop  → LifecycleResult
 *   GET    /children                    ChildList
 *   POST   /children/{pid}/recycle | /children/{pid}/kill                → ChildActionResult
 *   GET    /audit?limit=&before=        AuditPage
 *   POST   /loadtests | /loadtests/compare, GET /loadtests, GET|DELETE /loadtests/{id}   (loadtest.ts)
 *   POST   /stream/ticket               StreamTicket (a single-use ticket for the WebSocket)
 *   GET    /openapi.json                the OpenAPI 3 document
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MpmNameSchema, StatusSnapshotSchema, THREAD_CLIENT, THREAD_REQUEST, THREAD_STARTED, THREAD_VHOST, type StatusSnapshot } from './snapshot.js';

export const API_PREFIX = '/api/v1';

export const API_PATHS = {
  status: '/status',
  directives: '/directives',
  directivesValidate: '/directives/validate',
  mpm: '/mpm',
  gracefulRestart: '/pool/graceful-restart',
  restart: '/pool/restart',
  gracefulStop: '/pool/graceful-stop',
  children: '/children',
  childRecycle: '/children/:pid/recycle',
  childKill: '/children/:pid/kill',
  audit: '/audit',
  streamTicket: '/stream/ticket',
  stream: '/stream',
  openapi: '/openapi.json',
  loadTests: '/loadtests',
  loadTestsCompare: '/loadtests/compare',
  loadTest: '/loadtests/:id',
} as const;

export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator')]);
export type Role = Static<typeof RoleSchema>;

// ── status ──────────────────────────────────────────────────────────────────────────────

/** A request in flight at snapshot time, with how long it has run. */
export const InFlightRequestSchema = Type.Object({
  slot: Type.Integer(),
  thread: Type.Integer(),
  pid: Type.Integer(),
  /** The slot's status letter (R, W, …). */
  state: Type.String(),
  request: Type.String(),
  client: Type.String(),
  vhost: Type.String(),
  /** Epoch ms the request started. */
  startedAt: Type.Number(),
  elapsedMs: Type.Number(),
});
export type InFlightRequest = Static<typeof InFlightRequestSchema>;

/** A condition the operator must see while it lasts (e.g. an app that keeps failing to load). */
export const AlertSchema = Type.Object({
  id: Type.String(),
  level: Type.Union([Type.Literal('error'), Type.Literal('warn')]),
  message: Type.String(),
  since: Type.Number(),
});
export type Alert = Static<typeof AlertSchema>;

/** A request stopped by RequestTimeLimit: what it was and where its handler was stuck. */
export const ForensicSchema = Type.Object({
  kind: Type.String(),
  pid: Type.Integer(),
  slot: Type.Integer(),
  thread: Type.Integer(),
  generation: Type.Integer(),
  request: Type.String(),
  client: Type.String(),
  vhost: Type.String(),
  elapsedMs: Type.Number(),
  stack: Type.String(),
  answered503: Type.Boolean(),
  at: Type.Number(),
});
export type Forensic = Static<typeof ForensicSchema>;

export const StatusResponseSchema = Type.Composite([
  StatusSnapshotSchema,
  Type.Object({
    /** Every request in flight, longest-running first. */
    inFlight: Type.Array(InFlightRequestSchema),
    /** Conditions that hold now. */
    alerts: Type.Array(AlertSchema),
    /** The last requests stopped by RequestTimeLimit, newest first. */
    forensics: Type.Array(ForensicSchema),
  }),
]);
export type StatusResponse = Static<typeof StatusResponseSchema>;

/** The requests in flight in a snapshot, longest-running first. */
export function inFlightRequests(snapshot: StatusSnapshot): InFlightRequest[] {
  const out: InFlightRequest[] = [];
  for (const p of snapshot.processes) {
    p.threads.forEach((cells, thread) => {
      const startedAt = cells[THREAD_STARTED];
      if (startedAt === 0) return;
      out.push({
        slot: p.slot,
        thread,
        pid: p.pid,
        state: p.letters[thread] ?? '',
        request: cells[THREAD_REQUEST],
        client: cells[THREAD_CLIENT],
        vhost: cells[THREAD_VHOST],
        startedAt,
        elapsedMs: Math.max(0, snapshot.time - startedAt),
      });
    });
  }
  return out.sort((a, b) => b.elapsedMs - a.elapsedMs);
}

// ── directives ──────────────────────────────────────────────────────────────────────────

/** A value as an operator writes it: 16, true, "On", "500ms". The engine parses and checks it. */
export const DirectiveValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 64 })]);
export type DirectiveInput = Static<typeof DirectiveValueSchema>;

/** A typed value as the engine runs with it. */
export const DirectiveTypedValueSchema = Type.Union([Type.Number(), Type.Boolean()]);

/** `{ "MaxRequestWorkers": 16, "KeepAlive": "Off" }`: directive names in httpd spelling. */
export type DirectivesBody = Record<string, DirectiveInput>;

/**
 * The body schema of the directive routes, built from the engine's directive table (the one
 * table drives validation, the API and the dashboard's form): every name is an optional
 * property, and anything else is an unknown field.
 */
export function directivesBodySchema(names: readonly string[], deprecated: readonly string[] = []): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const name of names) properties[name] = Type.Optional(DirectiveValueSchema);
  for (const name of deprecated) properties[name] = Type.Optional(Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 64 })], { deprecated: true }));
  return Type.Object(properties, { additionalProperties: false });
}

export const DirectiveMapSchema = Type.Record(Type.String(), DirectiveTypedValueSchema);
export type DirectiveMap = Static<typeof DirectiveMapSchema>;

export const DirectiveTableEntrySchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('integer'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('duration')]),
  /** The directive applies to the current MPM (others ignore it; a form hides it). */
  applies: Type.Boolean(),
  mpms: Type.Array(MpmNameSchema),
  /** httpd's default under the current MPM. */
  default: DirectiveTypedValueSchema,
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  exclusiveMin: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.String()),
  /** 'tick': next maintenance pass; 'generation': rolls new children; 'restart': fixed for the pool's life. */
  apply: Type.Union([Type.Literal('tick'), Type.Literal('generation'), Type.Literal('restart')]),
  help: Type.String(),
  /** Old httpd spellings still accepted for this directive. */
  aliases: Type.Array(Type.String()),
});
export type DirectiveTableEntry = Static<typeof DirectiveTableEntrySchema>;

export const DirectiveWarningSchema = Type.Object({
  /** httpd's log id, e.g. AH00513. */
  id: Type.String(),
  directive: Type.String(),
  from: DirectiveTypedValueSchema,
  to: DirectiveTypedValueSchema,
  message: Type.String(),
});
export type DirectiveWarningDto = Static<typeof DirectiveWarningSchema>;

export const DirectivesStateSchema = Type.Object({
  mpm: MpmNameSchema,
  generation: Type.Integer(),
  /** The values asked for (defaults filled in), before httpd's adjustments. */
  values: DirectiveMapSchema,
  /** What the pool runs with, after httpd's adjustments (plus MaxDaemons). */
  effective: DirectiveMapSchema,
  /** What the operator set through the API, as stored; restored when the process restarts. */
  overrides: Type.Record(Type.String(), DirectiveValueSchema),
  warnings: Type.Array(DirectiveWarningSchema),
  table: Type.Array(DirectiveTableEntrySchema),
});
export type DirectivesState = Static<typeof DirectivesStateSchema>;

export const DirectivesValidationSchema = Type.Object({
  ok: Type.Literal(true),
  mpm: MpmNameSchema,
  /** What the pool would run with. */
  effective: DirectiveMapSchema,
  /** httpd's adjustments, each with its log id and advice. */
  warnings: Type.Array(DirectiveWarningSchema),
  /** Deprecated spellings, directives the MPM ignores. */
  notes: Type.Array(Type.String()),
  /** Applying it would roll a new generation of children. */
  newGeneration: Type.Boolean(),
});
export type DirectivesValidation = Static<typeof DirectivesValidationSchema>;

export const DirectivesAppliedSchema = Type.Object({
  mpm: MpmNameSchema,
  generation: Type.Integer(),
  /** A new generation of children rolled for this change. */
  newGeneration: Type.Boolean(),
  effective: DirectiveMapSchema,
  warnings: Type.Array(DirectiveWarningSchema),
  notes: Type.Array(Type.String()),
});
export type DirectivesApplied = Static<typeof DirectivesAppliedSchema>;

// ── MPM, lifecycle, children ────────────────────────────────────────────────────────────

export const MpmSwitchBodySchema = Type.Object({ mpm: MpmNameSchema }, { additionalProperties: false });
export type MpmSwitchBody = Static<typeof MpmSwitchBodySchema>;

export const LifecycleActionSchema = Type.Union([Type.Literal('graceful-restart'), Type.Literal('restart'), Type.Literal('graceful-stop')]);
export type LifecycleAction = Static<typeof LifecycleActionSchema>;

export const LifecycleResultSchema = Type.Object({
  action: LifecycleActionSchema,
  mpm: MpmNameSchema,
  /** The generation running once the action has finished (graceful-stop: the last one). */
  generation: Type.Integer(),
  newGeneration: Type.Boolean(),
});
export type LifecycleResult = Static<typeof LifecycleResultSchema>;

export const ChildParamsSchema = Type.Object({ pid: Type.Integer({ minimum: 1, maximum: 4_194_304 }) }, { additionalProperties: false });
export type ChildParams = Static<typeof ChildParamsSchema>;

export const ChildActionSchema = Type.Union([Type.Literal('recycle'), Type.Literal('kill')]);
export type ChildAction = Static<typeof ChildActionSchema>;

export const ChildActionResultSchema = Type.Object({
  pid: Type.Integer(),
  action: ChildActionSchema,
  /** The child has exited. */
  exited: Type.Boolean(),
});
export type ChildActionResult = Static<typeof ChildActionResultSchema>;

export const ChildSummarySchema = Type.Object({
  slot: Type.Integer(),
  pid: Type.Integer(),
  generation: Type.Integer(),
  quiescing: Type.Boolean(),
  letters: Type.String(),
  requests: Type.Integer(),
  startedAt: Type.Number(),
});
export const ChildListSchema = Type.Object({ mpm: MpmNameSchema, generation: Type.Integer(), children: Type.Array(ChildSummarySchema) });
export type ChildList = Static<typeof ChildListSchema>;

// ── audit trail ─────────────────────────────────────────────────────────────────────────

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  /** Epoch ms. */
  time: Type.Number(),
  /** The token's name: operator, env-operator. */
  actor: Type.String(),
  /** directives.patch, directives.put, mpm.switch, pool.graceful-restart, pool.restart, pool.graceful-stop, child.recycle, child.kill */
  action: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  /** 'ok' or the problem code the change failed with. */
  result: Type.String(),
  detail: Type.Optional(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuditQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    /** Entries with an id below this one (the previous page's `next`). */
    before: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;

export const AuditPageSchema = Type.Object({
  /** Newest first. */
  entries: Type.Array(AuditEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPageSchema>;

// ── stream tickets ──────────────────────────────────────────────────────────────────────

export const StreamTicketSchema = Type.Object({
  /** Pass as `?ticket=` when opening the WebSocket; it works once, before `expiresAt`. */
  ticket: Type.String(),
  /** Epoch ms. */
  expiresAt: Type.Number(),
});
export type StreamTicket = Static<typeof StreamTicketSchema>;
