/**
 * The pace of an event/worker listener's look at its threads (src/child/listener.ts
 * nextTickMs): every 20 ms while looks find something to do, slowing by half with each look
 * that finds nothing, to 320 ms at the slowest.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextTickMs } from '../../src/child/listener.js';

test('a look that finds something keeps (or brings back) the 20 ms pace', () => {
  assert.equal(nextTickMs(20, true), 20);
  assert.equal(nextTickMs(320, true), 20);
});

test('looks that find nothing wait twice as long each time, up to 320 ms', () => {
  const paces: number[] = [];
  let ms = 20;
  for (let i = 0; i < 7; i++) paces.push((ms = nextTickMs(ms, false)));
  assert.deepEqual(paces, [40, 80, 160, 320, 320, 320, 320]);
});
