/**
 * `--out` on the load commands, in k6's spelling: `json=<file>`, `csv=<file>`,
 * `prometheus-rw=<url>` (repeatable). `LOAD_PROMETHEUS_RW_URL` in the environment turns on
 * the Prometheus output by itself (as in CI and Kubernetes, where the URL is a secret);
 * `--out prometheus-rw` without a URL takes it from there. Everything is checked before the
 * run starts: a bad value is a one-line configuration error (exit 2).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EnvReader } from '../../lib/config.ts';
import { ConfigError, SuiteError } from '../../lib/errors.ts';
import { parseDuration } from '../engine/duration.ts';

export type OutputSpec =
  | { kind: 'json'; file: string; gzip: boolean }
  | { kind: 'csv'; file: string; gzip: boolean }
  | { kind: 'prometheus-rw'; settings: PrometheusSettings };

export interface PrometheusSettings {
  /** The remote-write endpoint, credentials removed (they travel as a header). */
  url: string;
  /** `Authorization` header value, or none. Never printed. */
  authorization?: string;
  /** `p(95)`, `max`, …: the gauges each trend becomes. */
  trendStats: TrendStat[];
  /** Each trend as one native histogram, `k6_<name>_seconds`, instead of the gauges. */
  trendAsNativeHistogram: boolean;
  flushIntervalMs: number;
  /** One request's deadline. */
  timeoutMs: number;
  /** Batches waiting to be sent at most; the oldest is dropped beyond it. */
  maxQueuedBatches: number;
  /** `testid` label: LOAD_TESTID, else the run folder's name. */
  testid?: string;
}

export interface TrendStat {
  /** As written: `p(95)`, `max`. */
  stat: string;
  /** The metric name's suffix: `p95`, `max`. */
  suffix: string;
}

export const OUT_KINDS = ['json', 'csv', 'prometheus-rw'] as const;
export const DEFAULT_TREND_STATS = 'p(50),p(90),p(95),p(99),max,count';
const DEFAULT_FLUSH_MS = 5000;
const DEFAULT_TIMEOUT_MS = 5000;
const MAX_QUEUED_BATCHES = 60;

/** `p(99.9)` → `p999` (k6's naming), `avg` → `avg`. */
export function parseTrendStats(text: string): TrendStat[] {
  const stats: TrendStat[] = [];
  for (const raw of text.split(',')) {
    const stat = raw.trim();
    if (stat === '') continue;
    const p = /^p\((\d{1,2}(?:\.\d+)?|100)\)$/.exec(stat);
    if (p) stats.push({ stat, suffix: `p${p[1]!.replace('.', '')}` });
    else if (['count', 'sum', 'min', 'max', 'avg', 'med'].includes(stat)) stats.push({ stat, suffix: stat });
    else throw new ConfigError('LOAD_PROMETHEUS_TREND_STATS', `unknown statistic '${stat}' (count, sum, min, max, avg, med, p(N))`);
  }
  if (stats.length === 0) throw new ConfigError('LOAD_PROMETHEUS_TREND_STATS', 'names no statistic');
  return stats;
}

function fileSpec(kind: 'json' | 'csv', value: string): OutputSpec {
  if (value === '') throw new SuiteError('USAGE', `--out ${kind}= needs a file name`);
  const file = resolve(value);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SuiteError('USAGE', `--out ${kind}=${value}: the folder ${dirname(value) || '.'} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new SuiteError('USAGE', `--out ${kind}=${value} is a folder, not a file`);
  return { kind, file, gzip: file.endsWith('.gz') };
}

/** The URL's origin and path without credentials, for the console and summary.json. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function positiveDuration(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const text = env[variable];
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text, variable);
  if (!(ms > 0)) throw new ConfigError(variable, 'must be above zero');
  return ms;
}

export function prometheusSettings(urlText: string, env: NodeJS.ProcessEnv, source: string): PrometheusSettings {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new ConfigError(source, 'is not a URL (http://host:port/api/v1/write)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(source, `must be an http or https URL, not ${url.protocol}`);
  // Credentials in the URL are taken out of it, so that the URL can be shown.
  let user = env.LOAD_PROMETHEUS_USER ?? '';
  let password = env.LOAD_PROMETHEUS_PASSWORD ?? '';
  if (url.username || url.password) {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
  }
  const token = env.LOAD_PROMETHEUS_BEARER_TOKEN ?? '';
  if (token && (user || password)) throw new ConfigError('LOAD_PROMETHEUS_BEARER_TOKEN', 'set either a bearer token or LOAD_PROMETHEUS_USER/LOAD_PROMETHEUS_PASSWORD, not both');
  if (password && !user) throw new ConfigError('LOAD_PROMETHEUS_USER', 'a password needs a user');
  const authorization = token ? `Bearer ${token}` : user ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  const testid = env.LOAD_TESTID;
  if (testid !== undefined && testid !== '' && !/^[\w.:/-]{1,128}$/.test(testid)) throw new ConfigError('LOAD_TESTID', 'letters, digits and . _ : / - only, at most 128');
  return {
    url: url.toString(),
    ...(authorization ? { authorization } : {}),
    trendStats: parseTrendStats(env.LOAD_PROMETHEUS_TREND_STATS ?? DEFAULT_TREND_STATS),
    trendAsNativeHistogram: new EnvReader(env).bool('LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM', false),
    flushIntervalMs: positiveDuration(env, 'LOAD_PROMETHEUS_FLUSH_INTERVAL', DEFAULT_FLUSH_MS),
    timeoutMs: positiveDuration(env, 'LOAD_PROMETHEUS_TIMEOUT', DEFAULT_TIMEOUT_MS),
    maxQueuedBatches: MAX_QUEUED_BATCHES,
    ...(testid ? { testid } : {}),
  };
}

/** The outputs of one run, from the `--out` values given and the environment. */
export function parseOutputs(values: readonly string[], env: NodeJS.ProcessEnv): OutputSpec[] {
  const specs: OutputSpec[] = [];
  let prometheus = false;
  for (const value of values) {
    const [kind, rest] = value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (kind === 'json' || kind === 'csv') {
      if (rest === undefined) throw new SuiteError('USAGE', `--out ${kind} needs a file: --out ${kind}=<file>`);
      specs.push(fileSpec(kind, rest));
    } else if (kind === 'prometheus-rw' || kind === 'experimental-prometheus-rw') {
      if (prometheus) throw new SuiteError('USAGE', '--out prometheus-rw given twice');
      prometheus = true;
      const url = rest ?? env.LOAD_PROMETHEUS_RW_URL;
      if (!url) throw new SuiteError('USAGE', '--out prometheus-rw needs a URL: --out prometheus-rw=<url> or LOAD_PROMETHEUS_RW_URL');
      specs.push({ kind: 'prometheus-rw', settings: prometheusSettings(url, env, rest !== undefined ? '--out prometheus-rw' : 'LOAD_PROMETHEUS_RW_URL') });
    } else {
      throw new SuiteError('USAGE', `--out ${value}: unknown output (${OUT_KINDS.map((k) => `${k}=…`).join(', ')})`);
    }
  }
  if (!prometheus && env.LOAD_PROMETHEUS_RW_URL) specs.push({ kind: 'prometheus-rw', settings: prometheusSettings(env.LOAD_PROMETHEUS_RW_URL, env, 'LOAD_PROMETHEUS_RW_URL') });
  const files = specs.flatMap((s) => ('file' in s ? [s.file] : []));
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice) throw new SuiteError('USAGE', `--out names the file ${twice} twice`);
  return specs;
}
