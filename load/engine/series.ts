/**
 * Series: a metric with one set of tag values, accumulated by the metric's k6 type.
 * counter: a count; rate: passes and fails; trend: an HdrHistogram; gauge: a value per
 * second. A `SeriesSet` holds the series of one scope (one second of one thread, a window,
 * the whole run) and answers queries that combine the series of a metric whose tags match
 * a filter: counts add, histograms merge, gauges add per second.
 *
 * `IntervalEntry` is how a series of one second crosses threads and files (the interval
 * log's `interval` line, see interval-log.ts).
 */
import { addEncoded, encodeHistogram, newHistogram, recordMs, type Histogram } from './histogram.ts';
import { METRICS, seriesKey, tagsMatch, type MetricName, type Tags } from './registry.ts';

export interface IntervalEntry {
  type: 'interval';
  /** Second of the run (0-based) the samples fell in. */
  second: number;
  metric: MetricName;
  tags: Tags;
  /** counter */
  count?: number;
  /** rate: samples that were true (k6 counts a failed request as a true `http_req_failed`). */
  passes?: number;
  fails?: number;
  /** trend: HdrHistogram, compressed base64, microseconds. */
  histogram?: string;
  /** gauge: the highest value in the second. */
  value?: number;
}

export class Series {
  count = 0;
  passes = 0;
  fails = 0;
  histogram: Histogram | undefined;
  /** gauge: per second, summed over sources. */
  readonly gauge = new Map<number, number>();

  constructor(
    readonly metric: MetricName,
    readonly tags: Tags,
  ) {}

  get type() {
    return METRICS[this.metric].type;
  }

  /** One sample (the recording side). */
  record(value: number, second: number): void {
    switch (this.type) {
      case 'counter':
        this.count += value;
        break;
      case 'rate':
        if (value) this.passes += 1;
        else this.fails += 1;
        break;
      case 'trend':
        recordMs((this.histogram ??= newHistogram()), value);
        break;
      case 'gauge':
        this.gauge.set(second, Math.max(this.gauge.get(second) ?? value, value));
        break;
    }
  }

  /** An interval entry (the folding side); `decoded` is its histogram, decoded once by the caller. */
  addEntry(entry: IntervalEntry, decoded: Histogram | undefined): void {
    this.count += entry.count ?? 0;
    this.passes += entry.passes ?? 0;
    this.fails += entry.fails ?? 0;
    if (decoded) (this.histogram ??= newHistogram()).add(decoded);
    if (entry.value !== undefined) this.gauge.set(entry.second, (this.gauge.get(entry.second) ?? 0) + entry.value);
  }

  toEntry(second: number): IntervalEntry {
    const entry: IntervalEntry = { type: 'interval', second, metric: this.metric, tags: this.tags };
    switch (this.type) {
      case 'counter':
        entry.count = this.count;
        break;
      case 'rate':
        entry.passes = this.passes;
        entry.fails = this.fails;
        break;
      case 'trend':
        entry.histogram = encodeHistogram(this.histogram ?? newHistogram());
        break;
      case 'gauge':
        entry.value = this.gauge.get(second) ?? 0;
        break;
    }
    return entry;
  }

  destroy(): void {
    this.histogram?.destroy();
    this.histogram = undefined;
  }
}

/** Decodes an entry's histogram (the caller destroys it). */
export function decodeEntryHistogram(entry: IntervalEntry): Histogram | undefined {
  if (entry.histogram === undefined) return undefined;
  const h = newHistogram();
  addEncoded(h, entry.histogram);
  return h;
}

/** A trend combined over matching series; `release` frees a merged copy. */
export interface CombinedTrend {
  histogram: Histogram;
  release(): void;
}

export class SeriesSet {
  private readonly series = new Map<string, Series>();

  get(metric: MetricName, tags: Tags): Series {
    const key = seriesKey(metric, tags);
    let s = this.series.get(key);
    if (!s) {
      s = new Series(metric, tags);
      this.series.set(key, s);
    }
    return s;
  }

  addEntry(entry: IntervalEntry, decoded: Histogram | undefined): void {
    this.get(entry.metric, entry.tags).addEntry(entry, decoded);
  }

  *matching(metric: MetricName, filter: Tags = {}): Generator<Series> {
    for (const s of this.series.values()) if (s.metric === metric && tagsMatch(s.tags, filter)) yield s;
  }

  all(): IterableIterator<Series> {
    return this.series.values();
  }

  /** Distinct values of `tag` among the series of `metric`, in the order first seen. */
  tagValues(metric: MetricName, tag: string): string[] {
    const values = new Set<string>();
    for (const s of this.matching(metric)) if (s.tags[tag] !== undefined) values.add(s.tags[tag]);
    return [...values];
  }

  count(metric: MetricName, filter?: Tags): number {
    let n = 0;
    for (const s of this.matching(metric, filter)) n += s.count;
    return n;
  }

  rate(metric: MetricName, filter?: Tags): { passes: number; fails: number } {
    let passes = 0;
    let fails = 0;
    for (const s of this.matching(metric, filter)) {
      passes += s.passes;
      fails += s.fails;
    }
    return { passes, fails };
  }

  trend(metric: MetricName, filter?: Tags): CombinedTrend {
    const list = [...this.matching(metric, filter)].filter((s) => s.histogram);
    if (list.length === 1) return { histogram: list[0]!.histogram!, release: () => undefined };
    const merged = newHistogram();
    for (const s of list) merged.add(s.histogram!);
    return { histogram: merged, release: () => merged.destroy() };
  }

  /** A gauge's value in each second, summed over matching series. */
  gaugeBySecond(metric: MetricName, filter?: Tags): Map<number, number> {
    const out = new Map<number, number>();
    for (const s of this.matching(metric, filter)) for (const [second, v] of s.gauge) out.set(second, (out.get(second) ?? 0) + v);
    return out;
  }

  destroy(): void {
    for (const s of this.series.values()) s.destroy();
    this.series.clear();
  }
}
