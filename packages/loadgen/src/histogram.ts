/**
 * Latency histograms: hdr-histogram-js recording microseconds, read back as milliseconds.
 * One per second of the timeline (reset each second) and one for the whole run.
 */

import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencyFigures } from './result/types.js';

/** One hour, in microseconds: anything slower is recorded as one hour. */
const HIGHEST_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records one latency given in milliseconds (fractions kept to the microsecond). */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(Math.min(Math.max(us, 1), HIGHEST_US));
}

const round = (us: number): number => Math.round(us) / 1000;

/** The histogram's figures in milliseconds, or null when it holds nothing. */
export function latencyFigures(histogram: Histogram): LatencyFigures | null {
  if (histogram.totalCount === 0) return null;
  return {
    min: round(histogram.minNonZeroValue),
    mean: round(histogram.mean),
    stddev: round(histogram.stdDeviation),
    p50: round(histogram.getValueAtPercentile(50)),
    p90: round(histogram.getValueAtPercentile(90)),
    p99: round(histogram.getValueAtPercentile(99)),
    p99_9: round(histogram.getValueAtPercentile(99.9)),
    max: round(histogram.maxValue),
  };
}
