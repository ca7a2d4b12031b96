/**
 * Builds a run's summary.json (summary-types.ts): k6's metrics from the merged state, the
 * thresholds attached to the metric (or submetric) they name, and the run details.
 */
import { encodeHistogram, percentileMs, trendValues, type Histogram } from './histogram.ts';
import type { MetricState } from './metrics.ts';
import { aggregate, evaluateThresholds, type Threshold } from './thresholds.ts';
import type { EndpointDetails, K6Metric, LoadSummary, RunDetails, ThresholdResult, WindowFigures } from './summary-types.ts';

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'];

const trendMetric = (h: Histogram): K6Metric => ({ type: 'trend', contains: 'time', values: { ...trendValues(h) } });
const counterMetric = (count: number, seconds: number): K6Metric => ({
  type: 'counter',
  contains: 'default',
  values: { count, rate: seconds > 0 ? count / seconds : 0 },
});
const rateMetric = (passes: number, fails: number): K6Metric => ({
  type: 'rate',
  contains: 'default',
  values: { rate: passes + fails === 0 ? 0 : passes / (passes + fails), passes, fails },
});

/** k6's metrics for a state; `seconds` is the run's duration for per-second rates. */
export function k6Metrics(state: MetricState, seconds: number): Record<string, K6Metric> {
  const metrics: Record<string, K6Metric> = {};
  const requests = state.requests;
  const failed = state.failed;
  metrics.http_reqs = counterMetric(requests, seconds);
  for (const kind of ['duration', 'corrected'] as const) {
    const name = kind === 'duration' ? 'http_req_duration' : 'http_req_duration_corrected';
    const merged = state.merged(kind);
    metrics[name] = trendMetric(merged);
    merged.destroy();
    for (const [endpoint, e] of state.endpoints) metrics[`${name}{endpoint:${endpoint}}`] = trendMetric(e[kind]);
  }
  // k6 counts a failed request as a "pass" of the http_req_failed rate (the value is true).
  metrics.http_req_failed = rateMetric(failed, requests - failed);
  const checks = state.checkTotals;
  metrics.checks = rateMetric(checks.passes, checks.fails);
  metrics.contract_failures = counterMetric(state.contractFailures, seconds);
  metrics.iterations = counterMetric(state.completed, seconds);
  metrics.iteration_duration = trendMetric(state.iterationDuration);
  metrics.dropped_iterations = counterMetric(state.dropped, seconds);
  metrics.schedule_lag = trendMetric(state.lag);
  return metrics;
}

/** Puts each threshold's outcome on its metric entry, creating submetric entries as k6 does. */
export function attachThresholds(
  metrics: Record<string, K6Metric>,
  thresholds: Threshold[],
  results: ThresholdResult[],
  state: MetricState,
  seconds: number,
): void {
  thresholds.forEach((t, i) => {
    let entry = metrics[t.key];
    if (!entry) {
      const base = metrics[t.metric]!;
      const stats = base.type === 'trend' ? SUMMARY_TREND_STATS : base.type === 'rate' ? ['rate'] : ['count', 'rate'];
      const values = Object.fromEntries(stats.map((stat) => [stat, aggregate(state, seconds, t.metric, t.tags, stat) ?? 0]));
      entry = { type: base.type, contains: base.contains, values };
      metrics[t.key] = entry;
    }
    entry.thresholds ??= {};
    entry.thresholds[t.expression] = { ok: results[i]!.ok };
  });
}

export function endpointDetails(state: MetricState): Record<string, EndpointDetails> {
  return Object.fromEntries(
    [...state.endpoints].map(([name, e]) => [
      name,
      {
        requests: e.requests,
        failed: e.failed,
        contractFailures: e.contractFailures,
        statuses: e.statuses,
        errors: e.errors,
        duration: trendValues(e.duration),
        corrected: trendValues(e.corrected),
        histograms: { duration: encodeHistogram(e.duration), corrected: encodeHistogram(e.corrected) },
      },
    ]),
  );
}

/** One window's figures, its thresholds evaluated on the window alone. */
export function windowFigures(
  label: string,
  startS: number,
  endS: number,
  targetArrivals: number,
  state: MetricState,
  thresholds: Threshold[],
): WindowFigures {
  const seconds = Math.max(endS - startS, 0.001);
  const merged = state.merged('duration');
  const p95 = percentileMs(merged, 95);
  const p99 = percentileMs(merged, 99);
  merged.destroy();
  const checks = state.checkTotals;
  const results = evaluateThresholds(thresholds, state, seconds);
  return {
    label,
    startS: Math.round(startS * 1000) / 1000,
    endS: Math.round(endS * 1000) / 1000,
    targetRate: Math.round((targetArrivals / seconds) * 100) / 100,
    offeredRate: Math.round((state.offered / seconds) * 100) / 100,
    requests: state.requests,
    requestRate: Math.round((state.requests / seconds) * 100) / 100,
    p95Ms: p95,
    p99Ms: p99,
    failedRate: state.requests ? state.failed / state.requests : 0,
    checksRate: checks.passes + checks.fails ? checks.passes / (checks.passes + checks.fails) : 1,
    dropped: state.dropped,
    thresholdsHeld: results.every((r) => r.ok),
    breached: results.filter((r) => !r.ok).map((r) => `${r.metric}: ${r.expression} (${r.actual ?? 'no data'})`),
  };
}

/** stress: the highest step whose thresholds held and whose generator kept the rate. */
export function capacityOf(windows: WindowFigures[], minRateRatio: number): RunDetails['capacity'] {
  let best: WindowFigures | undefined;
  for (const w of windows) {
    const kept = w.offeredRate >= minRateRatio * w.targetRate - 1 / Math.max(w.endS - w.startS, 1);
    if (w.thresholdsHeld && kept && w.requests > 0) best = w;
    else break;
  }
  return { rate: best ? best.targetRate : null, step: best ? best.label : null };
}

/** soak: first window against last. */
export function driftOf(windows: WindowFigures[]): RunDetails['drift'] {
  const first = windows.find((w) => w.requests > 0);
  const last = [...windows].reverse().find((w) => w.requests > 0);
  if (!first || !last) return { p95FirstMs: null, p95LastMs: null, p95ChangePct: null, failedRateFirst: 0, failedRateLast: 0 };
  const change = first.p95Ms && last.p95Ms ? Math.round(((last.p95Ms - first.p95Ms) / first.p95Ms) * 1000) / 10 : null;
  return { p95FirstMs: first.p95Ms, p95LastMs: last.p95Ms, p95ChangePct: change, failedRateFirst: first.failedRate, failedRateLast: last.failedRate };
}

export function k6Envelope(metrics: Record<string, K6Metric>, details: RunDetails, durationMs: number, tty: { out: boolean; err: boolean }): LoadSummary {
  return {
    root_group: {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: [],
      checks: Object.entries(details.checks).map(([name, c]) => ({ name, path: `::${name}`, id: name, passes: c.passes, fails: c.fails })),
    },
    options: { summaryTrendStats: SUMMARY_TREND_STATS, summaryTimeUnit: 'ms', noColor: !tty.out },
    state: { isStdOutTTY: tty.out, isStdErrTTY: tty.err, testRunDurationMs: Math.round(durationMs * 1000) / 1000 },
    metrics,
    puppilot: details,
  };
}
