/**
 * Load-test runs in the store (migration 2): a row is written when a test starts, its runs are
 * rewritten as each one ends, and its status, result and comparison when the test ends. Rows
 * left 'running' by a process that stopped mid-test are marked failed on the next start.
 */

import type Database from 'better-sqlite3';
import type { LoadTestKind, LoadTestRecord, LoadTestRun, LoadTestStatus, LoadTestSummary, MpmName } from '@forkyard/protocol';

/** What a new row needs; the rest starts empty. */
export interface NewLoadTest {
  id: string;
  kind: LoadTestKind;
  actor: string;
  scenario: string;
  spec: unknown;
  target: string;
  mpm: MpmName;
  createdAt: number;
  runs: LoadTestRun[];
}

/** A stored record: everything but live progress. */
export type StoredLoadTest = Omit<LoadTestRecord, 'progress'>;

interface Row {
  seq: number;
  id: string;
  kind: string;
  status: string;
  actor: string;
  scenario: string;
  spec: string;
  target: string;
  mpm: string;
  created_at: number;
  ended_at: number | null;
  runs: string;
  comparison: string | null;
  error: string | null;
}

export class LoadTestTable {
  readonly #insert: Database.Statement<[string, string, string, string, string, string, string, number, string]>;
  readonly #runs: Database.Statement<[string, string]>;
  readonly #end: Database.Statement<[string, number, string, string | null, string | null, string]>;
  readonly #get: Database.Statement<[string], Row>;
  readonly #page: Database.Statement<[number, number], Row>;
  readonly #interrupted: Database.Statement<[number, string]>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare("INSERT INTO loadtests (id, kind, status, actor, scenario, spec, target, mpm, created_at, runs) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)");
    this.#runs = db.prepare('UPDATE loadtests SET runs = ? WHERE id = ?');
    this.#end = db.prepare('UPDATE loadtests SET status = ?, ended_at = ?, runs = ?, comparison = ?, error = ? WHERE id = ?');
    this.#get = db.prepare('SELECT * FROM loadtests WHERE id = ?');
    this.#page = db.prepare('SELECT * FROM loadtests WHERE seq < ? ORDER BY seq DESC LIMIT ?');
    this.#interrupted = db.prepare("UPDATE loadtests SET status = 'failed', ended_at = ?, error = ? WHERE status = 'running'");
  }

  insert(t: NewLoadTest): StoredLoadTest {
    this.#insert.run(t.id, t.kind, t.actor, t.scenario, JSON.stringify(t.spec), t.target, t.mpm, t.createdAt, JSON.stringify(t.runs));
    return this.get(t.id)!;
  }

  updateRuns(id: string, runs: readonly LoadTestRun[]): void {
    this.#runs.run(JSON.stringify(runs), id);
  }

  end(id: string, end: { status: Exclude<LoadTestStatus, 'running'>; endedAt: number; runs: readonly LoadTestRun[]; comparison: unknown; error: { code: string; message: string } | null }): StoredLoadTest {
    this.#end.run(end.status, end.endedAt, JSON.stringify(end.runs), end.comparison == null ? null : JSON.stringify(end.comparison), end.error ? JSON.stringify(end.error) : null, id);
    return this.get(id)!;
  }

  get(id: string): StoredLoadTest | null {
    const row = this.#get.get(id);
    return row ? fromRow(row) : null;
  }

  /** Newest first; `before` is a `seq` from a previous page. */
  page(limit: number, before?: number): { tests: LoadTestSummary[]; next: number | null } {
    const rows = this.#page.all(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const tests = rows.slice(0, limit).map((r) => summarize(fromRow(r)));
    return { tests, next: rows.length > limit ? tests[tests.length - 1]!.seq : null };
  }

  /** Tests a previous process left running can never finish: they are failed. */
  failInterrupted(now: number): number {
    const error = { code: 'FY_LOADTEST_INTERRUPTED', message: 'the control plane stopped while the load test ran' };
    return this.#interrupted.run(now, JSON.stringify(error)).changes;
  }
}

function fromRow(row: Row): StoredLoadTest {
  const runs = JSON.parse(row.runs) as LoadTestRun[];
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind as LoadTestKind,
    status: row.status as LoadTestStatus,
    actor: row.actor,
    scenario: row.scenario,
    spec: JSON.parse(row.spec) as unknown,
    target: row.target,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    mpm: row.mpm as MpmName,
    runs,
    result: row.kind === 'single' ? (runs[0]?.result ?? null) : null,
    comparison: row.comparison === null ? null : (JSON.parse(row.comparison) as unknown),
    error: row.error === null ? null : (JSON.parse(row.error) as { code: string; message: string }),
  };
}

interface ResultFigures {
  outcome?: string;
  summary?: { requests?: number; throughput?: number; errors?: number; latencyMs?: { p50?: number; p99?: number } | null };
}

function summarize(t: StoredLoadTest): LoadTestSummary {
  const { runs, result: _result, comparison: _comparison, ...rest } = t;
  return {
    ...rest,
    runs: runs.map((run) => {
      const r = (run.result ?? null) as ResultFigures | null;
      const s = r?.summary;
      return {
        mpm: run.mpm,
        outcome: r?.outcome ?? null,
        requests: s?.requests ?? null,
        throughput: s?.throughput ?? null,
        errors: s?.errors ?? null,
        p50: s?.latencyMs?.p50 ?? null,
        p99: s?.latencyMs?.p99 ?? null,
      };
    }),
  };
}
