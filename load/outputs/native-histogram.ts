/**
 * A trend's HdrHistogram as a Prometheus native histogram (exponential buckets), the form
 * `LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM=true` sends.
 *
 * Schema 8, the finest Prometheus accepts: bucket i holds the values in
 * (2^((i-1)/256), 2^(i/256)] seconds, each bucket 2^(1/256) − 1 ≈ 0.27 % wider than the
 * one below. HdrHistogram keeps 3 significant digits (its slots are at most 0.1 % wide),
 * which no schema can match, so the representation's error is one schema-8 bucket: a
 * quantile Prometheus reads back lies in the same bucket as `summary.json`'s reading,
 * within 0.27 % of it.
 *
 * Each HDR slot goes whole into the bucket of its highest equivalent value, the value
 * HdrHistogram answers for a percentile (and the JSON and CSV outputs write), so the rank
 * Prometheus interpolates at falls in the bucket holding `summary.json`'s percentile.
 */
import { JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from '../engine/histogram.ts';
import type { BucketSpan } from './remote-write.ts';

export const NATIVE_SCHEMA = 8;
/**
 * The zero bucket's half-width: client_golang's default (2^-128). Latencies are recorded
 * from 1 µs up, so only a zero lands there.
 */
export const ZERO_THRESHOLD = 2 ** -128;

/** One recorded value (in seconds) and how many times it was recorded. */
export interface RecordedValue {
  seconds: number;
  count: number;
}

/** A native histogram's content, without its timestamp. */
export interface NativeHistogram {
  count: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  positiveSpans: BucketSpan[];
  /** Each bucket's count minus the previous bucket's (the first: minus 0), across spans. */
  positiveDeltas: number[];
}

/** The upper bounds of one power of two's buckets, as fractions in [0.5, 1): 2^(j/2^schema) / 2. */
function fractionBounds(schema: number): Float64Array {
  const n = 2 ** schema;
  const bounds = new Float64Array(n);
  for (let j = 0; j < n; j++) bounds[j] = 2 ** (j / n) / 2;
  return bounds;
}

const BOUNDS = fractionBounds(NATIVE_SCHEMA);

/**
 * `value` = fraction × 2^exponent with the fraction in [0.5, 1): C's frexp. Dividing by a
 * power of two is exact, so the fraction is compared with the bounds without rounding.
 */
function frexp(value: number): { fraction: number; exponent: number } {
  let exponent = Math.floor(Math.log2(value)) + 1;
  let fraction = value / 2 ** exponent;
  // log2 may round across a power of two; one step puts the fraction back in range.
  if (fraction < 0.5) {
    fraction *= 2;
    exponent -= 1;
  } else if (fraction >= 1) {
    fraction /= 2;
    exponent += 1;
  }
  return { fraction, exponent };
}

/**
 * The schema-8 bucket of a positive value in seconds: the i with
 * 2^((i-1)/256) < value ≤ 2^(i/256). Found as client_golang finds it (frexp, then the first
 * bound not below the fraction), which stays exact at the bucket boundaries where
 * ⌈log2(value) × 256⌉ can round the wrong way.
 */
export function bucketIndex(seconds: number): number {
  const { fraction, exponent } = frexp(seconds);
  let low = 0;
  let high = BOUNDS.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (BOUNDS[mid]! < fraction) low = mid + 1;
    else high = mid;
  }
  return low + (exponent - 1) * BOUNDS.length;
}

/** Bucket indexes (ascending, each with a count above zero) as spans and deltas. */
export function spansAndDeltas(buckets: readonly (readonly [index: number, count: number])[]): { spans: BucketSpan[]; deltas: number[] } {
  const spans: BucketSpan[] = [];
  const deltas: number[] = [];
  let previousIndex: number | undefined;
  let previousCount = 0;
  for (const [index, count] of buckets) {
    if (previousIndex === undefined) spans.push({ offset: index, length: 1 });
    else if (index === previousIndex + 1) spans[spans.length - 1]!.length += 1;
    else spans.push({ offset: index - previousIndex - 1, length: 1 });
    deltas.push(count - previousCount);
    previousIndex = index;
    previousCount = count;
  }
  return { spans, deltas };
}

/**
 * Recorded values (zero or more, never negative: latencies) into schema-8 buckets. `sum`
 * is the observations' own sum, which the buckets cannot give back exactly.
 */
export function nativeHistogram(values: Iterable<RecordedValue>, sum: number): NativeHistogram {
  const counts = new Map<number, number>();
  let count = 0;
  let zeroCount = 0;
  for (const { seconds, count: n } of values) {
    if (!(seconds >= 0 && seconds < Infinity)) throw new RangeError(`a native histogram of latencies takes no ${seconds}`);
    count += n;
    if (seconds <= ZERO_THRESHOLD) zeroCount += n;
    else {
      const index = bucketIndex(seconds);
      counts.set(index, (counts.get(index) ?? 0) + n);
    }
  }
  const { spans, deltas } = spansAndDeltas([...counts].sort((a, b) => a[0] - b[0]));
  return { count, sum, schema: NATIVE_SCHEMA, zeroThreshold: ZERO_THRESHOLD, zeroCount, positiveSpans: spans, positiveDeltas: deltas };
}

/**
 * An HdrHistogram's recorded values in seconds: one per slot recorded into (its highest
 * equivalent value, µs in the histogram) with the slot's count, and their sum as
 * HdrHistogram's mean takes it (each slot at its middle value). One pass over the slots up
 * to the last one recorded into, as points.ts reads them: this runs every second for every
 * trend series, and the library's recorded-values iterator, with `mean` walking the slots
 * a second time, took several times as long.
 */
export function recordedSeconds(histogram: Histogram): { values: RecordedValue[]; sum: number } {
  if (!(histogram instanceof JsHistogram)) throw new Error('expected a JavaScript HdrHistogram');
  const values: RecordedValue[] = [];
  let sumUs = 0;
  let remaining = histogram.totalCount;
  for (let index = 0; remaining > 0 && index < histogram.countsArrayLength; index++) {
    const count = histogram.getCountAtIndex(index);
    if (count === 0) continue;
    remaining -= count;
    const value = histogram.valueFromIndex(index);
    values.push({ seconds: histogram.highestEquivalentValue(value) / 1e6, count });
    sumUs += histogram.medianEquivalentValue(value) * count;
  }
  return { values, sum: sumUs / 1e6 };
}

/** A trend's histogram (µs) as a native histogram in seconds. */
export function nativeHistogramOfHdr(histogram: Histogram): NativeHistogram {
  const { values, sum } = recordedSeconds(histogram);
  return nativeHistogram(values, sum);
}
