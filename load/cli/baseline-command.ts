/**
 * `npm run load:baseline -- <scenario | run dir>`: stores a run's summary as the baseline of
 * its scenario (the newest stored run of the scenario, or the folder given). Later runs of
 * that scenario compare with it (LOAD_REGRESSION_PCT). Only a valid run that finished can
 * be a baseline: an invalid or interrupted one would make every later comparison a lie.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT, SuiteError } from '../../lib/errors.ts';
import { readLoadRuns } from '../../reporting/load-runs.ts';
import { readSummaryFile } from '../report/baseline.ts';
import { parseArgs } from './args.ts';
import { baselineFile } from './run-command.ts';

export const BASELINE_USAGE = 'usage: load:baseline <scenario | run dir>';

export async function runBaselineCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, [], [], BASELINE_USAGE);
  if (positionals.length !== 1) throw new SuiteError('USAGE', `name one scenario or run folder; ${BASELINE_USAGE}`);
  loadDotenv();
  const reportRoot = resolve(process.env.LOAD_REPORT_DIR?.trim() || 'reports/load');
  const baselineDir = resolve(process.env.LOAD_BASELINE_DIR?.trim() || 'reports/baselines');
  const given = positionals[0]!;
  let runDir: string;
  if (existsSync(given) && statSync(given).isDirectory()) runDir = resolve(given);
  else {
    if (!/^[a-z][a-z0-9-]*$/.test(given)) throw new SuiteError('USAGE', `'${given}' is neither a run folder nor a scenario name; ${BASELINE_USAGE}`);
    const runs = readLoadRuns(reportRoot).runs.filter((r) => r.scenario === given);
    const newest = runs.at(-1);
    if (!newest) {
      const known = existsSync(reportRoot) ? readdirSync(reportRoot).length : 0;
      throw new SuiteError('USAGE', `no stored run of '${given}' in ${relative(process.cwd(), reportRoot) || '.'}${known ? '' : ' (none at all)'}; run npm run load:${given} first`);
    }
    runDir = join(reportRoot, newest.id);
  }
  const file = join(runDir, 'summary.json');
  if (!existsSync(file)) throw new SuiteError('USAGE', `${relative(process.cwd(), runDir)} holds no summary.json`);
  const summary = readSummaryFile(file);
  const verdict = summary.puppilot.verdict;
  if (verdict.status === 'invalid' || verdict.status === 'interrupted' || verdict.status === 'aborted') {
    throw new SuiteError('USAGE', `${relative(process.cwd(), runDir)} was ${verdict.status}; only a valid, complete run can be a baseline`);
  }
  if (summary.puppilot.config.segment !== null) throw new SuiteError('USAGE', `${relative(process.cwd(), runDir)} is one segment; merge the segments (load:merge) and store the merged run`);
  mkdirSync(baselineDir, { recursive: true });
  const target = baselineFile(baselineDir, summary.puppilot.scenario);
  copyFileSync(file, target);
  process.stdout.write(
    `baseline of ${summary.puppilot.scenario}: ${relative(process.cwd(), runDir)} (${verdict.status}) → ${relative(process.cwd(), target)}; later runs fail when more than ${process.env.LOAD_REGRESSION_PCT?.trim() || '20'}% worse\n`,
  );
  return EXIT.ok;
}
