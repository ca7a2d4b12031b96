/**
 * Thresholds in k6's syntax: a metric, optionally narrowed by tags, mapped to expressions
 *   'http_req_duration{endpoint:sign-in}': ['p(95)<400'],
 *   http_req_failed: ['rate<0.01'],
 *   checks: [{ threshold: 'rate==1', abortOnFail: true }],
 * They are parsed before anything is sent (an unknown metric, tag or aggregation is a
 * configuration error) and evaluated on a MetricState: the whole run, or one window.
 */
import { ConfigError } from '../../lib/errors.ts';
import { parseDuration } from './duration.ts';
import { percentileMs, trendValues, type Histogram } from './histogram.ts';
import type { EndpointCounts, MetricState } from './metrics.ts';
import type { MetricType, ThresholdResult } from './summary-types.ts';

export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type ThresholdMap = Record<string, ThresholdInput[]>;

/** The metrics the engine emits, with their k6 type and the tags they can be narrowed by. */
export const METRICS: Record<string, { type: MetricType; tags: readonly string[]; about: string }> = {
  http_reqs: { type: 'counter', tags: ['endpoint', 'status'], about: 'HTTP requests completed' },
  http_req_duration: { type: 'trend', tags: ['endpoint'], about: 'from writing the request to the end of the response body' },
  http_req_duration_corrected: { type: 'trend', tags: ['endpoint'], about: 'from the intended start (no coordinated omission)' },
  http_req_failed: { type: 'rate', tags: ['endpoint'], about: 'requests outside the expected statuses, or transport errors' },
  checks: { type: 'rate', tags: ['check'], about: 'contract and invariant checks that held' },
  contract_failures: { type: 'counter', tags: ['endpoint'], about: 'responses that broke the contract' },
  iterations: { type: 'counter', tags: [], about: 'iterations completed' },
  iteration_duration: { type: 'trend', tags: [], about: 'an iteration from its start to its end' },
  dropped_iterations: { type: 'counter', tags: [], about: 'arrivals dropped at the in-flight cap' },
  schedule_lag: { type: 'trend', tags: [], about: 'actual start of an arrival minus its due time' },
};

const AGGREGATIONS: Record<MetricType, RegExp> = {
  trend: /^(avg|min|max|med|p\((\d+(?:\.\d+)?)\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
  gauge: /^value$/,
};

type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
const OPS: Record<Operator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export interface Threshold {
  /** As written: `http_req_duration{endpoint:sign-in}`. */
  key: string;
  metric: string;
  tags: Record<string, string>;
  expression: string;
  aggregation: string;
  operator: Operator;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

function parseKey(key: string): { metric: string; tags: Record<string, string> } {
  const m = /^([a-z_][a-z0-9_]*)(?:\{([^}]*)\})?$/.exec(key.trim());
  if (!m) throw new ConfigError('thresholds', `'${key}' is not a metric name with optional {tag:value}`);
  const metric = m[1]!;
  const info = METRICS[metric];
  if (!info) throw new ConfigError('thresholds', `unknown metric '${metric}' (known: ${Object.keys(METRICS).join(', ')})`);
  const tags: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...rest] = pair.split(':');
    const value = rest.join(':').trim();
    if (!name || !value) throw new ConfigError('thresholds', `'${key}': expected tag:value, got '${pair}'`);
    if (!info.tags.includes(name.trim())) {
      throw new ConfigError('thresholds', `'${key}': ${metric} cannot be narrowed by '${name.trim()}' (${info.tags.length ? `only by ${info.tags.join(', ')}` : 'it has no tags'})`);
    }
    tags[name.trim()] = value;
  }
  return { metric, tags };
}

export function parseThresholds(map: ThresholdMap): Threshold[] {
  const out: Threshold[] = [];
  for (const [key, list] of Object.entries(map)) {
    const { metric, tags } = parseKey(key);
    if (!Array.isArray(list)) throw new ConfigError('thresholds', `'${key}': expected a list of expressions`);
    for (const item of list) {
      const valid = typeof item === 'string' || (typeof item === 'object' && item !== null && typeof (item as { threshold?: unknown }).threshold === 'string');
      if (!valid) throw new ConfigError('thresholds', `'${key}': each entry is an expression string or {"threshold": "...", "abortOnFail": true}, got ${JSON.stringify(item)}`);
      const spec = typeof item === 'string' ? { threshold: item } : item;
      const expression = spec.threshold.replace(/\s+/g, '');
      const m = /^([a-z]+(?:\(\d+(?:\.\d+)?\))?)(<=|>=|===|==|!=|<|>)(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(expression);
      if (!m) throw new ConfigError('thresholds', `'${key}': '${spec.threshold}' is not <aggregation><operator><number>, e.g. p(95)<400`);
      const type = METRICS[metric]!.type;
      if (!AGGREGATIONS[type].test(m[1]!)) throw new ConfigError('thresholds', `'${key}': ${m[1]} does not apply to a ${type} metric`);
      const p = /^p\((.+)\)$/.exec(m[1]!)?.[1];
      if (p !== undefined && (Number(p) < 0 || Number(p) > 100)) throw new ConfigError('thresholds', `'${key}': percentile ${p} is outside 0..100`);
      out.push({
        key: key.trim(),
        metric,
        tags,
        expression,
        aggregation: m[1]!,
        operator: m[2] as Operator,
        value: Number(m[3]),
        abortOnFail: typeof item === 'object' && item.abortOnFail === true,
        delayAbortEvalMs: typeof item === 'object' && item.delayAbortEval ? parseDuration(item.delayAbortEval, 'delayAbortEval') : 0,
      });
    }
  }
  return out;
}

/** A metric's aggregation on a state, or null when there is no sample to judge. */
export function aggregate(state: MetricState, elapsedSeconds: number, metric: string, tags: Record<string, string>, aggregation: string): number | null {
  const endpoint = tags.endpoint;
  const endpoints = endpoint === undefined ? [...state.endpoints.values()] : state.endpoints.has(endpoint) ? [state.endpoint(endpoint)] : [];
  const sum = (pick: (e: EndpointCounts) => number) => endpoints.reduce((n, e) => n + pick(e), 0);
  const perSecond = (count: number) => (elapsedSeconds > 0 ? count / elapsedSeconds : 0);
  const counter = (count: number) => (aggregation === 'count' ? count : perSecond(count));
  const trend = (histogram: Histogram): number | null => {
    if (histogram.totalCount === 0) return null;
    const p = /^p\((.+)\)$/.exec(aggregation)?.[1];
    if (p !== undefined) return percentileMs(histogram, Number(p));
    const v = trendValues(histogram);
    return aggregation === 'avg' ? v.avg : aggregation === 'min' ? v.min : aggregation === 'max' ? v.max : v.med;
  };
  const trendOf = (kind: 'duration' | 'corrected') => {
    if (endpoint !== undefined) return endpoints[0] ? trend(endpoints[0][kind]) : null;
    const merged = state.merged(kind);
    try {
      return trend(merged);
    } finally {
      merged.destroy();
    }
  };
  switch (metric) {
    case 'http_reqs':
      return counter(tags.status === undefined ? sum((e) => e.requests) : endpoints.reduce((n, e) => n + (e.statuses[tags.status!] ?? 0), 0));
    case 'contract_failures':
      return counter(sum((e) => e.contractFailures));
    case 'http_req_failed': {
      const requests = sum((e) => e.requests);
      return requests === 0 ? null : sum((e) => e.failed) / requests;
    }
    case 'http_req_duration':
      return trendOf('duration');
    case 'http_req_duration_corrected':
      return trendOf('corrected');
    case 'checks': {
      const list = tags.check !== undefined ? [state.checks.get(tags.check) ?? { passes: 0, fails: 0 }] : [...state.checks.values()];
      const passes = list.reduce((n, c) => n + c.passes, 0);
      const fails = list.reduce((n, c) => n + c.fails, 0);
      return passes + fails === 0 ? null : passes / (passes + fails);
    }
    case 'iterations':
      return counter(state.completed);
    case 'dropped_iterations':
      return counter(state.dropped);
    case 'iteration_duration':
      return trend(state.iterationDuration);
    case 'schedule_lag':
      return trend(state.lag);
    default:
      return null;
  }
}

/**
 * Judges every threshold. A trend or rate with no sample fails ("no data"): a run that
 * measured nothing has shown nothing. Counters with no sample are zero.
 */
export function evaluateThresholds(thresholds: Threshold[], state: MetricState, elapsedSeconds: number): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = aggregate(state, elapsedSeconds, t.metric, t.tags, t.aggregation);
    const ok = actual !== null && OPS[t.operator](actual, t.value);
    return { metric: t.key, expression: t.expression, ok, actual: actual === null ? null : Math.round(actual * 10000) / 10000, abortOnFail: t.abortOnFail };
  });
}

/** `LOAD_THRESHOLDS` is a JSON object in the same syntax; its keys replace the scenario's. */
export function parseThresholdOverride(json: string | undefined): ThresholdMap | undefined {
  if (json === undefined || json.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('LOAD_THRESHOLDS', 'expected a JSON object such as {"http_req_duration{endpoint:sign-in}":["p(95)<400"]}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('LOAD_THRESHOLDS', 'expected a JSON object of metric → list of expressions');
  return parsed as ThresholdMap;
}
