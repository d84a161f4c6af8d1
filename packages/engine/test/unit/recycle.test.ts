/**
 * recycleLimit: MaxConnectionsPerChild with spacing, so children started together do not all
 * recycle at the same moment. 0 stays "never", 1 stays exactly 1, larger N gets up to a
 * quarter more, varying by slot.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recycleLimit } from '../../src/primary/children.js';

const SLOTS = Array.from({ length: 16 }, (_, i) => i);

describe('recycleLimit', () => {
  it('MaxConnectionsPerChild 0 means never, for every slot', () => {
    assert.deepEqual(SLOTS.map((s) => recycleLimit(0, s)), Array(16).fill(0));
  });

  it('MaxConnectionsPerChild 1 is exactly 1 for every slot (one connection per child)', () => {
    assert.deepEqual(SLOTS.map((s) => recycleLimit(1, s)), Array(16).fill(1));
  });

  it('MaxConnectionsPerChild 100 gives 100 to 125, not the same for every slot', () => {
    const limits = SLOTS.map((s) => recycleLimit(100, s));
    for (const [slot, n] of limits.entries()) {
      assert.ok(Number.isInteger(n) && n >= 100 && n <= 125, `slot ${slot}: ${n}`);
    }
    assert.ok(new Set(limits).size > 1, `spread across slots: ${limits.join(', ')}`);
    assert.ok(new Set(limits).size >= 8, `well spread across 16 slots: ${limits.join(', ')}`);
  });

  it('is a pure function of (N, slot)', () => {
    assert.deepEqual(SLOTS.map((s) => recycleLimit(100, s)), SLOTS.map((s) => recycleLimit(100, s)));
    assert.equal(recycleLimit(-5, 3), 0, 'a negative value is treated as no limit');
  });
});
