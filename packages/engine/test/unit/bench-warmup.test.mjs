/**
 * The benchmark's warm-up ends once two slices in a row have not brought the CPU per request
 * more than WARM_STEADY (5 %) below the best slice before them, or at the most slices the plan
 * allows; and not before the contender has answered WARM_REQUESTS_PER_ISOLATE requests per isolate
 * that serves them (a server of 64 isolates settles on a first plateau before V8 has optimized
 * each of them).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WARM_PATIENCE, WARM_REQUESTS_PER_ISOLATE, WARM_STEADY, servingIsolates, warmUp, warmedUp } from '../../bench/lib/warmup.mjs';

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
  const slices = await warmUp(async () => ({ cpu: figures[ran++], requests: 1000 }), 8);
  assert.deepEqual(slices, [500, 380, 300, 296, 299]);
  assert.equal(ran, 5);
});

test('a settled figure does not end the warm-up before every isolate has served its share', () => {
  assert.equal(WARM_REQUESTS_PER_ISOLATE, 5000);
  // Flat for five slices: settled, but the floor is not reached (null) — go on.
  assert.equal(warmedUp([650, 640, 660, 650, 655], 8, null, 50), false);
  // Reached after slice 5; the rule then looks at every slice so far: the plateau is stale.
  assert.equal(warmedUp([650, 640, 660, 650, 655], 8, 5, 50), true);
  // Falling once the isolates are optimized: not yet.
  assert.equal(warmedUp([650, 640, 660, 480, 300], 8, 5, 50), false);
  // The plan's cap ends it whatever the floor.
  assert.equal(warmedUp(new Array(50).fill(650), 8, null, 50), true);
  // At most `most` slices after the floor.
  assert.equal(warmedUp([900, 800, 700, 600, 500, 400, 300, 200, 100, 50, 25], 8, 3, 50), true);
  assert.equal(warmedUp([900, 800, 700, 600, 500, 400, 300, 200, 100, 50], 8, 3, 50), false);
});

test('warmUp counts the requests answered against the isolates that answer them', async () => {
  // 64 isolates: 320,000 requests before the rule may end it; 40,000 a slice.
  const figures = [650, 640, 660, 650, 655, 500, 300, 270, 275, 272, 270, 271];
  let ran = 0;
  const slices = await warmUp(async () => ({ cpu: figures[ran++], requests: 40_000 }), 8, { isolates: 64, cap: 50 });
  assert.deepEqual(slices, [650, 640, 660, 650, 655, 500, 300, 270, 275, 272]);
  // Two isolates at the same rate: the floor is met at once, and the first plateau ends it.
  ran = 0;
  assert.deepEqual(await warmUp(async () => ({ cpu: figures[ran++], requests: 40_000 }), 8, { isolates: 2, cap: 50 }), [650, 640, 660]);
});

test('isolates that serve requests, from each kind of contender', () => {
  assert.equal(servingIsolates({ server: ['node-http'] }), 1);
  assert.equal(servingIsolates({ server: ['cluster', [64]] }), 64);
  assert.equal(servingIsolates({ server: ['thread-cluster', [2]] }), 2);
  const forkyard = (mpm, directives) => ({ server: ['forkyard', [JSON.stringify({ mpm, directives })]] });
  assert.equal(servingIsolates(forkyard('prefork', { StartServers: 64, MaxRequestWorkers: 64 })), 64);
  assert.equal(servingIsolates(forkyard('event', { StartServers: 2, ThreadsPerChild: 2, MaxRequestWorkers: 4 })), 4);
  assert.equal(servingIsolates(forkyard('worker', { StartServers: 1, ThreadsPerChild: 2 })), 2);
  assert.equal(servingIsolates({ server: ['cluster', [4]], isolates: 7 }), 7);
});
