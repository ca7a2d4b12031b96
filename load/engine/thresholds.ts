/**
 * Thresholds in k6's syntax: a metric, optionally narrowed by tags, mapped to expressions
 *   'http_req_duration{endpoint:sign-in}': ['p(95)<400'],
 *   http_req_failed: ['rate<0.01'],
 *   checks: [{ threshold: 'rate==1', abortOnFail: true }],
 * They are parsed before anything is sent (an unknown metric, tag or aggregation is a
 * configuration error; metrics and their tags come from the registry) and evaluated on a
 * fold's series: the whole run, or one window.
 */
import { ConfigError } from '../../lib/errors.ts';
import { parseDuration } from './duration.ts';
import { percentileMs, trendValues } from './histogram.ts';
import { isMetricName, METRICS, type MetricName, type Tags } from './registry.ts';
import type { SeriesSet } from './series.ts';
import type { MetricType, ThresholdResult } from './summary-types.ts';

export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type ThresholdMap = Record<string, ThresholdInput[]>;

const AGGREGATIONS: Record<MetricType, RegExp> = {
  trend: /^(avg|min|max|med|p\((\d+(?:\.\d+)?)\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
  gauge: /^(value|min|max)$/,
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
  metric: MetricName;
  tags: Tags;
  expression: string;
  aggregation: string;
  operator: Operator;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

function parseKey(key: string): { metric: MetricName; tags: Tags } {
  const m = /^([a-z_][a-z0-9_]*)(?:\{([^}]*)\})?$/.exec(key.trim());
  if (!m) throw new ConfigError('thresholds', `'${key}' is not a metric name with optional {tag:value}`);
  const metric = m[1]!;
  if (!isMetricName(metric)) throw new ConfigError('thresholds', `unknown metric '${metric}' (known: ${Object.keys(METRICS).join(', ')})`);
  const info = METRICS[metric];
  const tags: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...rest] = pair.split(':');
    const value = rest.join(':').trim();
    if (!name || !value) throw new ConfigError('thresholds', `'${key}': expected tag:value, got '${pair}'`);
    if (!(info.tags as readonly string[]).includes(name.trim())) {
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
      const type = METRICS[metric].type;
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

/** A metric's aggregation over the series of `set` its tags select, or null when there is no sample to judge. */
export function aggregate(set: SeriesSet, elapsedSeconds: number, metric: MetricName, tags: Tags, aggregation: string): number | null {
  switch (METRICS[metric].type) {
    case 'counter': {
      const count = set.count(metric, tags);
      return aggregation === 'count' ? count : elapsedSeconds > 0 ? count / elapsedSeconds : 0;
    }
    case 'rate': {
      const { passes, fails } = set.rate(metric, tags);
      return passes + fails === 0 ? null : passes / (passes + fails);
    }
    case 'trend': {
      const { histogram, release } = set.trend(metric, tags);
      try {
        if (histogram.totalCount === 0) return null;
        const p = /^p\((.+)\)$/.exec(aggregation)?.[1];
        if (p !== undefined) return percentileMs(histogram, Number(p));
        const v = trendValues(histogram);
        return aggregation === 'avg' ? v.avg : aggregation === 'min' ? v.min : aggregation === 'max' ? v.max : v.med;
      } finally {
        release();
      }
    }
    case 'gauge': {
      const bySecond = [...set.gaugeBySecond(metric, tags)].sort((x, y) => x[0] - y[0]).map(([, v]) => v);
      if (bySecond.length === 0) return null;
      return aggregation === 'min' ? Math.min(...bySecond) : aggregation === 'max' ? Math.max(...bySecond) : bySecond.at(-1)!;
    }
  }
}

/**
 * Judges every threshold. A trend or rate with no sample fails ("no data"): a run that
 * measured nothing has shown nothing. Counters with no sample are zero.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], set: SeriesSet, elapsedSeconds: number): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = aggregate(set, elapsedSeconds, t.metric, t.tags, t.aggregation);
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
