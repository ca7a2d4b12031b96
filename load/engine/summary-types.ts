/**
 * The shape of a load run's `summary.json`: k6's end-of-test summary data (the object k6
 * hands to `handleSummary`: `root_group`, `options`, `state`, `metrics`) so that anything
 * that reads k6 summaries reads ours, plus one `puppilot` member with what k6 does not
 * carry: the configuration, the verdict and why, run validity, per-endpoint detail with
 * the encoded HDR histograms (for exact merging), a per-second time series for charts,
 * per-window figures (stress steps, soak slices), invariants and the baseline comparison.
 *
 * Times are milliseconds (k6's `summaryTimeUnit: 'ms'`), rates are per second, fractions
 * are 0..1. Histograms record microseconds (1 µs to 1 h, 3 significant digits) and are
 * encoded with HdrHistogram's compressed base64 form, which every HdrHistogram library reads.
 */
import type { TransportErrorKind } from './http.ts';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** Trend statistics, as k6 names them. */
export interface TrendValues {
  avg: number;
  min: number;
  med: number;
  max: number;
  'p(90)': number;
  'p(95)': number;
  'p(99)': number;
  'p(99.9)': number;
}

export interface ThresholdOutcome {
  ok: boolean;
}

export interface K6Metric {
  type: MetricType;
  contains: 'default' | 'time' | 'data';
  /** counter: count, rate; rate: rate, passes, fails; trend: TrendValues; gauge: value, min, max. */
  values: Record<string, number>;
  /** Present when thresholds were defined on this metric (or submetric). */
  thresholds?: Record<string, ThresholdOutcome>;
}

export interface K6Check {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

/** Where a run's HTTP requests went: sign-in, refresh, chat (the tag `endpoint`). */
export type EndpointName = string;

/** Classes of failure that are not an HTTP status (declared with the HTTP client). */
export type { TransportErrorKind };

export interface EndpointDetails {
  requests: number;
  /** Responses outside the expected statuses, plus transport errors. */
  failed: number;
  /** Responses whose status or body broke the contract (counted apart from `failed`). */
  contractFailures: number;
  /** Count per HTTP status, e.g. `{ "200": 5012, "401": 3 }`. */
  statuses: Record<string, number>;
  errors: Partial<Record<TransportErrorKind, number>>;
  /** From the write of the request to the end of the response body. */
  duration: TrendValues;
  /** From the intended start (see the load README): what a user waited. */
  corrected: TrendValues;
  /** Compressed base64 HdrHistograms in microseconds. */
  histograms: { duration: string; corrected: string };
}

export interface ThresholdResult {
  /** The metric as written, with tags: `http_req_duration{endpoint:sign-in}`. */
  metric: string;
  /** The expression as written: `p(95)<400`. */
  expression: string;
  ok: boolean;
  /** The value the expression compared, e.g. the p95 in ms; null when there was no data. */
  actual: number | null;
  abortOnFail: boolean;
}

export type VerdictStatus = 'passed' | 'failed' | 'invalid' | 'interrupted' | 'aborted';

export interface Verdict {
  status: VerdictStatus;
  /** 0 passed, 1 otherwise (configuration errors exit 2 before a summary exists). */
  exitCode: 0 | 1;
  /** One line each: every breached threshold, contract failures, invalidity, regression. */
  reasons: string[];
}

export interface Validity {
  valid: boolean;
  reasons: string[];
  /** Arrivals per second the schedule asked of this process (after its segment share). */
  targetRate: number;
  /** Arrivals fired on schedule: started plus dropped. */
  offeredRate: number;
  /** Iterations actually started. */
  startedRate: number;
  /** Lag of an arrival's actual start behind its due time. */
  lagMs: { p50: number; p99: number; max: number };
  /** The 10 s windows after the first 5 s: target and offered arrivals in each. */
  windows: { startS: number; endS: number; target: number; offered: number }[];
}

/** A stretch of the run judged on its own: a stress step, a soak slice. */
export interface WindowFigures {
  label: string;
  startS: number;
  endS: number;
  /** Mean target arrival rate over the window. */
  targetRate: number;
  offeredRate: number;
  requests: number;
  requestRate: number;
  p95Ms: number | null;
  p99Ms: number | null;
  failedRate: number;
  checksRate: number;
  dropped: number;
  /** The scenario's thresholds evaluated on this window alone. */
  thresholdsHeld: boolean;
  breached: string[];
}

export interface TimeSeries {
  /** Second of the run, 0-based; every array below has one entry per second. */
  t: number[];
  targetRate: number[];
  /** Arrivals fired (started + dropped). */
  offered: number[];
  started: number[];
  dropped: number[];
  inFlight: number[];
  /** HTTP requests completed per endpoint. */
  requests: Record<EndpointName, number[]>;
  /** Failed requests (all endpoints) and contract failures per second. */
  failed: number[];
  contractFailures: number[];
  /** Percentiles of http_req_duration per endpoint per second (ms); null where no request ended. */
  p50: Record<EndpointName, (number | null)[]>;
  p95: Record<EndpointName, (number | null)[]>;
  p99: Record<EndpointName, (number | null)[]>;
  /** p99 of the corrected latency per endpoint per second (ms). */
  correctedP99: Record<EndpointName, (number | null)[]>;
}

export interface Invariants {
  /** Token values tracked for uniqueness (bounded; see `tokenLimit`). */
  tokensTracked: number;
  tokenLimit: number;
  duplicateTokens: number;
  refreshUserMismatches: number;
  reuseProbes: { sent: number; refused: number; accepted: number };
}

export interface ContractFailureSample {
  endpoint: EndpointName;
  status: number | null;
  /** Redacted: JSON paths and rules only, never a token or a password. */
  problems: string[];
}

export interface BaselineComparison {
  /** e.g. `p95 sign-in`, `p99 refresh`, `throughput`, `capacity`. */
  figure: string;
  unit: 'ms' | 'req/s';
  baseline: number | null;
  current: number | null;
  /** Relative change in percent, positive = larger now; null when either side is missing. */
  changePct: number | null;
  /** Worse by more than the allowed percentage. */
  regressed: boolean;
}

export interface BaselineVerdict {
  /** Where the baseline came from (a file name relative to the reports folder, or a label). */
  source: string;
  baselineStartedAt: string;
  allowedPct: number;
  comparisons: BaselineComparison[];
  regressed: boolean;
}

export interface ExecutorConfig {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
  /** constant-arrival-rate: iterations per timeUnit. */
  rate?: number;
  /** ramping-arrival-rate: the rate at the start. */
  startRate?: number;
  timeUnit: string;
  duration?: string;
  stages?: { target: number; duration: string }[];
  /** k6's maxVUs: the in-flight cap; an arrival beyond it is dropped. */
  maxVUs: number;
}

export interface RunConfig {
  executor: ExecutorConfig;
  workers: number;
  segment: { index: number; count: number } | null;
  timeoutMs: number;
  validity: { minRateRatio: number; maxLagP99Ms: number };
  thresholds: Record<string, string[]>;
  abortOnFail: string[];
  accounts: number;
  /** LOAD_CHECK_SAMPLE: the fraction of responses whose contract was checked (older summaries: 1). */
  checkSample?: number;
  /** LOAD_DEGRADATION_FACTOR and LOAD_DEGRADATION_MARGIN_MS (older summaries lack them: the defaults). */
  degradation?: { factor: number; marginMs: number };
}

/** One stretch of a run against an earlier one (engine/degradation.ts). */
export interface P95Comparison {
  endpoint: string | null;
  firstRequests: number;
  lastRequests: number;
  firstP95Ms: number | null;
  lastP95Ms: number | null;
  changePct: number | null;
  degraded: boolean;
}

export interface RunDetails {
  formatVersion: 1;
  scenario: string;
  description: string;
  startedAt: string;
  endedAt: string;
  target: { origin: string; kind: 'embedded' | 'external' };
  config: RunConfig;
  verdict: Verdict;
  validity: Validity;
  thresholds: ThresholdResult[];
  endpoints: Record<EndpointName, EndpointDetails>;
  /** Lag and iteration duration histograms (compressed base64, µs). */
  histograms: { lag: string; iterationDuration: string };
  checks: Record<string, { passes: number; fails: number }>;
  invariants: Invariants;
  contractFailureSamples: ContractFailureSample[];
  timeseries: TimeSeries;
  windows: WindowFigures[];
  /** stress: the highest step that held every threshold (the knee); null when none did. */
  capacity?: {
    rate: number | null;
    step: string | null;
    /**
     * The first step that did not hold: the knee lies between `rate` and it. Null when every
     * step held (the knee was not reached: the capacity is at least `rate`). Absent in
     * older summaries.
     */
    failedRate?: number | null;
  };
  /** soak: how latency and errors moved from the first window to the last. */
  drift?: { p95FirstMs: number | null; p95LastMs: number | null; p95ChangePct: number | null; failedRateFirst: number; failedRateLast: number };
  /** Every run: its last third against its first, per endpoint (older summaries lack it). */
  degradation?: {
    factor: number;
    marginMs: number;
    firstThird: { startS: number; endS: number };
    lastThird: { startS: number; endS: number };
    endpoints: P95Comparison[];
    degraded: boolean;
  };
  baseline?: BaselineVerdict;
  interrupted: boolean;
  /**
   * Every arrival accounted for: scheduled = offered + notFired, offered = started + dropped,
   * started = completed + failed + abandoned (+ inFlight, iterations that ended after the
   * summary's cut, zero for a finished run). `completed` counts every iteration that ran
   * to its end (k6's `iterations`), `failed` those of them that failed.
   */
  counts?: {
    offered: number;
    started: number;
    dropped: number;
    completed: number;
    /** Added with the interval log; absent in older summaries. */
    scheduled?: number;
    notFired?: number;
    failed?: number;
    abandoned?: number;
  };
  /** Failed requests per endpoint by reason (a status, or a transport error's kind); older summaries lack it. */
  failures?: { endpoint: string; requests: number; failed: number; reasons: { reason: string; count: number }[] }[];
  /** How many responses had their contract checked, of those with an expected status (LOAD_CHECK_SAMPLE). */
  contractCoverage?: { sample: number; checked: number; responses: number };
  /** The generator process's highest resident memory during the run (older summaries lack it). */
  memory?: { peakRssBytes: number };
  /** Set on a summary made by merging segment summaries: the folders merged. */
  mergedFrom?: string[];
}

export interface LoadSummary {
  root_group: { name: string; path: string; id: string; groups: never[]; checks: K6Check[] };
  options: { summaryTrendStats: string[]; summaryTimeUnit: 'ms'; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, K6Metric>;
  puppilot: RunDetails;
}
