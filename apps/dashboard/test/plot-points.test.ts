import { describe, expect, it } from 'vitest';
import type { HistorySample } from '../src/lib/history.js';
import { bucketFor, plotPoints } from '../src/lib/plot-points.js';

const sample = (t: number, rps: number | null, busy = 0): HistorySample => ({ t, rps, busy, idle: 64 - busy, graceful: 0, currentGeneration: 2, olderGenerations: 0, keepAlive: 0, acceptQueue: 0 });

describe('plotPoints', () => {
  it('keeps each bucket\'s lowest and highest sample, in time order', () => {
    const s = [sample(0, 5), sample(1000, 9), sample(2000, 1), sample(3000, 4), sample(4000, 7), sample(5000, 7)];
    const kept = plotPoints(s, 'rps', 3000);
    expect(kept.map((p) => p.t)).toEqual([1000, 2000, 3000, 4000]);
  });

  it('keeps a spike that lasted one sample', () => {
    const s = Array.from({ length: 600 }, (_, i) => sample(i * 1000, i === 377 ? 9000 : 100));
    const kept = plotPoints(s, 'rps', 4000);
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.some((p) => p.rps === 9000)).toBe(true);
  });

  it('keeps a gap (a sample without a value)', () => {
    const s = [sample(0, 5), sample(1000, null), sample(2000, 6), sample(3000, 8)];
    expect(plotPoints(s, 'rps', 4000).map((p) => p.rps)).toEqual([5, null, 8]);
  });

  it('keeps whole samples, so a stack still adds up', () => {
    const s = Array.from({ length: 60 }, (_, i) => sample(i * 1000, 1, i % 7));
    for (const p of plotPoints(s, 'busy', 5000)) expect(p.busy + p.idle).toBe(64);
  });

  it('buckets on the clock: a sample stays in its bucket as the window slides', () => {
    const s = Array.from({ length: 30 }, (_, i) => sample(i * 1000, (i * 7) % 11));
    const before = plotPoints(s.slice(0, 20), 'rps', 5000).filter((p) => p.t < 15_000);
    const after = plotPoints(s.slice(3), 'rps', 5000).filter((p) => p.t >= 5000 && p.t < 15_000);
    expect(after).toEqual(before.filter((p) => p.t >= 5000));
  });

  it('returns the samples themselves when there is nothing to thin', () => {
    const s = [sample(0, 1), sample(5000, 2), sample(10_000, 3)];
    expect(plotPoints(s, 'rps', 1000)).toBe(s);
  });
});

describe('bucketFor', () => {
  it('gives whole seconds of about four pixels', () => {
    expect(bucketFor(600_000, 400)).toBe(6000);
    expect(bucketFor(600_000, 2400)).toBe(1000);
    expect(bucketFor(600_000, 0)).toBe(0);
  });
});
