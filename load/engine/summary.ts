/**
 * Builds a run's summary.json (summary-types.ts) from folded interval logs: k6's metrics
 * from the registry, thresholds attached to the metric (or submetric) they name, validity,
 * windows (capacity, drift), the per-second series, invariants and the verdict. A run, a
 * rebuild from a stored log and a merge of segment logs all end here.
 */
import { buildSchedule, type Schedule } from './executors.ts';
import { foldedSpan, type FoldedRun, type RunFold } from './fold.ts';
import { encodeHistogram, percentileMs, trendValues, type Histogram } from './histogram.ts';
import { compareP95, DEFAULT_DEGRADATION, describeDegradation, type DegradationRule } from './degradation.ts';
import { decideVerdict } from './verdict.ts';
import { METRIC_NAMES, METRICS } from './registry.ts';
import { countOwned, formatSegment, WHOLE, type Segment } from './segment.ts';
import type { SeriesSet } from './series.ts';
import type { BaselineVerdict, EndpointDetails, Invariants, K6Metric, LoadSummary, RunDetails, ThresholdResult, TimeSeries, TransportErrorKind, WindowFigures } from './summary-types.ts';
import { aggregate, evaluateThresholds, parseThresholds, type Threshold } from './thresholds.ts';
import { contractCheck, TOKEN_UNIQUE_CHECK } from './samples.ts';
import { judgeValidity } from './validity.ts';

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'];

/** Check names the invariants are counted from (the client declares the same names). */
export const INVARIANT_CHECKS = {
  tokenUnique: TOKEN_UNIQUE_CHECK,
  refreshSameUser: 'refresh: answers for the same user',
  reuseRefused: 'refresh: a spent refresh token is refused',
} as const;

const STATS_BY_TYPE = { counter: ['count', 'rate'], rate: ['rate', 'passes', 'fails'], trend: SUMMARY_TREND_STATS, gauge: ['value', 'min', 'max'] } as const;

function metricEntry(set: SeriesSet, seconds: number, metric: (typeof METRIC_NAMES)[number], tags: Record<string, string>): K6Metric {
  const info = METRICS[metric];
  let values: Record<string, number>;
  if (info.type === 'trend') {
    const { histogram, release } = set.trend(metric, tags);
    values = { ...trendValues(histogram) };
    release();
  } else if (info.type === 'rate') {
    const { passes, fails } = set.rate(metric, tags);
    values = { rate: passes + fails === 0 ? 0 : passes / (passes + fails), passes, fails };
  } else {
    values = Object.fromEntries(STATS_BY_TYPE[info.type].map((stat) => [stat, aggregate(set, seconds, metric, tags, stat) ?? 0]));
  }
  return { type: info.type, contains: info.contains, values };
}

/** k6's metrics: every registered metric, and its submetrics by the tags the registry names. */
export function k6Metrics(set: SeriesSet, seconds: number): Record<string, K6Metric> {
  const metrics: Record<string, K6Metric> = {};
  for (const metric of METRIC_NAMES) {
    metrics[metric] = metricEntry(set, seconds, metric, {});
    const by: readonly string[] = 'summaryBy' in METRICS[metric] ? (METRICS[metric] as { summaryBy: readonly string[] }).summaryBy : [];
    for (const tag of by) for (const value of set.tagValues(metric, tag)) metrics[`${metric}{${tag}:${value}}`] = metricEntry(set, seconds, metric, { [tag]: value });
  }
  return metrics;
}

/** Puts each threshold's outcome on its metric entry, creating submetric entries as k6 does. */
export function attachThresholds(metrics: Record<string, K6Metric>, thresholds: readonly Threshold[], results: readonly ThresholdResult[], set: SeriesSet, seconds: number): void {
  thresholds.forEach((t, i) => {
    const entry = (metrics[t.key] ??= metricEntry(set, seconds, t.metric, t.tags));
    entry.thresholds ??= {};
    entry.thresholds[t.expression] = { ok: results[i]!.ok };
  });
}

const withHistogram = <T>(set: SeriesSet, metric: 'http_req_duration' | 'http_req_duration_corrected' | 'schedule_lag' | 'iteration_duration', tags: Record<string, string>, use: (h: Histogram) => T): T => {
  const { histogram, release } = set.trend(metric, tags);
  try {
    return use(histogram);
  } finally {
    release();
  }
};

export function endpointDetails(set: SeriesSet, order: readonly string[]): Record<string, EndpointDetails> {
  const seen = set.tagValues('http_reqs', 'endpoint');
  const names = [...order.filter((n) => seen.includes(n)), ...seen.filter((n) => !order.includes(n))];
  return Object.fromEntries(
    names.map((endpoint) => {
      const statuses: Record<string, number> = {};
      const errors: Partial<Record<TransportErrorKind, number>> = {};
      for (const s of set.matching('http_reqs', { endpoint })) {
        if (s.tags.status !== undefined && s.tags.status !== '') statuses[s.tags.status] = (statuses[s.tags.status] ?? 0) + s.count;
        if (s.tags.error !== undefined && s.tags.error !== '') errors[s.tags.error as TransportErrorKind] = (errors[s.tags.error as TransportErrorKind] ?? 0) + s.count;
      }
      const [duration, durationEncoded] = withHistogram(set, 'http_req_duration', { endpoint }, (h) => [trendValues(h), encodeHistogram(h)] as const);
      const [corrected, correctedEncoded] = withHistogram(set, 'http_req_duration_corrected', { endpoint }, (h) => [trendValues(h), encodeHistogram(h)] as const);
      const details: EndpointDetails = {
        requests: set.count('http_reqs', { endpoint }),
        failed: set.rate('http_req_failed', { endpoint }).passes,
        contractFailures: set.count('contract_failures', { endpoint }),
        statuses,
        errors,
        duration,
        corrected,
        histograms: { duration: durationEncoded, corrected: correctedEncoded },
      };
      return [endpoint, details];
    }),
  );
}

function checksOf(set: SeriesSet): Record<string, { passes: number; fails: number }> {
  return Object.fromEntries(set.tagValues('checks', 'check').map((check) => [check, set.rate('checks', { check })]));
}

/** One window's figures, its thresholds evaluated on the window alone. */
export function windowFigures(label: string, startS: number, endS: number, targetArrivals: number, set: SeriesSet, thresholds: readonly Threshold[]): WindowFigures {
  const seconds = Math.max(endS - startS, 0.001);
  const [p95, p99] = withHistogram(set, 'http_req_duration', {}, (h) => [percentileMs(h, 95), percentileMs(h, 99)] as const);
  const checks = set.rate('checks');
  const failed = set.rate('http_req_failed');
  const requests = set.count('http_reqs');
  const started = set.count('iterations_started');
  const results = evaluateThresholds(thresholds, set, seconds);
  return {
    label,
    startS: Math.round(startS * 1000) / 1000,
    endS: Math.round(endS * 1000) / 1000,
    targetRate: Math.round((targetArrivals / seconds) * 100) / 100,
    offeredRate: Math.round(((started + set.count('dropped_iterations')) / seconds) * 100) / 100,
    requests,
    requestRate: Math.round((requests / seconds) * 100) / 100,
    p95Ms: p95,
    p99Ms: p99,
    failedRate: requests ? failed.passes / requests : 0,
    checksRate: checks.passes + checks.fails ? checks.passes / (checks.passes + checks.fails) : 1,
    dropped: set.count('dropped_iterations'),
    thresholdsHeld: results.every((r) => r.ok),
    breached: results.filter((r) => !r.ok).map((r) => `${r.metric}: ${r.expression} (${r.actual ?? 'no data'})`),
  };
}

/**
 * stress: the highest step whose thresholds held and whose generator kept the rate, and the
 * first that did not (the knee lies between them); when every step held, the knee was not
 * reached and the capacity is at least the top step's rate.
 */
export function capacityOf(windows: WindowFigures[], minRateRatio: number): RunDetails['capacity'] {
  let best: WindowFigures | undefined;
  let failed: WindowFigures | undefined;
  for (const w of windows) {
    const kept = w.offeredRate >= minRateRatio * w.targetRate - 1 / Math.max(w.endS - w.startS, 1);
    if (w.thresholdsHeld && kept && w.requests > 0) best = w;
    else {
      failed = w;
      break;
    }
  }
  return { rate: best ? best.targetRate : null, step: best ? best.label : null, failedRate: failed ? failed.targetRate : null };
}

/** soak: the first window with requests against the last, through the degradation comparison. */
export function driftOf(windows: { figures: WindowFigures; set: SeriesSet }[], rule: DegradationRule): RunDetails['drift'] {
  const first = windows.find((w) => w.figures.requests > 0);
  const last = [...windows].reverse().find((w) => w.figures.requests > 0);
  if (!first || !last) return { p95FirstMs: null, p95LastMs: null, p95ChangePct: null, failedRateFirst: 0, failedRateLast: 0 };
  const c = compareP95(first.set, last.set, null, rule);
  return { p95FirstMs: c.firstP95Ms, p95LastMs: c.lastP95Ms, p95ChangePct: c.changePct, failedRateFirst: first.figures.failedRate, failedRateLast: last.figures.failedRate };
}

/** Every run: its last third against its first, per endpoint. */
function degradationOf(fold: RunFold, endpoints: string[], rule: DegradationRule): RunDetails['degradation'] {
  const [first, last] = fold.thirds;
  if (!first || !last) return undefined;
  const comparisons = endpoints.map((endpoint) => compareP95(first.set, last.set, endpoint, rule));
  const round = (ms: number) => Math.round(ms) / 1000;
  return {
    ...rule,
    firstThird: { startS: round(first.spec.startMs), endS: round(first.spec.endMs) },
    lastThird: { startS: round(last.spec.startMs), endS: round(last.spec.endMs) },
    endpoints: comparisons,
    degraded: comparisons.some((c) => c.degraded),
  };
}

/** The per-second series over at least `seconds` seconds. */
export function timeseriesOf(fold: RunFold, seconds: number, endpoints: readonly string[], targetAt: (second: number) => number): TimeSeries {
  const names = [...new Set([...endpoints, ...fold.whole.tagValues('http_reqs', 'endpoint')])];
  const lastSecond = Math.max(seconds - 1, ...fold.rows.keys());
  const t = Array.from({ length: lastSecond + 1 }, (_, i) => i);
  const row = (s: number) => fold.rows.get(s);
  const perEndpoint = <T>(pick: (s: number, name: string) => T) => Object.fromEntries(names.map((name) => [name, t.map((s) => pick(s, name))]));
  return {
    t,
    targetRate: t.map((s) => Math.round(targetAt(s) * 1000) / 1000),
    offered: t.map((s) => row(s)?.offered ?? 0),
    started: t.map((s) => row(s)?.started ?? 0),
    dropped: t.map((s) => row(s)?.dropped ?? 0),
    inFlight: t.map((s) => row(s)?.inFlight ?? 0),
    requests: perEndpoint((s, n) => row(s)?.requests[n] ?? 0),
    failed: t.map((s) => row(s)?.failed ?? 0),
    contractFailures: t.map((s) => row(s)?.contractFailures ?? 0),
    p50: perEndpoint((s, n) => row(s)?.p50[n] ?? null),
    p95: perEndpoint((s, n) => row(s)?.p95[n] ?? null),
    p99: perEndpoint((s, n) => row(s)?.p99[n] ?? null),
    correctedP99: perEndpoint((s, n) => row(s)?.correctedP99[n] ?? null),
  };
}

export interface SummarizeOptions {
  /** Whether stdout and stderr are terminals (k6's summary records it). */
  tty?: { out: boolean; err: boolean };
  /** The folders of a merge, in the order given; their missing segments fail the merge. */
  mergedFrom?: string[];
  /** Compares the draft summary with a stored baseline (the verdict then counts a regression). */
  compare?: (draft: LoadSummary) => BaselineVerdict | undefined;
}

/** The summary of folded logs: one run, or the segments of one run. */
export function summarize(folded: FoldedRun, options: SummarizeOptions = {}): LoadSummary {
  const { headers, ends, fold } = folded;
  const base = headers[0];
  if (!base) throw new Error('no run header to summarize');
  const schedule: Schedule = buildSchedule(base.config.executor);
  const segments: Segment[] = headers.map((h) => h.config.segment ?? WHOLE);
  const count = segments[0]!.count;
  const share = segments.length / count;
  const thresholds = parseThresholds(base.thresholdMap);
  const interrupted = ends.some((e) => e?.interrupted || e === undefined);
  const aborted = ends.find((e) => e?.aborted)?.aborted ?? null;
  const ranForMs = Math.max(0, ...ends.map((e) => e?.ranForMs ?? 0));
  const stoppedEarly = interrupted || aborted !== null;
  const judgedMs = stoppedEarly ? ranForMs : schedule.durationMs;
  const seconds = judgedMs / 1000;
  const whole = fold.whole;
  const targetBetween = (a: number, b: number) => schedule.arrivalsBetween(a, b) * share;
  const timeseries = timeseriesOf(fold, Math.ceil(schedule.durationMs / 1000), base.endpoints, (s) => schedule.rateAt(s * 1000 + 500) * share);
  const validity = judgeValidity({
    whole,
    timeseries,
    targetArrivals: segments.reduce((n, s) => n + countOwned(schedule.total, s.index, s.count), 0),
    durationMs: schedule.durationMs,
    targetBetween,
    minRateRatio: base.config.validity.minRateRatio,
    maxLagP99Ms: base.config.validity.maxLagP99Ms,
    ranForMs: judgedMs,
  });
  const results = evaluateThresholds(thresholds, whole, seconds);
  const metrics = k6Metrics(whole, seconds);
  attachThresholds(metrics, thresholds, results, whole, seconds);
  const windows = fold.windows.map((w) => {
    const span = foldedSpan(w.spec);
    return windowFigures(w.spec.label, span.startMs / 1000, span.endMs / 1000, targetBetween(span.startMs, span.endMs), w.set, thresholds);
  });
  const checks = checksOf(whole);
  const check = (name: string) => checks[name] ?? { passes: 0, fails: 0 };
  const invariants: Invariants = {
    tokensTracked: ends.reduce((n, e) => n + (e?.tokens.tracked ?? 0), 0),
    tokenLimit: ends.find((e) => e)?.tokens.limit ?? 0,
    duplicateTokens: check(INVARIANT_CHECKS.tokenUnique).fails,
    refreshUserMismatches: check(INVARIANT_CHECKS.refreshSameUser).fails,
    reuseProbes: {
      sent: check(INVARIANT_CHECKS.reuseRefused).passes + check(INVARIANT_CHECKS.reuseRefused).fails,
      refused: check(INVARIANT_CHECKS.reuseRefused).passes,
      accepted: check(INVARIANT_CHECKS.reuseRefused).fails,
    },
  };
  const started = whole.count('iterations_started');
  const dropped = whole.count('dropped_iterations');
  const ended = whole.count('iterations');
  const iterationsFailed = whole.count('iterations_failed');
  const abandoned = whole.count('iterations_abandoned');
  const scheduled = Math.round(stoppedEarly ? targetBetween(0, ranForMs) : segments.reduce((n, s) => n + countOwned(schedule.total, s.index, s.count), 0));
  const merged = options.mergedFrom !== undefined;
  const details: RunDetails = {
    formatVersion: 1,
    scenario: base.scenario,
    description: base.description,
    startedAt: new Date(Math.min(...headers.map((h) => Date.parse(h.startedAt)))).toISOString(),
    endedAt: new Date(Math.max(...ends.map((e) => (e ? Date.parse(e.endedAt) : 0)), Date.parse(base.startedAt))).toISOString(),
    target: base.target,
    config: merged ? { ...base.config, segment: null, accounts: headers.reduce((n, h) => n + h.config.accounts, 0) } : base.config,
    verdict: { status: 'passed', exitCode: 0, reasons: [] },
    validity,
    thresholds: results,
    endpoints: endpointDetails(whole, base.endpoints),
    histograms: {
      lag: withHistogram(whole, 'schedule_lag', {}, encodeHistogram),
      iterationDuration: withHistogram(whole, 'iteration_duration', {}, encodeHistogram),
    },
    checks,
    invariants,
    contractFailureSamples: folded.contractFailures,
    timeseries,
    windows,
    interrupted,
    counts: {
      scheduled,
      offered: started + dropped,
      notFired: Math.max(0, scheduled - started - dropped),
      started,
      dropped,
      completed: ended,
      failed: iterationsFailed,
      abandoned,
    },
    memory: { peakRssBytes: Math.max(0, ...ends.map((e) => e?.peakRssBytes ?? 0)) },
    ...(merged ? { mergedFrom: options.mergedFrom } : {}),
  };
  const rule = base.config.degradation ?? DEFAULT_DEGRADATION;
  details.contractCoverage = {
    sample: base.config.checkSample ?? 1,
    checked: Object.keys(details.endpoints).reduce((n, endpoint) => n + (checks[contractCheck(endpoint)]?.passes ?? 0) + (checks[contractCheck(endpoint)]?.fails ?? 0), 0),
    responses: Object.values(details.endpoints).reduce((n, e) => n + e.requests - e.failed, 0),
  };
  if (base.reportsCapacity) details.capacity = capacityOf(windows, base.config.validity.minRateRatio);
  if (base.reportsDrift) details.drift = driftOf(windows.map((figures, i) => ({ figures, set: fold.windows[i]!.set })), rule);
  details.degradation = degradationOf(fold, Object.keys(details.endpoints), rule);
  if (details.degradation === undefined) delete details.degradation;
  const tty = options.tty ?? { out: false, err: false };
  const summary = k6Envelope(metrics, details, judgedMs, tty);
  details.baseline = options.compare?.(summary);
  if (details.baseline === undefined) delete details.baseline;
  const covered = new Set(segments.map((s) => s.index));
  const cap = Math.ceil(base.config.executor.maxVUs * share);
  const vus = [...whole.gaugeBySecond('vus').values()];
  details.failures = Object.keys(details.endpoints)
    .map((endpoint) => ({
      endpoint,
      requests: details.endpoints[endpoint]!.requests,
      failed: details.endpoints[endpoint]!.failed,
      reasons: [...whole.matching('http_req_failed', { endpoint })]
        .filter((s) => s.tags.reason !== undefined && s.passes > 0)
        .map((s) => ({ reason: s.tags.reason!, count: s.passes }))
        .sort((a, b) => b.count - a.count),
    }))
    .filter((f) => f.failed > 0);
  details.verdict = decideVerdict({
    target: hostOf(base.target.origin),
    failures: details.failures,
    capFull: { cap, seconds: vus.filter((v) => v >= cap).length, dropped },
    interrupted,
    aborted,
    validity,
    thresholds: results,
    requests: whole.count('http_reqs'),
    contractFailures: whole.count('contract_failures'),
    contractExample: folded.contractFailures[0],
    invariants,
    flowErrors: ends.flatMap((e) => e?.flowErrors ?? []),
    abandoned,
    degraded: details.degradation?.endpoints.filter((c) => c.degraded).map((c) => describeDegradation(c, rule, ['first third', 'last third'])) ?? [],
    missingSegments: merged ? Array.from({ length: count }, (_, k) => k).filter((k) => !covered.has(k)).map((k) => formatSegment({ index: k, count })) : [],
    baseline: details.baseline,
  });
  return summary;
}


export function hostOf(origin: string): string {
  try {
    const url = new URL(origin);
    return url.port ? url.host : `${url.host}:${url.protocol === 'https:' ? 443 : 80}`;
  } catch {
    return origin;
  }
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
