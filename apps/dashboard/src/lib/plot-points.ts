/**
 * The samples a chart plots: no more than its width can show. Ten minutes at one sample a
 * second is 600 points on a plot a few hundred pixels wide. Samples fall into buckets of whole
 * seconds on the clock, so a bucket keeps its points from one redraw to the next and the line
 * does not shimmer as the window slides.
 */
import type { HistorySample } from './history.js';

/**
 * Each bucket keeps, for every key, its samples with the lowest and the highest value, in time
 * order: a spike or a dip of any series survives, and each kept sample is whole, so a stack
 * still adds up. A sample without a value (a gap in the stream) is kept too, so the gap still
 * shows, and so are the first and the newest sample, where the plot's time axis starts and ends.
 */
export function plotPoints(samples: readonly HistorySample[], keys: ReadonlyArray<keyof HistorySample>, bucketMs: number): readonly HistorySample[] {
  if (!(bucketMs > 0) || !Number.isFinite(bucketMs) || samples.length <= 2) return samples;
  const keep = new Set<number>([0, samples.length - 1]);
  let i = 0;
  while (i < samples.length) {
    const bucket = Math.floor(samples[i]!.t / bucketMs);
    let j = i + 1;
    while (j < samples.length && Math.floor(samples[j]!.t / bucketMs) === bucket) j++;
    for (const key of keys) {
      let lo = -1;
      let hi = -1;
      let gap = -1;
      for (let k = i; k < j; k++) {
        const v = samples[k]![key];
        if (v === null) {
          if (gap < 0) gap = k;
        } else {
          if (lo < 0 || v < (samples[lo]![key] as number)) lo = k;
          if (hi < 0 || v > (samples[hi]![key] as number)) hi = k;
        }
      }
      for (const k of [lo, hi, gap]) if (k >= 0) keep.add(k);
    }
    i = j;
  }
  if (keep.size >= samples.length) return samples;
  return [...keep].sort((a, b) => a - b).map((k) => samples[k]!);
}

/** The bucket for a plot `width` pixels wide showing `windowMs`: about `pxPerBucket` pixels each, in whole seconds; 0 (no thinning) without a width. */
export function bucketFor(windowMs: number, width: number, pxPerBucket = 4): number {
  if (!(width > 0) || !(windowMs > 0)) return 0;
  return Math.max(1, Math.round(((windowMs / width) * pxPerBucket) / 1000)) * 1000;
}
