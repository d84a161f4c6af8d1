/**
 * The samples a chart plots: no more than its width can show. Ten minutes at one sample a
 * second is 600 points on a plot a few hundred pixels wide, and recharts' redraw grows with the
 * points (measured in bench/frame-time.mjs: 11 ms with 15 samples, 20 ms with 600). Samples fall
 * into buckets of whole seconds on the clock, so a bucket keeps its points from one redraw to
 * the next and the line does not shimmer as the window slides.
 */
import type { HistorySample } from './history.js';

/**
 * Each bucket keeps its samples with the lowest and the highest value of `key`, in time order:
 * a spike or a dip survives, and each kept sample is whole, so a stack still adds up. A sample
 * without a value (a gap in the stream) is kept too, so the gap still shows.
 */
export function plotPoints(samples: readonly HistorySample[], key: keyof HistorySample, bucketMs: number): readonly HistorySample[] {
  if (bucketMs <= 0 || samples.length <= 2) return samples;
  const out: HistorySample[] = [];
  let i = 0;
  while (i < samples.length) {
    const bucket = Math.floor(samples[i]!.t / bucketMs);
    let lo = i;
    let hi = i;
    let gap = -1;
    let j = i;
    for (; j < samples.length && Math.floor(samples[j]!.t / bucketMs) === bucket; j++) {
      const v = samples[j]![key];
      if (v === null) {
        if (gap < 0) gap = j;
        continue;
      }
      if (samples[lo]![key] === null || v < (samples[lo]![key] as number)) lo = j;
      if (samples[hi]![key] === null || v > (samples[hi]![key] as number)) hi = j;
    }
    for (const k of [...new Set([lo, hi, gap])].filter((k) => k >= 0).sort((a, b) => a - b)) out.push(samples[k]!);
    i = j;
  }
  return out.length < samples.length ? out : samples;
}

/** The bucket for a plot `width` pixels wide showing `windowMs`: about `pxPerBucket` pixels each, in whole seconds. */
export function bucketFor(windowMs: number, width: number, pxPerBucket = 4): number {
  if (width <= 0) return 0;
  return Math.max(1, Math.round((windowMs / width) * pxPerBucket / 1000)) * 1000;
}
