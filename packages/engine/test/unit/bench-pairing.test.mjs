/**
 * A throughput comparison runs every contender between two anchor runs and judges it by its
 * req/s over their mean (bench/lib/pairing.mjs).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bracketedRatios, roundOrder } from '../../bench/lib/pairing.mjs';

test('a round puts the anchor first, last and between every two contenders', () => {
  assert.deepEqual(roundOrder(3, 0), [-1, 0, -1, 1, -1, 2, -1]);
  assert.deepEqual(roundOrder(1, 4), [-1, 0, -1]);
  assert.deepEqual(roundOrder(0, 0), [-1]);
});

test('the contenders rotate from round to round, so none always follows the same one', () => {
  assert.deepEqual(roundOrder(3, 1), [-1, 1, -1, 2, -1, 0, -1]);
  assert.deepEqual(roundOrder(3, 2), [-1, 2, -1, 0, -1, 1, -1]);
  assert.deepEqual(roundOrder(3, 3), roundOrder(3, 0));
});

test('each contender run is judged against the mean of the anchor runs on either side of it', () => {
  const order = roundOrder(2, 1); // A c1 A c0 A
  // The machine slows down halfway: the anchor falls from 40,000 to 20,000 req/s.
  const rps = [40_000, 36_000, 30_000, 18_000, 20_000];
  assert.deepEqual(bracketedRatios(order, rps), [
    { index: 1, ratio: 36_000 / 35_000 },
    { index: 0, ratio: 18_000 / 25_000 },
  ]);
});

test('a slow phase moves a contender and the anchor runs beside it alike, so the ratio stays', () => {
  const order = roundOrder(1, 0);
  assert.equal(bracketedRatios(order, [30_000, 27_000, 30_000])[0].ratio, 0.9);
  assert.equal(bracketedRatios(order, [15_000, 13_500, 15_000])[0].ratio, 0.9);
});

test('an anchor run that answered nothing leaves the other beside it; with neither there is no ratio', () => {
  const order = roundOrder(1, 0);
  assert.equal(bracketedRatios(order, [0, 27_000, 30_000])[0].ratio, 0.9);
  assert.ok(Number.isNaN(bracketedRatios(order, [0, 27_000, 0])[0].ratio));
});
