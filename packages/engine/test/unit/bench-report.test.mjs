/** The report never prints a missed target as the target itself (bench/lib/report.mjs). */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, judgedRatio } from '../../bench/lib/report.mjs';

test('a ratio is shown to two decimals', () => {
  assert.equal(judgedRatio(0.904, 0.9), '0.90×');
  assert.equal(judgedRatio(0.8949, 0.9), '0.89×');
  assert.equal(judgedRatio(1.2, 1), '1.20×');
});

test('a miss that two decimals would round onto the target is cut to three', () => {
  assert.equal(judgedRatio(0.8996, 0.9), '0.899×');
  assert.equal(judgedRatio(0.99999, 1), '0.999×');
});

test('the summary judges the ratio itself, and shows a near miss as one', () => {
  const section = {
    kind: 'throughput',
    anchorLabel: 'cluster (2 workers)',
    rows: [{ key: 'event', label: 'Forkyard event', ratio: 0.8996, errors: 0 }],
    targets: [{ key: 'event', value: 0.9 }],
  };
  const [j] = judge(section);
  assert.equal(j.pass, false);
  assert.equal(j.measured, '0.899× cluster (2 workers)');
});
