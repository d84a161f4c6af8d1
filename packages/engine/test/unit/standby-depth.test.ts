/**
 * How many standbys the pool keeps: one, and one more for each child made within the demand
 * window that found no booted standby, up to MAX_STANDBYS; the count falls back once those
 * children are older than the window.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_STANDBYS, STANDBY_DEMAND_WINDOW_MS, standbyDepth } from '../../src/primary/standby.js';

const now = 1_000_000;

test('one standby when every child found one booted', () => {
  assert.equal(standbyDepth([], now), 1);
});

test('one more for each child made without a booted standby within the window', () => {
  assert.equal(standbyDepth([now - 500], now), 2);
  assert.equal(MAX_STANDBYS > 2, true, 'the cap is above two, or the next line tests the cap instead');
  assert.equal(standbyDepth([now - 500, now - 100], now), 3);
});

test('never more than MAX_STANDBYS, however fast children come', () => {
  const burst = Array.from({ length: 50 }, (_, i) => now - i * 10);
  assert.equal(standbyDepth(burst, now), MAX_STANDBYS);
});

test('children older than the window no longer count', () => {
  assert.equal(standbyDepth([now - STANDBY_DEMAND_WINDOW_MS, now - STANDBY_DEMAND_WINDOW_MS - 1], now), 1);
  assert.equal(standbyDepth([now - STANDBY_DEMAND_WINDOW_MS + 1, now - STANDBY_DEMAND_WINDOW_MS - 5000], now), 2);
});
