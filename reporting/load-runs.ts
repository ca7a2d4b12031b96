/**
 * Stored load runs, read back for the reports page.
 *
 * A load run is a folder `reports/load/<scenario>-<timestamp>/` holding `summary.json`:
 * the object k6 passes to `handleSummary`, written as JSON
 * (https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/), and, when
 * the suite's own engine ran it, a `puppilot` member (load/engine/summary-types.ts) with the
 * verdict, validity, per-endpoint figures and, for stress, the capacity. The timestamp is
 * UTC in ISO 8601 basic form, `20261128T174500Z`, so that folder names sort in time order.
 *
 * Only the few figures a trend needs are read. The k6 part must be there; a folder that does
 * not hold it is reported as unreadable with the reason, never charted with made-up values.
 * The `puppilot` member is optional and read figure by figure: what is missing or malformed
 * in it is simply not shown (a plain k6 summary still charts what it has).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FromSchema } from 'json-schema-to-ts';

const trendValues = {
  type: 'object',
  required: ['p(95)'],
  properties: {
    'p(95)': { type: 'number', minimum: 0 },
    'p(99)': { type: 'number', minimum: 0 },
    med: { type: 'number', minimum: 0 },
  },
} as const;

const thresholds = {
  type: 'object',
  additionalProperties: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } },
} as const;

/** The part of k6's summary data the page reads; everything else in the file is ignored. */
export const k6SummarySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['metrics'],
  properties: {
    state: { type: 'object', properties: { testRunDurationMs: { type: 'number', minimum: 0 } } },
    metrics: {
      type: 'object',
      required: ['http_reqs', 'http_req_duration'],
      properties: {
        http_reqs: {
          type: 'object',
          required: ['values'],
          properties: {
            values: {
              type: 'object',
              required: ['count', 'rate'],
              properties: { count: { type: 'number', minimum: 0 }, rate: { type: 'number', minimum: 0 } },
            },
          },
        },
        http_req_duration: { type: 'object', required: ['values'], properties: { values: trendValues } },
        http_req_failed: {
          type: 'object',
          properties: { values: { type: 'object', properties: { rate: { type: 'number', minimum: 0, maximum: 1 } } } },
        },
        checks: {
          type: 'object',
          properties: { values: { type: 'object', properties: { rate: { type: 'number', minimum: 0, maximum: 1 } } } },
        },
        dropped_iterations: {
          type: 'object',
          properties: { values: { type: 'object', properties: { count: { type: 'number', minimum: 0 } } } },
        },
      },
      additionalProperties: { type: 'object', properties: { values: { type: 'object' }, thresholds } },
    },
  },
} as const;

export type K6Summary = FromSchema<typeof k6SummarySchema>;

// strictTuples/strictRequired stay on; `additionalProperties` with `properties` is plain 2020-12.
const validateSummary = new Ajv2020({ strict: true, allErrors: false }).compile<K6Summary>(k6SummarySchema);

/** A run's figures, in the units the page shows: milliseconds, requests per second, fractions. */
export interface LoadRun {
  kind: 'run';
  /** The folder name, unique per run. */
  id: string;
  scenario: string;
  startedAt: Date;
  requests: number;
  throughputRps: number;
  p95Ms: number;
  p99Ms?: number;
  medianMs?: number;
  failedRate?: number;
  checksRate?: number;
  droppedIterations?: number;
  durationMs?: number;
  /** `metric: expression` for every threshold that failed; empty when all held. */
  breachedThresholds: string[];
  thresholdCount: number;
  /** p95 per endpoint, from submetrics such as `http_req_duration{endpoint:sign-in}` or the run's endpoint details. */
  endpointP95Ms: Record<string, number>;
  /** p99 per endpoint, likewise, where the summary has it. */
  endpointP99Ms: Record<string, number>;
  /** The run's verdict: the engine's when the summary has one, else what the thresholds say. */
  verdict: RunVerdict;
  /** Whether the run achieved the load it was asked for (engine runs only). */
  valid?: boolean;
  /** stress: the highest arrival rate that held every threshold; null when no step did. */
  capacity?: { rate: number | null; step: string | null };
  /** `segment k of n` for one process's share of a distributed run. */
  segment?: string;
  /** The run's own page (`report.html`), when its folder has one. */
  report?: string;
  /** Files in the run's folder, for links (summary, report, JUnit). */
  files: string[];
}

export const VERDICT_STATUSES = ['passed', 'failed', 'invalid', 'interrupted', 'aborted'] as const;

export interface RunVerdict {
  /** `unknown`: a plain k6 summary without thresholds says neither passed nor failed. */
  status: (typeof VERDICT_STATUSES)[number] | 'unknown';
  reasons: string[];
  /** True when read from thresholds because the summary carries no verdict of its own. */
  derived: boolean;
}

export interface UnreadableRun {
  kind: 'unreadable';
  id: string;
  reason: string;
  files: string[];
}

export const SUMMARY_FILE = 'summary.json';
export const REPORT_FILE = 'report.html';
const FOLDER_NAME = /^(?<scenario>[a-z0-9][a-z0-9_-]*)-(?<stamp>\d{8}T\d{6}Z)$/i;

/** `20261128T174500Z` → the Date it names, or undefined when it names no real instant. */
export function parseRunStamp(stamp: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/i.exec(stamp);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 20261345T… over into another day; a stamp that does so is not a stamp.
  const roundTrip = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return roundTrip ? date : undefined;
}

/** The folder name a load run started at `date` should get. */
export function runFolderName(scenario: string, date: Date): string {
  const stamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${scenario}-${stamp}`;
}

/** Reads one run folder. Never throws: whatever is wrong becomes the unreadable reason. */
export function readLoadRun(dir: string, id: string): LoadRun | UnreadableRun {
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()).sort();
  const unreadable = (reason: string): UnreadableRun => ({ kind: 'unreadable', id, reason, files });
  const name = FOLDER_NAME.exec(id);
  const startedAt = name ? parseRunStamp(name.groups!.stamp!) : undefined;
  if (!name || !startedAt) return unreadable('folder name is not <scenario>-<YYYYMMDDTHHMMSSZ>');
  if (!files.includes(SUMMARY_FILE)) return unreadable(`no ${SUMMARY_FILE}`);

  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(dir, SUMMARY_FILE), 'utf8'));
  } catch (error) {
    return unreadable(`${SUMMARY_FILE} is not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!validateSummary(data)) {
    const e = validateSummary.errors?.[0];
    const where = `${e?.instancePath ?? ''}`.replace(/^\//, '').replace(/\//g, '.') || 'the document';
    return unreadable(`${SUMMARY_FILE} is not a k6 summary: ${where} ${e?.message ?? 'is invalid'}`);
  }
  const { metrics, state } = data;
  const duration = metrics.http_req_duration.values;
  const breached: string[] = [];
  let thresholdCount = 0;
  const endpointP95Ms: Record<string, number> = {};
  const endpointP99Ms: Record<string, number> = {};
  for (const [metric, entry] of Object.entries(metrics as Record<string, { values?: Record<string, unknown>; thresholds?: Record<string, { ok?: boolean }> }>)) {
    for (const [expression, result] of Object.entries(entry.thresholds ?? {})) {
      thresholdCount += 1;
      if (result.ok === false) breached.push(`${metric}: ${expression}`);
    }
    const endpoint = /^http_req_duration\{endpoint:([^}]+)\}$/.exec(metric)?.[1];
    const p95 = entry.values?.['p(95)'];
    const p99 = entry.values?.['p(99)'];
    if (endpoint && isFigure(p95)) endpointP95Ms[endpoint] = p95;
    if (endpoint && isFigure(p99)) endpointP99Ms[endpoint] = p99;
  }
  const details = engineDetails((data as { puppilot?: unknown }).puppilot);
  Object.assign(endpointP95Ms, details.endpointP95Ms);
  Object.assign(endpointP99Ms, details.endpointP99Ms);
  const verdict: RunVerdict = details.verdict ?? {
    status: breached.length > 0 ? 'failed' : thresholdCount > 0 ? 'passed' : 'unknown',
    reasons: breached.map((b) => `threshold breached: ${b}`),
    derived: true,
  };
  return {
    kind: 'run',
    id,
    scenario: name.groups!.scenario!,
    startedAt,
    requests: metrics.http_reqs.values.count,
    throughputRps: metrics.http_reqs.values.rate,
    p95Ms: duration['p(95)'],
    p99Ms: duration['p(99)'],
    medianMs: duration.med,
    failedRate: metrics.http_req_failed?.values?.rate,
    checksRate: metrics.checks?.values?.rate,
    droppedIterations: metrics.dropped_iterations?.values?.count,
    durationMs: state?.testRunDurationMs,
    breachedThresholds: breached,
    thresholdCount,
    endpointP95Ms,
    endpointP99Ms,
    verdict,
    ...(details.valid === undefined ? {} : { valid: details.valid }),
    ...(details.capacity === undefined ? {} : { capacity: { rate: details.capacity.rate, step: details.capacity.step } }),
    ...(details.segment === undefined ? {} : { segment: details.segment }),
    ...(files.includes(REPORT_FILE) ? { report: REPORT_FILE } : {}),
    files,
  };
}

const isFigure = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface EngineDetails {
  endpointP95Ms: Record<string, number>;
  endpointP99Ms: Record<string, number>;
  verdict?: RunVerdict;
  valid?: boolean;
  capacity?: { rate: number | null; step: string | null };
  segment?: string;
}

/** What the engine's `puppilot` member adds, each figure read on its own; malformed ones are left out. */
function engineDetails(puppilot: unknown): EngineDetails {
  const out: EngineDetails = { endpointP95Ms: {}, endpointP99Ms: {} };
  if (!isObject(puppilot)) return out;
  if (isObject(puppilot.endpoints)) {
    for (const [endpoint, detail] of Object.entries(puppilot.endpoints)) {
      const duration = isObject(detail) && isObject(detail.duration) ? detail.duration : undefined;
      if (isFigure(duration?.['p(95)'])) out.endpointP95Ms[endpoint] = duration['p(95)'];
      if (isFigure(duration?.['p(99)'])) out.endpointP99Ms[endpoint] = duration['p(99)'];
    }
  }
  const verdict = puppilot.verdict;
  if (isObject(verdict) && typeof verdict.status === 'string' && (VERDICT_STATUSES as readonly string[]).includes(verdict.status)) {
    const reasons = Array.isArray(verdict.reasons) ? verdict.reasons.filter((r): r is string => typeof r === 'string') : [];
    out.verdict = { status: verdict.status as RunVerdict['status'], reasons, derived: false };
  }
  if (isObject(puppilot.validity) && typeof puppilot.validity.valid === 'boolean') out.valid = puppilot.validity.valid;
  const capacity = puppilot.capacity;
  if (isObject(capacity) && (capacity.rate === null || isFigure(capacity.rate))) {
    out.capacity = { rate: capacity.rate, step: typeof capacity.step === 'string' ? capacity.step : null };
  }
  const segment = isObject(puppilot.config) ? puppilot.config.segment : undefined;
  if (isObject(segment) && typeof segment.index === 'number' && typeof segment.count === 'number') out.segment = `segment ${segment.index + 1} of ${segment.count}`;
  return out;
}

/** Every run folder under `loadDir`, oldest first; unreadable ones after, by name. */
export function readLoadRuns(loadDir: string): { runs: LoadRun[]; unreadable: UnreadableRun[] } {
  if (!existsSync(loadDir)) return { runs: [], unreadable: [] };
  const results = readdirSync(loadDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readLoadRun(join(loadDir, entry.name), entry.name));
  const runs = results.filter((r): r is LoadRun => r.kind === 'run');
  runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
  const unreadable = results.filter((r): r is UnreadableRun => r.kind === 'unreadable').sort((a, b) => a.id.localeCompare(b.id));
  return { runs, unreadable };
}
