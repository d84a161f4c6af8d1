/**
 * needsNewGeneration: which changes need new children (the MPM, or a directive fixed in a
 * running child that applies to the MPM) and which apply in place.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsNewGeneration } from '../../src/primary/changes.js';
import { resolveConfig, type PoolConfig } from '../../src/primary/config.js';

interface Row {
  name: string;
  from: PoolConfig;
  to: PoolConfig;
  expected: boolean;
}

const THREADED = { ThreadsPerChild: 4, ServerLimit: 16, MaxRequestWorkers: 32, MinSpareThreads: 4, MaxSpareThreads: 16 };

const rows: Row[] = [
  { name: 'prefork → worker (MPM change)', from: { mpm: 'prefork' }, to: { mpm: 'worker' }, expected: true },
  { name: 'event → prefork (MPM change)', from: { mpm: 'event', directives: THREADED }, to: { mpm: 'prefork', directives: THREADED }, expected: true },
  { name: 'worker: ThreadsPerChild 4 → 8', from: { mpm: 'worker', directives: THREADED }, to: { mpm: 'worker', directives: { ...THREADED, ThreadsPerChild: 8 } }, expected: true },
  { name: 'event: ThreadsPerChild 4 → 8', from: { mpm: 'event', directives: THREADED }, to: { mpm: 'event', directives: { ...THREADED, ThreadsPerChild: 8 } }, expected: true },
  { name: 'prefork: ThreadsPerChild 4 → 8 (does not apply)', from: { mpm: 'prefork', directives: THREADED }, to: { mpm: 'prefork', directives: { ...THREADED, ThreadsPerChild: 8 } }, expected: false },
  { name: 'worker: MaxSpareThreads 16 → 40', from: { mpm: 'worker', directives: THREADED }, to: { mpm: 'worker', directives: { ...THREADED, MaxSpareThreads: 40 } }, expected: false },
  { name: 'prefork: KeepAliveTimeout 5 → 1', from: { mpm: 'prefork' }, to: { mpm: 'prefork', directives: { KeepAliveTimeout: 1 } }, expected: false },
  { name: 'event: KeepAliveTimeout 5 → 1', from: { mpm: 'event', directives: THREADED }, to: { mpm: 'event', directives: { ...THREADED, KeepAliveTimeout: 1 } }, expected: false },
  { name: 'prefork: MaxRequestWorkers 256 → 64', from: { mpm: 'prefork' }, to: { mpm: 'prefork', directives: { MaxRequestWorkers: 64 } }, expected: false },
  { name: 'event: MaxRequestWorkers 32 → 64 within ServerLimit', from: { mpm: 'event', directives: THREADED }, to: { mpm: 'event', directives: { ...THREADED, MaxRequestWorkers: 64 } }, expected: false },
  { name: 'prefork: MaxSpareServers 10 → 3', from: { mpm: 'prefork' }, to: { mpm: 'prefork', directives: { MaxSpareServers: 3 } }, expected: false },
  { name: 'no change at all', from: { mpm: 'worker', directives: THREADED }, to: { mpm: 'worker', directives: THREADED }, expected: false },
];

describe('needsNewGeneration', () => {
  for (const row of rows) {
    it(`${row.name}: ${row.expected ? 'new generation' : 'in place'}`, () => {
      const prev = resolveConfig(row.from);
      const next = resolveConfig(row.to);
      assert.equal(needsNewGeneration(prev, next), row.expected);
    });
  }

  it('prefork: a directive that does not apply is ignored even when its value differs', () => {
    const prev = resolveConfig({ mpm: 'prefork', directives: THREADED });
    // httpd's adjustments pin ThreadsPerChild under prefork; change it behind them.
    const next = { ...prev, directives: { ...prev.directives, ThreadsPerChild: prev.directives.ThreadsPerChild + 7, ThreadLimit: prev.directives.ThreadLimit + 7 } };
    assert.equal(needsNewGeneration(prev, next), false);
    const worker = resolveConfig({ mpm: 'worker', directives: THREADED });
    assert.equal(needsNewGeneration(worker, { ...worker, directives: { ...worker.directives, ThreadsPerChild: worker.directives.ThreadsPerChild + 1 } }), true);
  });

  it('an in-place change does differ: KeepAliveTimeout 5 → 1 and MaxSpareThreads really change', () => {
    assert.notEqual(resolveConfig({ mpm: 'prefork' }).directives.KeepAliveTimeout, resolveConfig({ mpm: 'prefork', directives: { KeepAliveTimeout: 1 } }).directives.KeepAliveTimeout);
    const a = resolveConfig({ mpm: 'worker', directives: THREADED }).directives.MaxSpareThreads;
    const b = resolveConfig({ mpm: 'worker', directives: { ...THREADED, MaxSpareThreads: 40 } }).directives.MaxSpareThreads;
    assert.notEqual(a, b);
  });
});
