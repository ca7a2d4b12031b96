/**
 * Stored load runs, read back for the reports page.
 *
 * A load run is a folder `reports/load/<scenario>-<timestamp>/` (the layout the load
 * suite writes) holding `summary.json`: the object k6 passes to `handleSummary`,
 * written as JSON (https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/).
 * The timestamp is UTC in ISO 8601 basic form, `20261128T174500Z`, so that folder names
 * sort in time order. Only the few figures a trend needs are read; a folder that does not
 * hold them is reported as unreadable with the reason, never charted with made-up values.
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
  /** p95 per endpoint, from submetrics such as `http_req_duration{endpoint:sign-in}`. */
  endpointP95Ms: Record<string, number>;
  /** Files in the run's folder, for links (summary, dashboard export, JUnit). */
  files: string[];
}

export interface UnreadableRun {
  kind: 'unreadable';
  id: string;
  reason: string;
  files: string[];
}

export const SUMMARY_FILE = 'summary.json';
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
  for (const [metric, entry] of Object.entries(metrics as Record<string, { values?: Record<string, unknown>; thresholds?: Record<string, { ok?: boolean }> }>)) {
    for (const [expression, result] of Object.entries(entry.thresholds ?? {})) {
      thresholdCount += 1;
      if (result.ok === false) breached.push(`${metric}: ${expression}`);
    }
    const endpoint = /^http_req_duration\{endpoint:([^}]+)\}$/.exec(metric)?.[1];
    const p95 = entry.values?.['p(95)'];
    if (endpoint && typeof p95 === 'number') endpointP95Ms[endpoint] = p95;
  }
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
    files,
  };
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
