/**
 * A run compared with a baseline run (an earlier `summary.json`): p95 and p99 latency of
 * every endpoint both runs have, the overall throughput, and the stress capacity when both
 * runs measured one. A figure regresses when it is worse than the baseline by more than the
 * allowed percentage: latency when larger, throughput and capacity when smaller. A figure
 * either run lacks is compared as null and never regresses: it is shown, not judged.
 */
import { readFileSync } from 'node:fs';
import { SuiteError } from '../../lib/errors.ts';
import { formatInstant, formatNumber, MISSING } from '../../reporting/page.ts';
import type { BaselineComparison, BaselineVerdict, LoadSummary } from '../engine/summary-types.ts';
import { formatChangePct } from './format.ts';

export interface BaselineOptions {
  /** How much worse, in percent, a figure may be before it counts as a regression. */
  allowedPct: number;
  /** Where the baseline came from: a file name relative to the reports folder, or a label. */
  source: string;
}

/** Rounding noise allowed on the boundary, so 10 % worse with 10 % allowed holds. */
const EPSILON = 1e-9;

const figureOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Relative change in percent, or null when either side is missing or the baseline is 0 and the current is not. */
export function changePct(baseline: number | null, current: number | null): number | null {
  if (baseline === null || current === null) return null;
  if (baseline === 0) return current === 0 ? 0 : null;
  return ((current - baseline) / Math.abs(baseline)) * 100;
}

function compare(
  figure: string,
  unit: BaselineComparison['unit'],
  better: 'lower' | 'higher',
  baseline: number | null,
  current: number | null,
  allowedPct: number,
): BaselineComparison {
  const change = changePct(baseline, current);
  const worseBy = change === null ? null : better === 'lower' ? change : -change;
  return { figure, unit, baseline, current, changePct: change, regressed: worseBy !== null && worseBy > allowedPct + EPSILON };
}

export function compareWithBaseline(current: LoadSummary, baseline: LoadSummary, options: BaselineOptions): BaselineVerdict {
  const { allowedPct, source } = options;
  if (!Number.isFinite(allowedPct) || allowedPct < 0) {
    throw new SuiteError('USAGE', `allowed regression must be a percentage of 0 or more, not ${String(allowedPct)}`);
  }
  const comparisons: BaselineComparison[] = [];
  const now = current.puppilot.endpoints;
  const then = baseline.puppilot.endpoints;
  const shared = Object.keys(now).filter((e) => Object.hasOwn(then, e));
  for (const endpoint of shared) {
    for (const stat of ['p(95)', 'p(99)'] as const) {
      comparisons.push(
        compare(`${stat.replace(/[()]/g, '')} ${endpoint}`, 'ms', 'lower', figureOf(then[endpoint]?.duration?.[stat]), figureOf(now[endpoint]?.duration?.[stat]), allowedPct),
      );
    }
  }
  comparisons.push(
    compare('throughput', 'req/s', 'higher', figureOf(baseline.metrics.http_reqs?.values.rate), figureOf(current.metrics.http_reqs?.values.rate), allowedPct),
  );
  if (current.puppilot.capacity && baseline.puppilot.capacity) {
    comparisons.push(compare('capacity', 'req/s', 'higher', figureOf(baseline.puppilot.capacity.rate), figureOf(current.puppilot.capacity.rate), allowedPct));
  }
  return {
    source,
    baselineStartedAt: baseline.puppilot.startedAt,
    allowedPct,
    comparisons,
    regressed: comparisons.some((c) => c.regressed),
  };
}

const valueText = (value: number | null, unit: string): string => (value === null ? MISSING : `${formatNumber(value)} ${unit}`);

/** The rows of a baseline table as text cells: figure, baseline, current, change, result. */
export function baselineRows(verdict: BaselineVerdict): string[][] {
  return verdict.comparisons.map((c) => [
    c.figure,
    valueText(c.baseline, c.unit),
    valueText(c.current, c.unit),
    formatChangePct(c.changePct),
    c.regressed ? 'REGRESSED' : c.changePct === null ? 'not compared' : 'ok',
  ]);
}

export const BASELINE_HEADER = ['figure', 'baseline', 'current', 'change', 'result'];

/** Columns padded to their widest cell; numbers (all but the first and last column) right-aligned. */
export function textTable(header: string[], rows: string[][], rightAligned: (column: number) => boolean): string {
  const width = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - width(cell));
        return rightAligned(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A plain text table of the comparisons, one figure a line. */
export function renderBaselineTable(verdict: BaselineVerdict): string {
  const last = BASELINE_HEADER.length - 1;
  return textTable(BASELINE_HEADER, baselineRows(verdict), (i) => i > 0 && i < last);
}

/** Markdown cell text: no pipe, no newline, no HTML, no emphasis from a name. */
export function markdownCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_|[\]])/g, '\\$1');
}

/** A GitHub-flavoured Markdown section for a CI job summary: a heading line and the table. */
export function renderBaselineMarkdown(verdict: BaselineVerdict): string {
  const head = verdict.regressed ? '**Regressed** against the baseline' : 'No regression against the baseline';
  const intro = `${head} \`${verdict.source.replace(/[`\r\n]/g, '')}\` (started ${formatInstant(verdict.baselineStartedAt)}), allowed ${formatNumber(verdict.allowedPct)} % worse.`;
  const rows = baselineRows(verdict).map((cells) => {
    const [figure, ...rest] = cells.map(markdownCell);
    const result = rest[3] === 'REGRESSED' ? '❌ regressed' : rest[3] === 'ok' ? '✅ ok' : rest[3];
    return `| ${figure} | ${rest[0]} | ${rest[1]} | ${rest[2]} | ${result} |`;
  });
  return [intro, '', '| figure | baseline | current | change | result |', '| --- | ---: | ---: | ---: | --- |', ...rows, ''].join('\n');
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const firstLine = (text: string) => text.split('\n')[0]!.trim();

/**
 * Reads a load run's `summary.json` (a baseline, or a run to report on) and checks only what
 * tells it apart from another JSON file: a `metrics` object and `puppilot.formatVersion` 1.
 */
export function readSummaryFile(path: string): LoadSummary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a summary.json' : firstLine((error as Error).message);
    throw new SuiteError('USAGE', `load summary ${path}: ${problem}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SuiteError('CONFIG_INVALID', `load summary ${path}: not JSON (${firstLine((error as Error).message)})`);
  }
  if (!isObject(data)) throw new SuiteError('CONFIG_INVALID', `load summary ${path}: not a JSON object`);
  if (!isObject(data.metrics)) throw new SuiteError('CONFIG_INVALID', `load summary ${path}: no "metrics" object (not a k6 summary)`);
  if (!isObject(data.puppilot)) throw new SuiteError('CONFIG_INVALID', `load summary ${path}: no "puppilot" member (not written by this suite's load engine)`);
  const version = data.puppilot.formatVersion;
  if (version !== 1) {
    throw new SuiteError('CONFIG_INVALID', `load summary ${path}: puppilot.formatVersion is ${JSON.stringify(version) ?? 'missing'}, this version reads 1`);
  }
  return data as unknown as LoadSummary;
}
