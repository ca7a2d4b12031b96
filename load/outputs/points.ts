/**
 * k6 samples from interval entries. The engine keeps a second of a series as one entry
 * (a count, passes and fails, or an HdrHistogram), not as its raw samples; the JSON and
 * CSV outputs turn each entry back into k6's samples so that tools written for k6's
 * output files re-aggregate to the figures of summary.json:
 *
 * - counter: one sample, value = the second's count (k6's tools sum counter values);
 * - rate: one sample per recorded value, `1` for each pass and `0` for each fail (tools
 *   count the samples and sum the values: the same passes, fails and rate);
 * - trend: one sample per recorded value, reconstructed from the histogram's buckets: each
 *   value is its bucket's highest equivalent value, HdrHistogram's own reading of a
 *   percentile, in ms (3 significant digits: within 0.1 % of the measured value), so the
 *   count is exact and a nearest-rank percentile over the samples is summary.json's;
 * - gauge (`vus`): one sample per generator thread and second, value = the most in that
 *   second (the samples of one second add up to the run's figure).
 *
 * A sample's time is the start of its second of the run.
 */
import { JsHistogram } from 'hdr-histogram-js';
import type { MetricName } from '../engine/registry.ts';
import { decodeEntryHistogram, type IntervalEntry } from '../engine/series.ts';

/** One k6 sample, or `repeat` equal samples. */
export interface K6Point {
  metric: MetricName;
  value: number;
  repeat: number;
}

const roundUs = (ms: number) => Math.round(ms * 1000) / 1000;

/** The entry's samples, equal ones grouped. */
export function pointsOf(entry: IntervalEntry): K6Point[] {
  const metric = entry.metric;
  if (entry.count !== undefined) return [{ metric, value: entry.count, repeat: 1 }];
  if (entry.passes !== undefined || entry.fails !== undefined) {
    const out: K6Point[] = [];
    if (entry.passes) out.push({ metric, value: 1, repeat: entry.passes });
    if (entry.fails) out.push({ metric, value: 0, repeat: entry.fails });
    return out;
  }
  if (entry.histogram !== undefined) {
    const histogram = decodeEntryHistogram(entry)!;
    try {
      if (!(histogram instanceof JsHistogram)) throw new Error('expected a JavaScript HdrHistogram');
      const out: K6Point[] = [];
      for (let i = 0; i < histogram.countsArrayLength; i++) {
        const count = histogram.getCountAtIndex(i);
        if (count > 0) out.push({ metric, value: roundUs(histogram.highestEquivalentValue(histogram.valueFromIndex(i)) / 1000), repeat: count });
      }
      return out;
    } finally {
      histogram.destroy();
    }
  }
  if (entry.value !== undefined) return [{ metric, value: entry.value, repeat: 1 }];
  return [];
}
