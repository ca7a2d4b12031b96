/**
 * `npm run load:<scenario> -- [--segment k/n] [--out-dir DIR] [--quiet]`: one run, then its
 * reports (summary.json, report.html, junit.xml, the console summary), the comparison with
 * the scenario's baseline when one is stored, and the reports page. Exit 0 when the run
 * passed, 1 when it failed, was invalid, interrupted or regressed, 2 on a configuration error.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT, SuiteError } from '../../lib/errors.ts';
import { runFolderName } from '../../reporting/load-runs.ts';
import { writeReportsIndex } from '../../reporting/index-page.ts';
import { loadConfig, type LoadConfig } from '../engine/config.ts';
import { formatDuration } from '../engine/duration.ts';
import { peakRate } from '../engine/executors.ts';
import { formatSegment } from '../engine/segment.ts';
import { Progress } from '../engine/progress.ts';
import { runLoad } from '../engine/run.ts';
import { parseSegment } from '../engine/segment.ts';
import type { LoadSummary } from '../engine/summary-types.ts';
import { compareWithBaseline, readSummaryFile } from '../report/baseline.ts';
import { renderConsoleSummary } from '../report/console.ts';
import { writeRunReports } from '../report/write.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { parseArgs } from './args.ts';

export const RUN_USAGE = 'usage: load:<scenario> [--segment k/n] [--out-dir DIR] [--quiet] [--dry-run]';

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

/** What a run would do, checked against every cap: what --dry-run prints, sending nothing. */
export function describePlan(config: LoadConfig): string {
  const target = config.target.kind === 'embedded' ? 'the embedded reference API (started for the run)' : config.target.origin;
  const accounts = config.accounts === null ? 'the reference API\'s seeded load accounts' : `${config.accounts.length} account${config.accounts.length > 1 ? 's' : ''}`;
  const round = (n: number) => Math.round(n * 100) / 100;
  return [
    `plan: ${config.scenario.name} against ${target}`,
    `  ${config.executor.executor}: ${config.schedule.total} arrivals over ${formatDuration(config.schedule.durationMs)}, peak ${round(peakRate(config.schedule))}/s, in-flight cap ${config.executor.maxVUs}`,
    `  ${config.workers} generator thread${config.workers > 1 ? 's' : ''}${config.segment.count > 1 ? `, segment ${formatSegment(config.segment)}` : ''}; ${accounts}; ${config.thresholds.length} thresholds`,
    '  within LOAD_MAX_RATE and LOAD_MAX_DURATION; nothing was sent (--dry-run)',
  ].join('\n');
}

export async function runScenarioCommand(scenario: Scenario, argv: string[], worker: { workerUrl: URL; workerEntry?: string }): Promise<number> {
  const { positionals, options } = parseArgs(argv, ['segment', 'out-dir'], ['quiet', 'dry-run'], RUN_USAGE);
  if (positionals.length > 0) throw new SuiteError('USAGE', `unexpected argument '${positionals[0]}'; ${RUN_USAGE}`);
  loadDotenv();
  const config = loadConfig(scenario, process.env, {
    segment: options.has('segment') ? parseSegment(String(options.get('segment')), '--segment') : undefined,
    outDir: options.has('out-dir') ? String(options.get('out-dir')) : undefined,
    quiet: options.has('quiet'),
  });
  if (options.has('dry-run')) {
    process.stdout.write(`${describePlan(config)}\n`);
    return EXIT.ok;
  }
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
