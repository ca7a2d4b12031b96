/**
 * `npm run report`: (re)writes `reports/index.html` from what `reports/` holds: the contract
 * runs (history and latest), every stored load run (trends per scenario), the self-check
 * table. The contract suite's console reporter runs the same code after each run, so this
 * command is for a folder assembled by hand, e.g. nightly artifacts downloaded from CI.
 *
 * Usage: npm run report [-- --dir <reports folder>]
 * Exit: 0 when the page is written, 2 on bad usage.
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/config.ts';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { writeReportsIndex } from './index-page.ts';

const USAGE = 'usage: report [--dir <reports folder>]';

function options(argv: string[]): { dir: string } {
  try {
    const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' } }, strict: true, allowPositionals: false });
    return { dir: values.dir ?? resolve(PROJECT_ROOT, 'reports') };
  } catch (error) {
    // node:util's messages name the argument but run long; say it the way every command does.
    const { code, message } = error as { code?: string; message: string };
    const named = /'([^']+)'/.exec(message)?.[1] ?? '';
    const problem = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? '--dir needs a value' : `unknown argument '${named}'`;
    throw new SuiteError('USAGE', `${problem} (${USAGE})`);
  }
}

await runMain(() => {
  const { dir } = options(process.argv.slice(2));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SuiteError('USAGE', `--dir '${dir}' is not a folder (${USAGE})`);
  const { path, model } = writeReportsIndex(resolve(dir));
  for (const run of model.unreadableRuns) process.stderr.write(`report: skipped load/${run.id}: ${run.reason}\n`);
  for (const entry of model.unreadableHistory) process.stderr.write(`report: skipped contract-history/${entry.file}: ${entry.reason}\n`);
  const n = model.contractHistory.length;
  const contract = n === 0 ? 'no contract run' : `${n} contract run${n === 1 ? '' : 's'}`;
  process.stdout.write(`reports page: ${relative(process.cwd(), path) || path} (${contract}, ${model.loadRuns.length} load runs charted)\n`);
  return EXIT.ok;
});
