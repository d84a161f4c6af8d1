/** compareResults: one column per run, one row per figure, the best value marked. Pure. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareResults, DEFAULTS, emptyErrorCounts, type LoadTestResult } from '@forkyard/loadgen';

function result(label: string, throughput: number, p99: number, errors = 0, over: Partial<LoadTestResult> = {}): LoadTestResult {
  const errorsByKind = { ...emptyErrorCounts(), total: errors, reset: errors };
  return {
    version: 1,
    id: `id-${label}`,
    label,
    meta: { mpm: label },
    spec: { ...DEFAULTS.hello },
    target: 'http://127.0.0.1:8080',
    outcome: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    timeline: [],
    summary: {
      requests: throughput * 10,
      errors,
      errorsByKind,
      unanswered: 0,
      bytes: throughput * 200,
      durationMs: 10_000,
      throughput,
      latencyMs: { min: 1, mean: p99 / 4, stddev: 1, p50: p99 / 5, p90: p99 / 2, p99, p99_9: p99 * 2, max: p99 * 3 },
    },
    ...over,
  };
}

test('runs side by side, best value per row by its direction', () => {
  const table = compareResults([result('prefork', 900, 40, 3), result('worker', 1200, 25), result('event', 1500, 30)]);
  assert.deepEqual(
    table.columns.map((c) => c.label),
    ['prefork', 'worker', 'event'],
  );
  const row = (key: string) => table.rows.find((r) => r.key === key);
  assert.deepEqual(row('throughput')?.values, [900, 1200, 1500]);
  assert.equal(row('throughput')?.best, 2);
  assert.equal(row('p99')?.best, 1);
  assert.equal(row('errors')?.best, 1, 'a tie for the best value marks the first of them');
  assert.equal(row('errorRate')?.values[0], Math.round((3 / 9003) * 10_000) / 100);
  assert.equal(row('idlePeakOpen'), undefined, 'no run has idle figures: no row');
  assert.deepEqual(table.warnings, []);
});

test('different specs and aborted runs are warned about; missing figures are null', () => {
  const empty = result('aborted', 0, 0, 0, { outcome: 'aborted' });
  empty.summary.latencyMs = null;
  const table = compareResults([result('a', 100, 10), { ...result('b', 100, 10), spec: { ...DEFAULTS.hello, connections: 64 } }, empty]);
  assert.equal(table.warnings.length, 2);
  assert.equal(table.rows.find((r) => r.key === 'p50')?.values[2], null);
  assert.equal(table.rows.find((r) => r.key === 'p50')?.best, null, 'equal values are no best');
});
