/**
 * The benchmark's warm-up ends once two slices in a row have not brought the CPU per request
 * more than WARM_STEADY (5 %) below the best slice before them, or at the most slices the plan
 * allows.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WARM_PATIENCE, WARM_STEADY, warmUp, warmedUp } from '../../bench/lib/warmup.mjs';

test('two slices are never enough: nothing to show the figure has stopped falling twice', () => {
  assert.equal(WARM_PATIENCE, 2);
  assert.equal(warmedUp([], 8), false);
  assert.equal(warmedUp([300], 8), false);
  assert.equal(warmedUp([300, 300], 8), false);
});

test('goes on while CPU per request falls by more than WARM_STEADY', () => {
  assert.equal(WARM_STEADY, 0.05);
  assert.equal(warmedUp([900, 650, 350], 8), false);
  assert.equal(warmedUp([900, 650, 350, 320, 300], 8), false);
});

test('one slow slice does not end it: the next may still fall', () => {
  assert.equal(warmedUp([950, 800, 430, 390, 480], 8), false);
  assert.equal(warmedUp([950, 800, 430, 390, 480, 330], 8), false);
});

test('ends after two slices in a row no more than WARM_STEADY below the best before them', () => {
  assert.equal(warmedUp([800, 400, 260, 250, 284], 8), true);
  assert.equal(warmedUp([400, 300, 290, 286], 8), true);
  // 285 is exactly 5 % below 300: not progress.
  assert.equal(warmedUp([400, 300, 285, 290], 8), true);
});

test('ends at the most slices however the figures move', () => {
  assert.equal(warmedUp([800, 600, 400], 3), true);
  assert.equal(warmedUp([800], 1), true);
});

test('a slice that answered nothing ends nothing early', () => {
  assert.equal(warmedUp([300, 300, null], 8), false);
  assert.equal(warmedUp([300, 300, null, 300], 8), false);
  assert.equal(warmedUp([300, 300, null, 300, 300], 8), true);
  assert.equal(warmedUp([300, null, null], 3), true);
});

test('warmUp runs slices until settled and returns their figures', async () => {
  const figures = [500, 380, 300, 296, 299, 100];
  let ran = 0;
  const slices = await warmUp(async () => figures[ran++], 8);
  assert.deepEqual(slices, [500, 380, 300, 296, 299]);
  assert.equal(ran, 5);
});
