/**
 * A load run's files, written into the run's folder: `intervals.jsonl` (the interval log,
 * the run's record), `summary.json` (the data, pretty printed), `report.html` (the page)
 * and `junit.xml` (for CI). Each file is written to a temporary name and renamed, so a
 * reader never sees half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERVAL_LOG_FILE, serializeLog, type LogLine } from '../engine/interval-log.ts';
import type { LoadSummary } from '../engine/summary-types.ts';
import { renderRunReport } from './html.ts';
import { renderJunit } from './junit.ts';

export const REPORT_FILES = { log: INTERVAL_LOG_FILE, summary: 'summary.json', html: 'report.html', junit: 'junit.xml' } as const;

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** Writes the files into `dir` (created when missing) and returns their paths; the log when given. */
export function writeRunReports(dir: string, summary: LoadSummary, log?: readonly LogLine[]): { files: string[] } {
  mkdirSync(dir, { recursive: true });
  const contents: [string, string][] = [
    ...(log ? [[REPORT_FILES.log, serializeLog(log)] as [string, string]] : []),
    [REPORT_FILES.summary, `${JSON.stringify(summary, null, 2)}\n`],
    [REPORT_FILES.html, renderRunReport(summary)],
    [REPORT_FILES.junit, renderJunit(summary)],
  ];
  const files: string[] = [];
  for (const [name, text] of contents) {
    const path = join(dir, name);
    writeAtomically(path, text);
    files.push(path);
  }
  return { files };
}
