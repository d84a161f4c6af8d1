import { describe, expect, it } from 'vitest';
import type { HistorySample } from '../src/lib/history.js';
import { bucketFor, plotPoints } from '../src/lib/plot-points.js';

const sample = (t: number, rps: number | null, busy = 0, graceful = 0): HistorySample => ({ t, rps, busy, idle: 64 - busy - graceful, graceful, currentGeneration: 2, olderGenerations: 0, keepAlive: 0, acceptQueue: 0 });
const times = (s: readonly HistorySample[]): number[] => s.map((p) => p.t);

describe('plotPoints', () => {
  it('keeps each bucket\'s lowest and highest sample, in time order, and the first and newest', () => {
    const s = [sample(0, 5), sample(1000, 9), sample(2000, 1), sample(3000, 4), sample(4000, 7), sample(5000, 6), sample(6000, 8), sample(7000, 3)];
    expect(times(plotPoints(s, ['rps'], 3000))).toEqual([0, 1000, 2000, 3000, 4000, 6000, 7000]);
  });

  it('keeps a spike that lasted one sample', () => {
    const s = Array.from({ length: 600 }, (_, i) => sample(i * 1000, i === 377 ? 9000 : 100));
    const kept = plotPoints(s, ['rps'], 4000);
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.some((p) => p.rps === 9000)).toBe(true);
  });

  it('keeps a blip of any series of a stack, not only of the first', () => {
    // busy is flat; graceful rises for one sample (a generation finishing).
    const s = Array.from({ length: 120 }, (_, i) => sample(i * 1000, 1, 10, i === 61 ? 30 : 0));
    const kept = plotPoints(s, ['busy', 'idle', 'graceful'], 10_000);
    expect(kept.length).toBeLessThan(40);
    expect(kept.find((p) => p.graceful === 30)?.t).toBe(61_000);
    expect(plotPoints(s, ['busy'], 10_000).some((p) => p.graceful === 30)).toBe(false);
  });

  it('keeps the newest sample, where the time axis ends', () => {
    const s = Array.from({ length: 100 }, (_, i) => sample(i * 1000, 50 - (i % 5)));
    expect(plotPoints(s, ['rps'], 10_000).at(-1)).toBe(s.at(-1));
  });

  it('keeps a gap (a sample without a value)', () => {
    const s = [sample(0, 5), sample(1000, 7), sample(2000, null), sample(3000, 6), sample(4000, 8), sample(5000, 2), sample(9000, 1)];
    expect(plotPoints(s, ['rps'], 6000).map((p) => p.rps)).toEqual([5, null, 8, 2, 1]);
  });

  it('buckets on the clock: a sample stays in its bucket as the window slides', () => {
    const s = Array.from({ length: 30 }, (_, i) => sample(i * 1000, (i * 7) % 11));
    const inside = (kept: readonly HistorySample[]) => times(kept).filter((t) => t >= 5000 && t < 15_000);
    expect(inside(plotPoints(s.slice(3), ['rps'], 5000))).toEqual(inside(plotPoints(s.slice(0, 20), ['rps'], 5000)));
  });

  it('returns the samples themselves when there is nothing to thin or no bucket to thin by', () => {
    const s = [sample(0, 1), sample(5000, 2), sample(10_000, 3), sample(15_000, 4)];
    expect(plotPoints(s, ['rps'], 1000)).toBe(s);
    expect(plotPoints(s, ['rps'], 0)).toBe(s);
    expect(plotPoints(s, ['rps'], Number.NaN)).toBe(s);
    expect(plotPoints([], ['rps'], 1000)).toEqual([]);
  });
});

describe('bucketFor', () => {
  it('gives whole seconds of about four pixels, and 0 without a width', () => {
    expect(bucketFor(600_000, 400)).toBe(6000);
    expect(bucketFor(600_000, 2400)).toBe(1000);
    expect(bucketFor(600_000, 0)).toBe(0);
    expect(bucketFor(600_000, Number.NaN)).toBe(0);
  });
});
