/**
 * The metric registry: every metric the engine emits, declared once with its k6 type and
 * the tags its samples may carry. Threshold parsing, the interval log, the folds, the
 * summary's `metrics` and the per-second series all take metric names and tags from here;
 * no other file lists them.
 */
import type { MetricType } from './summary-types.ts';

export interface MetricInfo {
  type: MetricType;
  /** k6's `contains`: what the values measure. */
  contains: 'default' | 'time';
  /** Tags a sample may carry, in the order a series key lists them. */
  tags: readonly string[];
  /** One line for the README and error messages. */
  about: string;
  /** Tags the summary breaks the metric down by (k6 submetrics such as `{endpoint:sign-in}`). */
  summaryBy?: readonly string[];
}

export const METRICS = {
  http_reqs: { type: 'counter', contains: 'default', tags: ['endpoint', 'status', 'error'], about: 'HTTP requests completed (a transport failure carries `error` instead of `status`)' },
  http_req_duration: { type: 'trend', contains: 'time', tags: ['endpoint'], about: 'from writing the request to the end of the response body', summaryBy: ['endpoint'] },
  http_req_duration_corrected: { type: 'trend', contains: 'time', tags: ['endpoint'], about: 'from the intended start (no coordinated omission)', summaryBy: ['endpoint'] },
  http_req_failed: { type: 'rate', contains: 'default', tags: ['endpoint', 'reason'], about: 'requests outside the expected statuses, or transport errors (a failed one carries its `reason`: the status or the error kind)' },
  checks: { type: 'rate', contains: 'default', tags: ['check'], about: 'contract and invariant checks that held' },
  contract_failures: { type: 'counter', contains: 'default', tags: ['endpoint'], about: 'responses that broke the contract' },
  iterations: { type: 'counter', contains: 'default', tags: [], about: 'iterations that ran to their end (whether or not a request failed)' },
  iterations_started: { type: 'counter', contains: 'default', tags: [], about: 'arrivals that started an iteration' },
  iterations_failed: { type: 'counter', contains: 'default', tags: [], about: 'iterations that ended with a failed request, a broken contract or an error' },
  iterations_abandoned: { type: 'counter', contains: 'default', tags: [], about: 'iterations still in flight when the grace period ended (their requests failed)' },
  iteration_duration: { type: 'trend', contains: 'time', tags: [], about: 'an iteration from its start to its end' },
  dropped_iterations: { type: 'counter', contains: 'default', tags: [], about: 'arrivals dropped at the in-flight cap' },
  schedule_lag: { type: 'trend', contains: 'time', tags: [], about: 'actual start of an arrival minus its due time' },
  vus: { type: 'gauge', contains: 'default', tags: [], about: 'iterations in flight (the most in each second, summed over generators)' },
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof METRICS;
export type Tags = Readonly<Record<string, string>>;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export const isMetricName = (name: string): name is MetricName => Object.hasOwn(METRICS, name);

export const metricInfo = (name: MetricName): MetricInfo => METRICS[name];

/**
 * The key of one series (a metric and one set of tag values): `http_reqs|sign-in|200|`.
 * Tags come in the registry's order, so equal tag sets give equal keys.
 */
export function seriesKey(metric: MetricName, tags: Tags): string {
  let key: string = metric;
  for (const tag of METRICS[metric].tags) key += `|${tags[tag] ?? ''}`;
  return key;
}

/** True when every tag of `filter` has the same value in `tags`. */
export function tagsMatch(tags: Tags, filter: Tags): boolean {
  for (const name in filter) if (tags[name] !== filter[name]) return false;
  return true;
}
