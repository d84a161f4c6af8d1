/**
 * How many standbys the pool keeps: one, and one more for each child made within the demand
 * window that found no booted standby, up to the most configured (3 by default); the count
 * falls back once those children are older than the window.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STANDBYS } from '../../src/primary/config.js';
import { STANDBY_DEMAND_WINDOW_MS, standbyDepth as depth } from '../../src/primary/standby.js';

const MAX_STANDBYS = DEFAULT_STANDBYS;
const standbyDepth = (starved: number[], at: number): number => depth(starved, at, MAX_STANDBYS);

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

test('the most configured caps it: 1 keeps exactly one, 0 none', () => {
  const burst = [now - 30, now - 20, now - 10];
  assert.equal(depth(burst, now, 1), 1);
  assert.equal(depth(burst, now, 0), 0);
  assert.equal(depth(burst, now, 8), 4);
});
