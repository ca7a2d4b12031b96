/**
 * Latency histograms: HdrHistogram (hdr-histogram-js) in microseconds, 1 µs to 1 h at 3
 * significant digits, as the measurement model asks. Every sample is recorded; percentiles
 * of several workers, segments or seconds come from merged histograms, never from
 * averaged percentiles. Histograms cross threads and files in HdrHistogram's compressed
 * base64 encoding, which any HdrHistogram library can read back.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { TrendValues } from './summary-types.ts';

export type { Histogram };

const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    // Plain 32-bit counts: adding two packed histograms walks every slot through the packed
    // lookup (about 19 ms an add against 0.3 ms), which the main thread does every second.
    bitBucketSize: 32,
    autoResize: false,
  });
}

/** Records a latency given in milliseconds (clamped to the histogram's range). */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, us)));
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** Adds an encoded histogram into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  const decoded = decodeFromCompressedBase64(encoded, 32, false);
  into.add(decoded);
  decoded.destroy();
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A percentile in ms, or null for an empty histogram. */
export function percentileMs(histogram: Histogram, p: number): number | null {
  return histogram.totalCount === 0 ? null : round(histogram.getValueAtPercentile(p) / 1000);
}

/** k6's trend statistics in milliseconds; all zero for an empty histogram (as k6 prints them). */
export function trendValues(histogram: Histogram): TrendValues {
  if (histogram.totalCount === 0) return { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, 'p(99.9)': 0 };
  const at = (p: number) => round(histogram.getValueAtPercentile(p) / 1000);
  return {
    avg: round(histogram.mean / 1000),
    min: round(histogram.minNonZeroValue / 1000),
    med: at(50),
    max: round(histogram.maxValue / 1000),
    'p(90)': at(90),
    'p(95)': at(95),
    'p(99)': at(99),
    'p(99.9)': at(99.9),
  };
}
