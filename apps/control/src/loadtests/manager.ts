/**
 * Runs the control plane's load tests, one at a time unless configured otherwise. Each run is
 * @forkyard/loadgen in its own worker thread; this module only starts runs, relays their
 * once-a-second progress onto the event bus ('loadtest', forwarded to /stream), keeps the store
 * up to date and, for a compare, switches the pool's MPM between runs:
 *
 *   compare:  [switch → prefork] run ─ [switch → worker] run ─ [switch → event] run ─ [switch back]
 *
 * Every switch is awaited (the old generation has gone) before traffic starts again, and the
 * original MPM is restored whatever happened, abort and failure included.
 */

import { randomUUID } from 'node:crypto';
import { compareResults, LoadgenError, specDurationSeconds, startLoadTest, type LoadTestHandle, type LoadTestResult, type LoadTestSpec } from '@forkyard/loadgen';
import type { LoadTestKind, LoadTestProgress, LoadTestRecord, LoadTestRun, LoadTestStatus, MpmName, StreamEvent } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { ProblemError } from '../plugins/problem.js';
import type { StoredLoadTest } from '../store/loadtests.js';
import { ownAliases, ownTarget, parseStartBody, type StartRequest } from './request.js';

export const COMPARE_ORDER: readonly MpmName[] = ['prefork', 'worker', 'event'];

export interface LoadTestOptions {
  /** Targets besides the pool's own listener: `host:port`, a host, or an origin. */
  allowList?: readonly string[];
  /** Load tests that may run at once (default 1). */
  maxRunning?: number;
}

type LoadTestEvent = Extract<StreamEvent, { kind: 'loadtest' }>;

interface Active {
  id: string;
  kind: LoadTestKind;
  spec: LoadTestSpec;
  target: string;
  runs: LoadTestRun[];
  progress: LoadTestProgress | null;
  handle: LoadTestHandle | null;
  aborted: boolean;
  /** Settles once the record is final (and, for a compare, the MPM restored). */
  done: Promise<void>;
}

export class LoadTestManager {
  readonly #ctx: ControlContext;
  readonly #allowList: readonly string[];
  readonly #maxRunning: number;
  readonly #active = new Map<string, Active>();

  constructor(ctx: ControlContext, opts: LoadTestOptions = {}) {
    this.#ctx = ctx;
    this.#allowList = opts.allowList ?? [];
    this.#maxRunning = Math.max(1, opts.maxRunning ?? 1);
  }

  /** Validates a start body (every field error at once) against this pool's targets. */
  parse(body: unknown, compare: boolean): StartRequest {
    const own = ownTarget(this.#ctx.pool.address);
    if (own === null) throw new ProblemError('FY_STATE', 'the pool has no listener yet: start it before running a load test');
    return parseStartBody(body, { own, aliases: ownAliases(this.#ctx.pool.address), allowList: this.#allowList }, compare);
  }

  /** Starts a test in the background and returns its record (status 'running'). */
  start(request: StartRequest, actor: string): LoadTestRecord {
    // A compare owns the pool's MPM while it runs: it runs alone, whatever maxRunning says.
    const alone = request.compare || [...this.#active.values()].some((a) => a.kind === 'compare');
    if (this.#active.size >= this.#maxRunning || (alone && this.#active.size > 0)) {
      const ids = [...this.#active.keys()];
      throw new ProblemError('FY_BUSY', `a load test is already running (${ids.join(', ')}): wait for it to finish, or abort it with DELETE /api/v1/loadtests/${ids[0]}`);
    }
    const { pool } = this.#ctx;
    const kind: LoadTestKind = request.compare ? 'compare' : 'single';
    const id = randomUUID();
    const runs = kind === 'single' ? [this.#poolRun()] : [];
    const stored = this.#ctx.store.loadTests.insert({ id, kind, actor, scenario: request.spec.scenario, spec: request.spec, target: request.target, mpm: pool.mpm, createdAt: Date.now(), runs });
    const active: Active = { id, kind, spec: request.spec, target: request.target, runs, progress: null, handle: null, aborted: false, done: Promise.resolve() };
    this.#active.set(id, active);
    this.#emit(active, 'started', 0, pool.mpm);
    active.done = (kind === 'single' ? this.#single(active) : this.#compare(active)).finally(() => this.#active.delete(id));
    return this.#withProgress(stored, active);
  }

  get(id: string): LoadTestRecord | null {
    const stored = this.#ctx.store.loadTests.get(id);
    return stored ? this.#withProgress(stored, this.#active.get(id) ?? null) : null;
  }

  /** The id of the compare that owns the pool's MPM now, if one runs. */
  get comparing(): string | null {
    return [...this.#active.values()].find((a) => a.kind === 'compare')?.id ?? null;
  }

  get running(): string[] {
    return [...this.#active.keys()];
  }

  /** Stops all traffic of a running test (every socket closed within a second); resolves with its final record. */
  async abort(id: string): Promise<LoadTestRecord> {
    const active = this.#active.get(id);
    if (!active) {
      const stored = this.#ctx.store.loadTests.get(id);
      if (!stored) throw new ProblemError('FY_NOT_FOUND', `no load test ${id}`);
      throw new ProblemError('FY_LOADTEST_ENDED', `load test ${id} has already ended (${stored.status})`);
    }
    active.aborted = true;
    active.handle?.abort();
    await active.done;
    return this.get(id)!;
  }

  /** Aborts every running test and waits for them (the control plane is closing). */
  async close(): Promise<void> {
    const all = [...this.#active.values()];
    for (const a of all) {
      a.aborted = true;
      a.handle?.abort();
    }
    await Promise.all(all.map((a) => a.done));
  }

  #poolRun(): LoadTestRun {
    const { pool } = this.#ctx;
    return { mpm: pool.mpm, generation: pool.generation, directives: { ...pool.directives }, result: null };
  }

  #withProgress(stored: StoredLoadTest, active: Active | null): LoadTestRecord {
    return { ...stored, ...(active ? { runs: active.runs } : {}), progress: active?.progress ?? null };
  }

  async #single(active: Active): Promise<void> {
    try {
      const result = await this.#run(active, 0);
      this.#end(active, result.outcome === 'aborted' || active.aborted ? 'aborted' : 'completed', null, null);
    } catch (err) {
      this.#end(active, active.aborted ? 'aborted' : 'failed', null, errorOf(err));
    }
  }

  async #compare(active: Active): Promise<void> {
    const { pool } = this.#ctx;
    const original = pool.mpm;
    let error: { code: string; message: string } | null = null;
    try {
      for (const [i, mpm] of COMPARE_ORDER.entries()) {
        if (active.aborted) break;
        if (pool.mpm !== mpm) await pool.switchMpm(mpm);
        if (active.aborted) break;
        active.runs.push(this.#poolRun());
        this.#ctx.store.loadTests.updateRuns(active.id, active.runs);
        this.#emit(active, 'run', i, mpm);
        await this.#run(active, i);
      }
    } catch (err) {
      error = errorOf(err);
    }
    try {
      if (pool.mpm !== original) await pool.switchMpm(original);
    } catch (err) {
      const e = errorOf(err);
      error ??= { code: e.code, message: `the original MPM ${original} could not be restored: ${e.message}` };
    }
    const results = active.runs.map((r) => r.result as LoadTestResult | null).filter((r): r is LoadTestResult => r !== null);
    const comparison = results.length > 0 ? compareResults(results) : null;
    this.#end(active, active.aborted ? 'aborted' : error ? 'failed' : 'completed', comparison, error);
  }

  /** One run under the pool's current MPM; its result goes into `active.runs[index]`. */
  async #run(active: Active, index: number): Promise<LoadTestResult> {
    const run = active.runs[index]!;
    const seconds = specDurationSeconds(active.spec);
    const handle = startLoadTest(active.spec, {
      target: active.target,
      allowList: [active.target],
      id: active.kind === 'single' ? active.id : `${active.id}-${run.mpm}`,
      label: run.mpm,
      meta: { testId: active.id, mpm: run.mpm, generation: String(run.generation) },
      onProgress: (s) => {
        active.progress = { run: index, mpm: run.mpm, second: s.second, seconds, rps: s.throughput, p50: s.latencyMs?.p50 ?? null, p99: s.latencyMs?.p99 ?? null, errors: s.errors.total };
        this.#emit(active, 'progress', index, run.mpm, { second: s.second, seconds, rps: s.throughput, p50: s.latencyMs?.p50 ?? null, p99: s.latencyMs?.p99 ?? null, errors: s.errors.total, inFlight: s.inFlight, connections: s.connections });
      },
    });
    active.handle = handle;
    if (active.aborted) handle.abort();
    try {
      const result = await handle.done;
      run.result = result;
      this.#ctx.store.loadTests.updateRuns(active.id, active.runs);
      return result;
    } finally {
      active.handle = null;
    }
  }

  #end(active: Active, status: Exclude<LoadTestStatus, 'running'>, comparison: unknown, error: { code: string; message: string } | null): void {
    active.progress = null;
    this.#ctx.store.loadTests.end(active.id, { status, endedAt: Date.now(), runs: active.runs, comparison, error });
    const last = active.runs[active.runs.length - 1];
    const phase = status === 'completed' ? 'finished' : status;
    this.#emit(active, phase, Math.max(0, active.runs.length - 1), last?.mpm ?? this.#ctx.pool.mpm, error ? { message: error.message } : {});
  }

  #emit(active: Active, phase: LoadTestEvent['phase'], run: number, mpm: MpmName, extra: Partial<LoadTestEvent> = {}): void {
    const event: LoadTestEvent = { kind: 'loadtest', at: Date.now(), id: active.id, phase, testKind: active.kind, scenario: active.spec.scenario, run, mpm, ...extra };
    this.#ctx.events.emit('loadtest', event);
  }
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof LoadgenError) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: unknown };
  return { code: typeof e.code === 'string' ? e.code : 'FY_LOADTEST_FAILED', message: typeof e.message === 'string' ? e.message : String(err) };
}
