/**
 * How a load run's figures are written for a reader, shared by the HTML page, the JUnit
 * file and the terminal summary: milliseconds, rates per second, fractions as percentages.
 * A missing figure (null, NaN) is always an en dash, never a made-up zero. The plain figure,
 * the missing one and the instant are written as on the reports page (reporting/page.ts).
 */
import { formatNumber, MISSING } from '../../reporting/page.ts';
import { parseDuration } from '../engine/duration.ts';
import type { LoadSummary, ThresholdResult, VerdictStatus } from '../engine/summary-types.ts';

const finite = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

export const formatMs = (value: number | null | undefined): string => (finite(value) ? `${formatNumber(value)} ms` : MISSING);
export const formatRate = (value: number | null | undefined, unit = '/s'): string => (finite(value) ? `${formatNumber(value)} ${unit}` : MISSING);
export const formatCount = (value: number | null | undefined): string => (finite(value) ? Math.round(value).toLocaleString('en-US') : MISSING);

/** A fraction 0..1 as a percentage: 0.0123 → "1.23 %". */
export function formatFraction(value: number | null | undefined): string {
  return finite(value) ? `${formatNumber(value * 100)} %` : MISSING;
}

/** A signed change in percent: +12.5 %, -3 %, 0 %. */
export function formatChangePct(value: number | null | undefined): string {
  if (!finite(value)) return MISSING;
  const text = formatNumber(Math.abs(value));
  return value > 0 ? `+${text} %` : value < 0 ? `-${text} %` : '0 %';
}

/** 83_400 ms → "1m 23.4s"; 4_200 → "4.2s". */
export function formatDuration(ms: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  const totalS = ms / 1000;
  const hours = Math.floor(totalS / 3600);
  const minutes = Math.floor((totalS % 3600) / 60);
  const seconds = totalS - hours * 3600 - minutes * 60;
  const s = `${Number(seconds.toFixed(1))}s`;
  if (hours > 0) return `${hours}h ${minutes}m ${s}`;
  if (minutes > 0) return `${minutes}m ${s}`;
  return s;
}

/** The verdict as a terminal or badge word: PASSED, FAILED, INVALID, INTERRUPTED, ABORTED. */
export const verdictWord = (status: VerdictStatus): string => status.toUpperCase();

/** `http_req_duration{endpoint:sign-in}` → `http_req_duration`. */
export const baseMetric = (metric: string): string => metric.replace(/\{.*$/, '');

/**
 * A threshold's compared value in the metric's own terms: ms for time trends, the rate
 * with its percentage for rates, the plain number otherwise; "no data" when there was none.
 */
export function formatThresholdActual(summary: LoadSummary, threshold: Pick<ThresholdResult, 'metric' | 'actual'>): string {
  const { actual } = threshold;
  if (!finite(actual)) return 'no data';
  const metric = summary.metrics[threshold.metric] ?? summary.metrics[baseMetric(threshold.metric)];
  if (metric?.contains === 'time') return formatMs(actual);
  if (metric?.type === 'rate') return `${Number(actual.toPrecision(3))} (${formatFraction(actual)})`;
  return formatNumber(actual);
}

/** Seconds the run lasted: the k6 state when present, else the run's start and end. */
export function runDurationMs(summary: LoadSummary): number | null {
  const fromState = summary.state?.testRunDurationMs;
  if (finite(fromState)) return fromState;
  const span = Date.parse(summary.puppilot.endedAt) - Date.parse(summary.puppilot.startedAt);
  return Number.isFinite(span) && span >= 0 ? span : null;
}

/**
 * The executor's schedule in one line, as a person would write it:
 * "40/s for 30s"; "steps 10, 20, 40, 60, 80, 120/s, each 2s ramp + 10s plateau";
 * "5/s, held 10s, to 60/s in 2s, held 10s, to 5/s in 2s, held 10s".
 */
export function describeSchedule(summary: LoadSummary): string {
  const e = summary.puppilot.config.executor;
  const unit = e.timeUnit === '1s' ? '/s' : `/${e.timeUnit}`;
  const ms = (text: string) => {
    try {
      return parseDuration(text, 'duration');
    } catch {
      return Number.NaN;
    }
  };
  if (e.executor === 'constant-arrival-rate') return `${formatNumber(e.rate ?? null)}${unit}${e.duration ? ` for ${formatDuration(ms(e.duration))}` : ''}`;
  let from = e.startRate ?? 0;
  const stages = (e.stages ?? []).map((s) => {
    const stage = { from, to: s.target, ms: ms(s.duration) };
    from = s.target;
    return stage;
  });
  // Steps: a ramp then a plateau at its target, every ramp and every plateau as long.
  const pairs = stages.length >= 2 && stages.length % 2 === 0 ? Array.from({ length: stages.length / 2 }, (_, i) => [stages[2 * i]!, stages[2 * i + 1]!] as const) : [];
  const stepped =
    pairs.length > 0 &&
    pairs.every(([ramp, plateau]) => plateau.from === ramp.to && plateau.to === ramp.to && ramp.ms === pairs[0]![0].ms && plateau.ms === pairs[0]![1].ms);
  if (stepped) {
    const [ramp, plateau] = pairs[0]!;
    return `steps ${pairs.map(([, p]) => formatNumber(p.to)).join(', ')}${unit}, each ${formatDuration(ramp.ms)} ramp + ${formatDuration(plateau.ms)} plateau`;
  }
  const parts = [`${formatNumber(e.startRate ?? 0)}${unit}`];
  for (const s of stages) parts.push(s.from === s.to ? `held ${formatDuration(s.ms)}` : `to ${formatNumber(s.to)}${unit} in ${formatDuration(s.ms)}`);
  return parts.join(', ');
}

/** Total requests, failures and contract failures over every endpoint. */
export function endpointTotals(summary: LoadSummary): { requests: number; failed: number; contractFailures: number } {
  let requests = 0;
  let failed = 0;
  let contractFailures = 0;
  for (const e of Object.values(summary.puppilot.endpoints)) {
    requests += e.requests;
    failed += e.failed;
    contractFailures += e.contractFailures;
  }
  return { requests, failed, contractFailures };
}

/** `{ "200": 5012, "401": 3 }` → "200: 5,012 · 401: 3"; statuses in numeric order. */
export function formatCounts(counts: Record<string, number | undefined>, separator = ' · '): string {
  const entries = Object.entries(counts).filter((e): e is [string, number] => finite(e[1]) && e[1] > 0);
  if (entries.length === 0) return MISSING;
  entries.sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  return entries.map(([k, v]) => `${k}: ${formatCount(v)}`).join(separator);
}

/**
 * Every arrival accounted for, in one line: "600 scheduled = 590 started + 10 dropped + 0 not
 * fired; started = 570 completed + 15 failed + 5 abandoned". Null for a summary written
 * before the counts had these parts.
 */
export function describeBalance(summary: LoadSummary): string | null {
  const c = summary.puppilot.counts;
  if (!c || c.scheduled === undefined || c.failed === undefined || c.abandoned === undefined) return null;
  const completed = c.completed - c.failed;
  const notFired = c.notFired ?? 0;
  return (
    `${formatCount(c.scheduled)} scheduled = ${formatCount(c.started)} started + ${formatCount(c.dropped)} dropped + ${formatCount(notFired)} not fired; ` +
    `started = ${formatCount(completed)} completed + ${formatCount(c.failed)} failed + ${formatCount(c.abandoned)} abandoned`
  );
}

/** 212_000_000 bytes → "202 MiB". */
export function formatMemory(bytes: number | null | undefined): string {
  return finite(bytes) && bytes > 0 ? `${formatNumber(Math.round(bytes / 1048576))} MiB` : MISSING;
}

/**
 * The stress capacity in words: "80/s (step 5: 80/s): held every threshold; the next step,
 * 120/s, did not: the knee lies between them", or "not reached: at least 120/s, every step
 * held; raise LOAD_RATE to find the knee", or "no step held every threshold".
 */
export function describeCapacity(capacity: NonNullable<LoadSummary['puppilot']['capacity']>): string {
  const { rate, step, failedRate } = capacity;
  if (rate === null) return 'no step held every threshold';
  const at = `${formatNumber(rate)}/s${step ? ` (${step})` : ''}`;
  if (failedRate === null) return `not reached: at least ${at}, every step held; raise LOAD_RATE to find the knee`;
  if (failedRate === undefined) return `${at}, the highest step that held every threshold`;
  return `${at}, the highest step that held every threshold; the next, ${formatNumber(failedRate)}/s, did not: the knee lies between them`;
}
