/**
 * The interval log: a run's record, one JSON object per line (`intervals.jsonl` in the run
 * folder). Everything the run reports is a fold over it (fold.ts), so a summary can be
 * rebuilt from the log alone and segment runs merge by folding their logs together.
 *
 * Lines, in the order written:
 * - `run`: the header: scenario, target, configuration, windows, segment, start time.
 * - `interval`: one series (a metric and its tag values) for one second of one generator
 *   thread: `count` (counter), `passes`/`fails` (rate), `histogram` (trend: HdrHistogram's
 *   compressed base64 form, microseconds, readable by any HdrHistogram library) or `value`
 *   (gauge). Several lines may share a second and a series (threads, late samples): they add.
 * - `contract-failure`: a redacted example of a response that broke the contract.
 * - `end`: facts known only at the end: when it ended, interruption, abort, flow errors,
 *   the token ledger's size, the process's peak memory.
 */
import { readFileSync } from 'node:fs';
import { SuiteError } from '../../lib/errors.ts';
import { isMetricName } from './registry.ts';
import type { IntervalEntry } from './series.ts';
import type { ContractFailureSample, RunConfig, RunDetails } from './summary-types.ts';
import type { ThresholdMap } from './thresholds.ts';

export const INTERVAL_LOG_FILE = 'intervals.jsonl';
export const LOG_FORMAT_VERSION = 2;

export interface WindowSpec {
  label: string;
  startMs: number;
  endMs: number;
}

export interface RunHeader {
  type: 'run';
  formatVersion: typeof LOG_FORMAT_VERSION;
  scenario: string;
  description: string;
  reportsCapacity: boolean;
  reportsDrift: boolean;
  /** Endpoint tags in the order reports show them. */
  endpoints: string[];
  startedAt: string;
  target: RunDetails['target'];
  config: RunConfig;
  /** The thresholds as declared (strings or objects with abortOnFail). */
  thresholdMap: ThresholdMap;
  windows: WindowSpec[];
}

/** Why a run was stopped by a threshold with abortOnFail. */
export interface AbortFact {
  metric: string;
  expression: string;
  actual: number | null;
}

export interface RunEnd {
  type: 'end';
  endedAt: string;
  /** How long arrivals ran (the schedule's duration unless stopped early). */
  ranForMs: number;
  interrupted: boolean;
  aborted: AbortFact | null;
  /** First lines of errors thrown by flows (at most a few). */
  flowErrors: string[];
  tokens: { tracked: number; limit: number };
  /** The generator process's highest resident memory, sampled each second. */
  peakRssBytes: number;
}

export interface ContractFailureLine extends ContractFailureSample {
  type: 'contract-failure';
}

export type LogLine = RunHeader | IntervalEntry | ContractFailureLine | RunEnd;

export function serializeLog(lines: readonly LogLine[]): string {
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** Parses a log's text; a line that is not one of the kinds above is an error naming the line. */
export function parseLog(text: string, source: string): LogLine[] {
  const lines: LogLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      throw new SuiteError('CONFIG_INVALID', `${source}:${i + 1} is not JSON`);
    }
    const type = (line as { type?: unknown })?.type;
    if (type === 'interval' && !isMetricName(String((line as IntervalEntry).metric))) {
      throw new SuiteError('CONFIG_INVALID', `${source}:${i + 1}: unknown metric '${String((line as IntervalEntry).metric)}'`);
    }
    if (type === 'run' && (line as RunHeader).formatVersion !== LOG_FORMAT_VERSION) {
      throw new SuiteError('CONFIG_INVALID', `${source}:${i + 1}: interval log format ${String((line as RunHeader).formatVersion)}, this version reads ${LOG_FORMAT_VERSION}`);
    }
    if (type !== 'run' && type !== 'interval' && type !== 'contract-failure' && type !== 'end') {
      throw new SuiteError('CONFIG_INVALID', `${source}:${i + 1}: not an interval log line`);
    }
    lines.push(line as LogLine);
  });
  if (lines[0]?.type !== 'run') throw new SuiteError('CONFIG_INVALID', `${source} does not start with a run header`);
  return lines;
}

export function readLogFile(path: string): LogLine[] {
  return parseLog(readFileSync(path, 'utf8'), path);
}
