/**
 * Load tests over REST (the runner is @forkyard/loadgen; its result is carried as plain JSON):
 *
 *   POST   /loadtests            LoadTestStartBody → 202 LoadTestRecord (status 'running')
 *   POST   /loadtests/compare    LoadTestStartBody → 202 LoadTestRecord: the same scenario under
 *                                prefork, worker and event in turn, the MPM restored at the end
 *   GET    /loadtests?limit=&before=   LoadTestPage (newest first)
 *   GET    /loadtests/{id}       LoadTestRecord (status, live progress, result)
 *   DELETE /loadtests/{id}       abort: every socket closed within a second → LoadTestRecord
 *
 * Progress reaches `/stream` as `loadtest` events (stream.ts), once a second per run.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MpmNameSchema } from './snapshot.js';

/**
 * The scenario and its parameters, as @forkyard/loadgen's `validateSpec` takes them (it fills
 * the defaults and reports every field error), plus `target` (default: the pool's own listener;
 * another address only if allow-listed) and `compare`.
 */
export const LoadTestStartBodySchema = Type.Object(
  {
    scenario: Type.String({ description: 'hello, connection-per-request, slow, cpu, idle-keepalive or ramp' }),
    target: Type.Optional(Type.String({ description: 'base URL; default the pool’s own data-plane listener' })),
    compare: Type.Optional(Type.Boolean({ description: 'run under prefork, worker and event in turn (as POST /loadtests/compare)' })),
  },
  { additionalProperties: true, description: 'plus the scenario’s parameters: mode, connections, rate, durationSeconds, timeoutMs, …' },
);
export type LoadTestStartBody = Static<typeof LoadTestStartBodySchema> & Record<string, unknown>;

export const LoadTestKindSchema = Type.Union([Type.Literal('single'), Type.Literal('compare')]);
export type LoadTestKind = Static<typeof LoadTestKindSchema>;

/** running → completed | aborted | failed (a run the control plane did not see end is failed). */
export const LoadTestStatusSchema = Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('aborted'), Type.Literal('failed')]);
export type LoadTestStatus = Static<typeof LoadTestStatusSchema>;

/** The last second a running test reported. */
export const LoadTestProgressSchema = Type.Object({
  /** Index of the run (compare: 0 prefork, 1 worker, 2 event). */
  run: Type.Integer(),
  mpm: MpmNameSchema,
  second: Type.Integer(),
  /** Seconds of traffic each run sends. */
  seconds: Type.Integer(),
  rps: Type.Number(),
  p50: Type.Union([Type.Number(), Type.Null()]),
  p99: Type.Union([Type.Number(), Type.Null()]),
  errors: Type.Integer(),
});
export type LoadTestProgress = Static<typeof LoadTestProgressSchema>;

/** One run: the pool as it was (MPM, generation, effective directives) and loadgen's result. */
export const LoadTestRunSchema = Type.Object({
  mpm: MpmNameSchema,
  generation: Type.Integer(),
  directives: Type.Record(Type.String(), Type.Unknown()),
  /** @forkyard/loadgen's LoadTestResult; null while running or when the run failed. */
  result: Type.Union([Type.Unknown(), Type.Null()]),
});
export type LoadTestRun = Static<typeof LoadTestRunSchema>;

export const LoadTestErrorSchema = Type.Object({ code: Type.String(), message: Type.String() });

export const LoadTestRecordSchema = Type.Object({
  id: Type.String(),
  /** Cursor for paging the history (`before`). */
  seq: Type.Integer(),
  kind: LoadTestKindSchema,
  status: LoadTestStatusSchema,
  /** Who started it (the token's name). */
  actor: Type.String(),
  scenario: Type.String(),
  /** The complete spec, defaults filled in. */
  spec: Type.Unknown(),
  target: Type.String(),
  /** Epoch ms. */
  createdAt: Type.Number(),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  /** The MPM when the test was started (a compare restores it at the end). */
  mpm: MpmNameSchema,
  runs: Type.Array(LoadTestRunSchema),
  /** A single test's result (runs[0].result); null for a compare or while running. */
  result: Type.Union([Type.Unknown(), Type.Null()]),
  /** A compare's side-by-side table (@forkyard/loadgen's ComparisonTable), columns prefork, worker, event. */
  comparison: Type.Union([Type.Unknown(), Type.Null()]),
  /** Only while running. */
  progress: Type.Union([LoadTestProgressSchema, Type.Null()]),
  error: Type.Union([LoadTestErrorSchema, Type.Null()]),
});
export type LoadTestRecord = Static<typeof LoadTestRecordSchema>;

/** A history entry: the record without timelines, and each run's headline figures. */
export const LoadTestSummarySchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  kind: LoadTestKindSchema,
  status: LoadTestStatusSchema,
  actor: Type.String(),
  scenario: Type.String(),
  spec: Type.Unknown(),
  target: Type.String(),
  createdAt: Type.Number(),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  mpm: MpmNameSchema,
  runs: Type.Array(
    Type.Object({
      mpm: MpmNameSchema,
      outcome: Type.Union([Type.String(), Type.Null()]),
      requests: Type.Union([Type.Number(), Type.Null()]),
      throughput: Type.Union([Type.Number(), Type.Null()]),
      errors: Type.Union([Type.Number(), Type.Null()]),
      p50: Type.Union([Type.Number(), Type.Null()]),
      p99: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  error: Type.Union([LoadTestErrorSchema, Type.Null()]),
});
export type LoadTestSummary = Static<typeof LoadTestSummarySchema>;

export const LoadTestQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
    /** Tests with a `seq` below this one (the previous page's `next`). */
    before: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type LoadTestQuery = Static<typeof LoadTestQuerySchema>;

export const LoadTestPageSchema = Type.Object({
  /** Newest first. */
  tests: Type.Array(LoadTestSummarySchema),
  next: Type.Union([Type.Integer(), Type.Null()]),
});
export type LoadTestPage = Static<typeof LoadTestPageSchema>;

export const LoadTestParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) }, { additionalProperties: false });
export type LoadTestParams = Static<typeof LoadTestParamsSchema>;

/** What a `loadtest` stream event reports. */
export const LoadTestPhaseSchema = Type.Union([
  Type.Literal('started'),
  /** A compare moved on to its next run (after switching the MPM). */
  Type.Literal('run'),
  Type.Literal('progress'),
  Type.Literal('finished'),
  Type.Literal('aborted'),
  Type.Literal('failed'),
]);
export type LoadTestPhase = Static<typeof LoadTestPhaseSchema>;
