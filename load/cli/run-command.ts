/**
 * `npm run load:<scenario> -- [--segment k/n] [--out-dir DIR] [--quiet]`: one run, then its
 * reports (summary.json, report.html, junit.xml, the console summary), the comparison with
 * the scenario's baseline when one is stored, and the reports page. Exit 0 when the run
 * passed, 1 when it failed, was invalid, interrupted or regressed, 2 on a configuration error.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT } from '../../lib/errors.ts';
import { runFolderName } from '../../reporting/load-runs.ts';
import { writeReportsIndex } from '../../reporting/index-page.ts';
import { loadConfig } from '../engine/config.ts';
import { Progress } from '../engine/progress.ts';
import { runLoad } from '../engine/run.ts';
import { parseSegment } from '../engine/segment.ts';
import type { LoadSummary } from '../engine/summary-types.ts';
import { compareWithBaseline, readSummaryFile } from '../report/baseline.ts';
import { renderConsoleSummary } from '../report/console.ts';
import { writeRunReports } from '../report/write.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { parseArgs } from './args.ts';

export const RUN_USAGE = 'usage: load:<scenario> [--segment k/n] [--out-dir DIR] [--quiet]';

/** Where a scenario's baseline is kept. */
export const baselineFile = (dir: string, scenario: string) => join(dir, `${scenario}.json`);

/** Applies the stored baseline, if any: a regression fails the run. */
export function applyBaseline(summary: LoadSummary, file: string, allowedPct: number, reportsRoot: string): void {
  if (!existsSync(file)) return;
  const verdict = compareWithBaseline(summary, readSummaryFile(file), { allowedPct, source: relative(reportsRoot, file) || basename(file) });
  summary.puppilot.baseline = verdict;
  if (!verdict.regressed) return;
  const worse = verdict.comparisons.filter((c) => c.regressed).map((c) => `${c.figure} ${c.changePct === null ? '' : `${c.changePct > 0 ? '+' : ''}${c.changePct}%`}`.trim());
  const v = summary.puppilot.verdict;
  v.reasons.push(`regression against the baseline (more than ${allowedPct}% worse): ${worse.join(', ')}`);
  if (v.status === 'passed') v.status = 'failed';
  v.exitCode = 1;
}

export async function runScenarioCommand(scenario: Scenario, argv: string[], worker: { workerUrl: URL; workerEntry?: string }): Promise<number> {
  const { positionals, options } = parseArgs(argv, ['segment', 'out-dir'], ['quiet'], RUN_USAGE);
  if (positionals.length > 0) throw new (await import('../../lib/errors.ts')).SuiteError('USAGE', `unexpected argument '${positionals[0]}'; ${RUN_USAGE}`);
  loadDotenv();
  const config = loadConfig(scenario, process.env, {
    segment: options.has('segment') ? parseSegment(String(options.get('segment')), '--segment') : undefined,
    outDir: options.has('out-dir') ? String(options.get('out-dir')) : undefined,
    quiet: options.has('quiet'),
  });
  const progress = new Progress(process.stderr, config.quiet);
  const summary = await runLoad(config, { progress, ...worker });

  const runDir = resolve(config.outDir ?? join(config.reportRoot, runFolderName(scenario.name, new Date(summary.puppilot.startedAt))));
  const reportsRoot = resolve(config.outDir ? dirname(runDir) : dirname(resolve(config.reportRoot)));
  if (config.baseline.enabled && summary.puppilot.config.segment === null) {
    applyBaseline(summary, resolve(config.baseline.dir, `${scenario.name}.json`), config.baseline.allowedPct, reportsRoot);
  }
  writeRunReports(runDir, summary);
  process.stdout.write(`${renderConsoleSummary(summary, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`);
  const here = (path: string) => relative(process.cwd(), path) || '.';
  process.stdout.write(`report: ${here(join(runDir, 'report.html'))}\n`);
  // The reports page lists every stored run; only a run kept in the reports tree refreshes it.
  if (!config.outDir && basename(resolve(config.reportRoot)) === 'load') {
    const page = writeReportsIndex(reportsRoot);
    process.stdout.write(`reports page: ${here(page.path)}\n`);
  }
  return summary.puppilot.verdict.exitCode === 0 ? EXIT.ok : EXIT.failed;
}
