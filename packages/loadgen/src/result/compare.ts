/**
 * `compareResults`: stored results side by side (one column per run, typically the same
 * scenario under prefork, worker and event), one row per figure, the best value of each row
 * marked. Pure: the dashboard and the CLI only render the table.
 */

import type { LoadTestResult, Summary } from './types.js';

export interface ComparisonColumn {
  id: string;
  /** The result's label, or its scenario and mode when it has none. */
  label: string;
  scenario: string;
  mode: string;
  outcome: string;
  startedAt: string;
}

export interface ComparisonRow {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  /** One per column; null where the run has no such figure. */
  values: Array<number | null>;
  /** Column index of the best value; null if no run has one, or all are equal. */
  best: number | null;
}

export interface ComparisonTable {
  columns: ComparisonColumn[];
  rows: ComparisonRow[];
  /** Why the runs may not be comparable (different specs, aborted runs). */
  warnings: string[];
}

type RowSpec = Omit<ComparisonRow, 'values' | 'best'> & { pick: (r: LoadTestResult) => number | null };

const latency = (pick: (l: NonNullable<Summary['latencyMs']>) => number) => (r: LoadTestResult) =>
  r.summary.latencyMs ? pick(r.summary.latencyMs) : null;

const ROWS: RowSpec[] = [
  { key: 'throughput', label: 'Throughput', unit: 'req/s', better: 'higher', pick: (r) => r.summary.throughput },
  { key: 'requests', label: 'Requests answered', unit: 'requests', better: 'higher', pick: (r) => r.summary.requests },
  { key: 'errors', label: 'Errors', unit: 'requests', better: 'lower', pick: (r) => r.summary.errors },
  {
    key: 'errorRate',
    label: 'Error rate',
    unit: '%',
    better: 'lower',
    pick: (r) => {
      const attempts = r.summary.requests + r.summary.errors - sumStatus(r);
      return attempts > 0 ? Math.round((r.summary.errors / attempts) * 10_000) / 100 : null;
    },
  },
  { key: 'p50', label: 'Latency p50', unit: 'ms', better: 'lower', pick: latency((l) => l.p50) },
  { key: 'p90', label: 'Latency p90', unit: 'ms', better: 'lower', pick: latency((l) => l.p90) },
  { key: 'p99', label: 'Latency p99', unit: 'ms', better: 'lower', pick: latency((l) => l.p99) },
  { key: 'p99_9', label: 'Latency p99.9', unit: 'ms', better: 'lower', pick: latency((l) => l.p99_9) },
  { key: 'max', label: 'Latency max', unit: 'ms', better: 'lower', pick: latency((l) => l.max) },
  { key: 'bytes', label: 'Bytes received', unit: 'bytes', better: 'higher', pick: (r) => r.summary.bytes },
  { key: 'idlePeakOpen', label: 'Idle connections held (peak)', unit: 'connections', better: 'higher', pick: (r) => r.idle?.peakOpen ?? null },
];

/** Non-2xx answers are both answered and errors: they must not count twice as attempts. */
function sumStatus(r: LoadTestResult): number {
  return Object.values(r.summary.errorsByKind.status).reduce((a, b) => a + b, 0);
}

function bestIndex(values: Array<number | null>, better: 'higher' | 'lower'): number | null {
  let best: number | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const current = best === null ? null : values[best];
    if (current === null || current === undefined || (better === 'higher' ? v > current : v < current)) best = i;
  }
  if (best === null) return null;
  const present = values.filter((v): v is number => v !== null);
  return present.length > 1 && present.every((v) => v === present[0]) ? null : best;
}

/** A spec with its identity-free fields, for "same test?" checks. */
const specKey = (r: LoadTestResult): string => JSON.stringify(r.spec, Object.keys(r.spec).sort());

export function compareResults(results: readonly LoadTestResult[]): ComparisonTable {
  const columns = results.map((r) => ({
    id: r.id,
    label: r.label || `${r.spec.scenario}${'mode' in r.spec ? ` (${r.spec.mode})` : ''}`,
    scenario: r.spec.scenario,
    mode: 'mode' in r.spec ? r.spec.mode : 'open',
    outcome: r.outcome,
    startedAt: r.startedAt,
  }));
  const rows = ROWS.flatMap(({ pick, ...row }) => {
    const values = results.map(pick);
    if (values.every((v) => v === null)) return [];
    return [{ ...row, values, best: bestIndex(values, row.better) }];
  });
  const warnings: string[] = [];
  if (new Set(results.map(specKey)).size > 1) warnings.push('the runs do not share one spec: figures may not be comparable');
  for (const r of results) if (r.outcome === 'aborted') warnings.push(`run ${columns[results.indexOf(r)]?.label ?? r.id} was aborted`);
  return { columns, rows, warnings };
}
