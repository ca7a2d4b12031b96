/**
 * `--out prometheus-rw=<url>`: the run's figures pushed to Prometheus by remote write, named
 * as k6's experimental-prometheus-rw output names them:
 *
 * - counter → counter `k6_<name>_total` (`k6_http_reqs_total`);
 * - rate → gauge `k6_<name>_rate` (passes / samples so far), plus the counters
 *   `k6_<name>_passes_total` and `k6_<name>_fails_total`, which add up across segments
 *   (for `http_req_failed` a "pass" is a failed request, as in k6);
 * - trend → one gauge per statistic of LOAD_PROMETHEUS_TREND_STATS, `k6_<name>_p95`, …,
 *   over the run so far, times in seconds; percentiles come from the run's merged
 *   HdrHistogram, so the last value equals summary.json's (3 significant digits);
 *   or, with LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM, one native histogram
 *   `k6_<name>_seconds` instead, cumulative over the run so far like a counter (see
 *   native-histogram.ts for the buckets and their error);
 * - gauge → `k6_vus`; and `k6_arrival_rate_target`, the schedule's arrivals per second now.
 *
 * Labels: the sample's tags, `scenario`, `testid` and, in a split run, `segment` (`k/n`).
 * Counters start at zero for every endpoint, so a query for something that never happened
 * answers 0 rather than nothing.
 *
 * Every second the main thread adds a sample per series to the batch being built; every
 * LOAD_PROMETHEUS_FLUSH_INTERVAL the batch joins a bounded queue sent by one request at a
 * time. Nothing here is awaited by the engine: a slow or failing receiver only loses
 * batches (a refused one at once, a failed one after three tries, the oldest when the
 * queue is full), which are counted and reported; it never fails the run. The last flush
 * waits at most LOAD_PROMETHEUS_TIMEOUT.
 */
import { buildSchedule, type Schedule } from '../engine/executors.ts';
import type { Histogram } from '../engine/histogram.ts';
import type { RunHeader } from '../engine/interval-log.ts';
import type { RunResult, Snapshot } from '../engine/observers.ts';
import { METRICS, type MetricName } from '../engine/registry.ts';
import { decodeEntryHistogram, SeriesSet, type IntervalEntry, type Series } from '../engine/series.ts';
import { EntryOutput, type OutputReport } from './entries.ts';
import { nativeHistogramOfHdr, type NativeHistogram } from './native-histogram.ts';
import { encodeWriteRequest, labelName, REMOTE_WRITE_HEADERS, type HistogramSample, type TimeSeries } from './remote-write.ts';
import { displayUrl, type PrometheusSettings } from './spec.ts';

const MAX_ATTEMPTS = 3;

interface Batch {
  body: Uint8Array;
  samples: number;
  attempts: number;
}

type Tags = Record<string, string>;

/** Where the figures of one moment go: a float sample or a native histogram of a series. */
interface Emit {
  sample(name: string, tags: Tags, value: number): void;
  histogram(name: string, tags: Tags, histogram: NativeHistogram): void;
}

/** A native histogram as remote write carries it, its counts integers. */
function histogramSample(h: NativeHistogram, timestamp: number): HistogramSample {
  return {
    countInt: h.count,
    sum: h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCountInt: h.zeroCount,
    positiveSpans: h.positiveSpans,
    positiveDeltas: h.positiveDeltas,
    timestamp,
  };
}

export interface PrometheusContext {
  /** The run's `testid` when LOAD_TESTID is not set: the run folder's name. */
  testid(header: RunHeader): string;
  /** A line for the person watching (the first dropped batch). */
  say(line: string): void;
}

export class PrometheusOutput extends EntryOutput {
  readonly name = 'prometheus-rw';
  private readonly set = new SeriesSet();
  private readonly building = new Map<string, TimeSeries>();
  private readonly queue: Batch[] = [];
  private baseLabels: Record<string, string> = {};
  private schedule: Schedule | undefined;
  private segments = 1;
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private ending = false;
  private readonly abort = new AbortController();
  private lastTimestamp = 0;
  private batchesSent = 0;
  private batchesDropped = 0;
  private samplesSent = 0;
  private samplesDropped = 0;
  private lastError: string | null = null;

  constructor(
    private readonly settings: PrometheusSettings,
    private readonly context: PrometheusContext,
  ) {
    super();
  }

  protected begin(header: RunHeader): void {
    const segment = header.config.segment;
    this.segments = segment?.count ?? 1;
    this.baseLabels = {
      scenario: header.scenario,
      testid: this.settings.testid ?? this.context.testid(header),
      ...(segment && segment.count > 1 ? { segment: `${segment.index}/${segment.count}` } : {}),
    };
    try {
      this.schedule = buildSchedule(header.config.executor);
    } catch {
      this.schedule = undefined;
    }
    // Counters at zero from the start: a series that exists answers 0 rather than nothing.
    for (const [name, info] of Object.entries(METRICS) as [MetricName, (typeof METRICS)[MetricName]][]) {
      if (info.type !== 'counter') continue;
      if (info.tags.length === 0) this.set.get(name, {});
      else if (info.tags.length === 1 && info.tags[0] === 'endpoint') for (const endpoint of header.endpoints) this.set.get(name, { endpoint });
    }
    this.timer = setInterval(() => this.flush(), this.settings.flushIntervalMs);
    this.timer.unref();
  }

  protected entry(entry: IntervalEntry): void {
    const decoded = decodeEntryHistogram(entry);
    this.set.addEntry(entry, decoded);
    decoded?.destroy();
  }

  protected override tick(snapshot: Snapshot): void {
    const target = this.schedule && snapshot.elapsedMs < snapshot.totalMs ? this.schedule.rateAt(snapshot.elapsedMs) / this.segments : 0;
    this.collect({ k6_arrival_rate_target: target });
  }

  /** One sample of every series, now. */
  private collect(extra: Record<string, number> = {}): void {
    const timestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    this.lastTimestamp = timestamp;
    const emit: Emit = {
      sample: (name, tags, value) => {
        if (Number.isFinite(value)) this.batchSeries(name, tags).samples.push({ value, timestamp });
      },
      histogram: (name, tags, histogram) => {
        (this.batchSeries(name, tags).histograms ??= []).push(histogramSample(histogram, timestamp));
      },
    };
    for (const series of this.set.all()) this.samplesOf(series, emit);
    for (const [name, value] of Object.entries(extra)) emit.sample(name, {}, value);
  }

  /** The series being built for a name and tags, its labels the run's and the tags. */
  private batchSeries(name: string, tags: Tags): TimeSeries {
    const labels: Tags = { ...this.baseLabels };
    for (const [tag, v] of Object.entries(tags)) if (v !== '' && v !== undefined) labels[labelName(tag)] = v;
    labels.__name__ = name;
    const sorted = Object.keys(labels)
      .sort()
      .map((n) => ({ name: n, value: labels[n]! }));
    const key = sorted.map((l) => `${l.name}=${l.value}`).join('\u0000');
    let series = this.building.get(key);
    if (!series) this.building.set(key, (series = { labels: sorted, samples: [] }));
    return series;
  }

  private samplesOf(series: Series, emit: Emit): void {
    const base = `k6_${series.metric}`;
    const tags = series.tags;
    switch (series.type) {
      case 'counter':
        emit.sample(`${base}_total`, tags, series.count);
        break;
      case 'rate': {
        const total = series.passes + series.fails;
        if (total > 0) emit.sample(`${base}_rate`, tags, series.passes / total);
        emit.sample(`${base}_passes_total`, tags, series.passes);
        emit.sample(`${base}_fails_total`, tags, series.fails);
        break;
      }
      case 'trend': {
        const h = series.histogram;
        if (!h || h.totalCount === 0) break;
        // Every trend is a time (an HdrHistogram of µs): k6 names its histogram by the unit.
        if (this.settings.trendAsNativeHistogram) emit.histogram(`${base}_seconds`, tags, nativeHistogramOfHdr(h));
        else this.trendGauges(base, tags, h, emit);
        break;
      }
      case 'gauge': {
        const seconds = [...series.gauge.keys()];
        if (seconds.length > 0) emit.sample(base, tags, series.gauge.get(Math.max(...seconds)) ?? 0);
        break;
      }
    }
  }

  /** A trend as the gauges of LOAD_PROMETHEUS_TREND_STATS, times in seconds. */
  private trendGauges(base: string, tags: Tags, h: Histogram, emit: Emit): void {
    for (const { stat, suffix } of this.settings.trendStats) {
      let value: number;
      if (stat === 'count') value = h.totalCount;
      else if (stat === 'sum') value = (h.mean * h.totalCount) / 1e6;
      else if (stat === 'min') value = h.minNonZeroValue / 1e6;
      else if (stat === 'max') value = h.maxValue / 1e6;
      else if (stat === 'avg') value = h.mean / 1e6;
      else if (stat === 'med') value = h.getValueAtPercentile(50) / 1e6;
      else value = h.getValueAtPercentile(Number(stat.slice(2, -1))) / 1e6;
      emit.sample(`${base}_${suffix}`, tags, value);
    }
  }

  /** The batch built so far joins the queue. */
  private flush(): void {
    if (this.building.size === 0) return;
    const timeseries = [...this.building.values()];
    this.building.clear();
    const samples = timeseries.reduce((n, s) => n + s.samples.length + (s.histograms?.length ?? 0), 0);
    this.queue.push({ body: encodeWriteRequest(timeseries), samples, attempts: 0 });
    while (this.queue.length > this.settings.maxQueuedBatches) {
      // The oldest not in flight goes: a receiver that keeps up with nothing cannot hold memory.
      const [dropped] = this.queue.splice(this.sending ? 1 : 0, 1);
      this.dropped(dropped!, 'the queue was full');
    }
    void this.pump();
  }

  private dropped(batch: Batch, reason: string): void {
    if (this.batchesDropped === 0) this.context.say(`prometheus-rw: a batch was dropped (${reason}); the run goes on, the count is in summary.json`);
    this.batchesDropped += 1;
    this.samplesDropped += batch.samples;
    this.lastError = reason;
  }

  /** Sends the queue in order, one request at a time; a batch that failed waits for the next flush. */
  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.abort.signal.aborted) {
        const batch = this.queue[0]!;
        const outcome = await this.send(batch);
        // Counted already when the end of the run gave up on it.
        if (this.queue[0] !== batch) break;
        if (outcome.ok) {
          this.queue.shift();
          this.batchesSent += 1;
          this.samplesSent += batch.samples;
          continue;
        }
        if (this.abort.signal.aborted) break;
        batch.attempts += 1;
        // 4xx but 429: the receiver will never take this batch; 5xx, 429, no answer: try again.
        if (outcome.final || batch.attempts >= MAX_ATTEMPTS) {
          this.queue.shift();
          this.dropped(batch, outcome.error);
        } else if (!this.ending) {
          this.lastError = outcome.error;
          break;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(batch: Batch): Promise<{ ok: true } | { ok: false; final: boolean; error: string }> {
    const headers: Record<string, string> = { ...REMOTE_WRITE_HEADERS };
    if (this.settings.authorization) headers.Authorization = this.settings.authorization;
    try {
      const response = await fetch(this.settings.url, {
        method: 'POST',
        headers,
        body: batch.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.abort.signal]),
      });
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true };
      const detail = text.trim().split('\n')[0]?.slice(0, 200);
      return { ok: false, final: response.status >= 400 && response.status < 500 && response.status !== 429, error: `HTTP ${response.status}${detail ? `: ${detail}` : ''}` };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.settings.timeoutMs} ms` : e.name === 'AbortError' ? 'stopped at the end of the run' : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { ok: false, final: false, error: reason };
    }
  }

  protected async finish(_result: RunResult): Promise<void> {
    clearInterval(this.timer);
    if (!this.header) return;
    this.collect();
    this.flush();
    this.ending = true;
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const drained = (async () => {
      while ((this.queue.length > 0 || this.sending) && !deadline.aborted) {
        if (!this.sending) void this.pump();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await drained;
    this.abort.abort();
    for (const batch of this.queue.splice(0)) this.dropped(batch, this.lastError ?? 'not sent before the end of the run');
    this.set.destroy();
  }

  report(): OutputReport {
    const url = displayUrl(this.settings.url);
    const dropped = this.batchesDropped ? `, ${this.batchesDropped} dropped (${this.samplesDropped} samples; last error: ${this.lastError})` : ', none dropped';
    return {
      line: `${this.name} ${url}: ${this.batchesSent} batches sent (${this.samplesSent} samples)${dropped}`,
      details: { url, batchesSent: this.batchesSent, batchesDropped: this.batchesDropped, samplesSent: this.samplesSent, samplesDropped: this.samplesDropped, lastError: this.lastError },
    };
  }
}
