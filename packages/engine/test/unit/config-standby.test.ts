/** `standby` in a pool's config: true, false, or the most standbys to keep; anything else is refused by name. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STANDBYS, MOST_STANDBYS, PoolConfigError, resolveConfig, type PoolConfig } from '../../src/primary/config.js';

const most = (standby: unknown): number => resolveConfig({ mpm: 'prefork', standby } as PoolConfig).standby;

test('omitted or true: the default most; false: none; a count: that many', () => {
  assert.equal(most(undefined), DEFAULT_STANDBYS);
  assert.equal(most(true), DEFAULT_STANDBYS);
  assert.equal(most(false), 0);
  assert.equal(most(0), 0);
  assert.equal(most(1), 1);
  assert.equal(most(MOST_STANDBYS), MOST_STANDBYS);
});

test('a count out of range, a fraction or a word is a FY_CONFIG error on the field standby', () => {
  for (const bad of [MOST_STANDBYS + 1, -1, 1.5, 'many', 'true']) {
    assert.throws(
      () => most(bad),
      (err: unknown) => err instanceof PoolConfigError && err.errors.some((e) => e.field === 'standby' && e.code === 'FY_CONFIG' && e.message.includes(JSON.stringify(bad))),
      `standby ${JSON.stringify(bad)}`,
    );
  }
});
