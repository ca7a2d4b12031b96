/**
 * `npm run load:merge -- <run dir>... [--out-dir DIR]`: merges segment runs (`--segment k/n`,
 * on one machine or many) into one run and judges it once.
 *
 * Exact: the segments' interval logs are folded together, second by second, as if one
 * process had run the whole schedule. Counts add, histograms merge, so every percentile
 * (whole run, per second, per window) is that of every sample; thresholds, validity and
 * the verdict come from the merged figures. Tokens are checked for repeats within each
 * segment (segments never share an account).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT, SuiteError } from '../../lib/errors.ts';
import { runFolderName } from '../../reporting/load-runs.ts';
import { foldLogs } from '../engine/fold.ts';
import { INTERVAL_LOG_FILE, readLogFile, type LogLine, type RunHeader } from '../engine/interval-log.ts';
import { formatSegment, WHOLE } from '../engine/segment.ts';
import type { LoadSummary } from '../engine/summary-types.ts';
import { summarize } from '../engine/summary.ts';
import { renderConsoleSummary } from '../report/console.ts';
import { writeRunReports } from '../report/write.ts';
import { parseArgs } from './args.ts';

export const MERGE_USAGE = 'usage: load:merge <run dir>... [--out-dir DIR]';

export interface SegmentLog {
  dir: string;
  log: LogLine[];
}

export function readSegmentLog(dir: string): SegmentLog {
  const file = join(dir, INTERVAL_LOG_FILE);
  if (!existsSync(file)) {
    const why = existsSync(join(dir, 'summary.json')) ? 'it was written by an older version, whose runs cannot be merged exactly' : MERGE_USAGE;
    throw new SuiteError('USAGE', `${dir} holds no ${INTERVAL_LOG_FILE}; ${why}`);
  }
  return { dir, log: readLogFile(file) };
}

const headerOf = (part: SegmentLog) => part.log[0] as RunHeader;

/** Segments of one run only: one scenario, one schedule, one segment count, no segment twice. */
export function checkSegments(parts: readonly SegmentLog[]): void {
  const first = headerOf(parts[0]!);
  const count = (first.config.segment ?? WHOLE).count;
  const seen = new Set<number>();
  for (const part of parts) {
    const h = headerOf(part);
    const segment = h.config.segment ?? WHOLE;
    if (h.scenario !== first.scenario) throw new SuiteError('USAGE', `cannot merge runs of different scenarios (${first.scenario}, ${h.scenario} in ${part.dir})`);
    if (JSON.stringify(h.config.executor) !== JSON.stringify(first.config.executor)) throw new SuiteError('USAGE', `${part.dir} ran another schedule than ${parts[0]!.dir}; only segments of one run merge`);
    if (segment.count !== count) throw new SuiteError('USAGE', `${part.dir} is segment ${formatSegment(segment)}, not of ${count}`);
    if (seen.has(segment.index)) throw new SuiteError('USAGE', `segment ${formatSegment(segment)} is given twice`);
    seen.add(segment.index);
  }
}

/** The merged summary of segment runs (the folders name them in the summary). */
export function mergeSegments(parts: readonly SegmentLog[]): LoadSummary {
  checkSegments(parts);
  const folded = foldLogs(parts.map((p) => p.log));
  try {
    return summarize(folded, { mergedFrom: parts.map((p) => p.dir) });
  } finally {
    folded.fold.destroy();
  }
}

export async function runMergeCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ['out-dir'], [], MERGE_USAGE);
  if (positionals.length === 0) throw new SuiteError('USAGE', `name the run folders to merge; ${MERGE_USAGE}`);
  loadDotenv();
  const parts = positionals.map((dir) => readSegmentLog(resolve(dir)));
  const summary = mergeSegments(parts);
  const root = resolve(process.env.LOAD_REPORT_DIR?.trim() || 'reports/load');
  let outDir = options.has('out-dir') ? resolve(String(options.get('out-dir'))) : undefined;
  if (!outDir) {
    const start = Date.parse(summary.puppilot.startedAt);
    const taken = new Set(existsSync(root) ? readdirSync(root) : []);
    let s = 0;
    while (taken.has(runFolderName(summary.puppilot.scenario, new Date(start + s * 1000)))) s += 1;
    outDir = join(root, runFolderName(summary.puppilot.scenario, new Date(start + s * 1000)));
  }
  writeRunReports(outDir, summary, parts.flatMap((p) => p.log));
  process.stdout.write(`${renderConsoleSummary(summary, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`);
  process.stdout.write(`merged ${parts.length} segment run${parts.length > 1 ? 's' : ''}: ${relative(process.cwd(), outDir) || '.'}\n`);
  return summary.puppilot.verdict.exitCode === 0 ? EXIT.ok : EXIT.failed;
}
