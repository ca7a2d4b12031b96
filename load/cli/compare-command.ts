/**
 * `npm run load:compare -- <baseline> <current> [--pct N] [--markdown FILE]`: compares two
 * stored runs (a summary.json or the run folder holding it): p95 and p99 per endpoint,
 * throughput and, for stress, capacity. Prints the verdict table; with --markdown, appends
 * it as a Markdown table to FILE (a CI job summary). Exit 1 when a figure is worse by more
 * than the allowed percentage (LOAD_REGRESSION_PCT, default 20), 0 otherwise, 2 on bad input.
 */
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { ConfigError, EXIT, SuiteError } from '../../lib/errors.ts';
import { DEFAULTS } from './config.ts';
import { compareWithBaseline, readSummaryFile, renderBaselineMarkdown, renderBaselineTable } from '../report/baseline.ts';
import { parseArgs } from './args.ts';

export const COMPARE_USAGE = 'usage: load:compare <baseline summary.json | run dir> <current summary.json | run dir> [--pct N] [--markdown FILE]';

function summaryPath(given: string): string {
  const path = resolve(given);
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'summary.json');
  return path;
}

function allowedPct(option: string | true | undefined): number {
  const raw = typeof option === 'string' ? option : process.env.LOAD_REGRESSION_PCT?.trim() || String(DEFAULTS.regressionPct);
  const pct = Number(raw);
  if (!Number.isFinite(pct) || pct < 0 || pct > 10_000) {
    if (typeof option === 'string') throw new SuiteError('USAGE', `--pct takes a percentage from 0 to 10000, got '${raw}'`);
    throw new ConfigError('LOAD_REGRESSION_PCT', `expected a percentage from 0 to 10000, got '${raw}'`);
  }
  return pct;
}

export async function runCompareCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ['pct', 'markdown'], [], COMPARE_USAGE);
  if (positionals.length !== 2) throw new SuiteError('USAGE', `name a baseline and a current run; ${COMPARE_USAGE}`);
  loadDotenv();
  const pct = allowedPct(options.get('pct'));
  const [baselineFile, currentFile] = positionals.map(summaryPath) as [string, string];
  const baseline = readSummaryFile(baselineFile);
  const current = readSummaryFile(currentFile);
  if (baseline.puppilot.scenario !== current.puppilot.scenario) {
    throw new SuiteError('USAGE', `the runs are of different scenarios (${baseline.puppilot.scenario}, ${current.puppilot.scenario}); compare a scenario with itself`);
  }
  const verdict = compareWithBaseline(current, baseline, { allowedPct: pct, source: relative(process.cwd(), baselineFile) || baselineFile });
  process.stdout.write(`${current.puppilot.scenario}: ${current.puppilot.startedAt} against the baseline of ${baseline.puppilot.startedAt}\n`);
  process.stdout.write(`${renderBaselineTable(verdict)}\n`);
  process.stdout.write(verdict.regressed ? `REGRESSION: a figure is more than ${pct}% worse than the baseline\n` : `no regression (allowed: ${pct}% worse)\n`);
  const markdown = options.get('markdown');
  if (typeof markdown === 'string') {
    const heading = `### Load: ${current.puppilot.scenario} against the previous run\n\n`;
    const status = `**${verdict.regressed ? 'Regression' : 'No regression'}** (allowed: ${pct}% worse; this run: ${current.puppilot.verdict.status}).\n\n`;
    appendFileSync(markdown, `${heading}${status}${renderBaselineMarkdown(verdict)}\n`);
  }
  return verdict.regressed ? EXIT.failed : EXIT.ok;
}
