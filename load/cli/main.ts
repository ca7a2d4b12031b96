/**
 * The load suite's command line in source form (the npm scripts call it):
 *   tsx load/cli/main.ts run <scenario> [--segment k/n] [--out-dir DIR] [--quiet]
 *   tsx load/cli/main.ts merge <run dir>... [--out-dir DIR]
 *   tsx load/cli/main.ts baseline <scenario | run dir>
 *   tsx load/cli/main.ts compare <baseline> <current> [--pct N] [--markdown FILE]
 * In a generator thread this module is what the worker imports (see entry.ts).
 */
import { isMainThread } from 'node:worker_threads';
import { SuiteError, runMain } from '../../lib/errors.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import { runBaselineCommand } from './baseline-command.ts';
import { runCompareCommand } from './compare-command.ts';
import { runEntry } from './entry.ts';
import { runMergeCommand } from './merge-command.ts';

const USAGE = 'usage: main.ts run <scenario> | merge <run dir>... | baseline <scenario | run dir> | compare <baseline> <current>';
const [command, ...rest] = isMainThread ? process.argv.slice(2) : ['run'];

if (command === 'run') await runEntry(SCENARIOS, import.meta.url, rest);
else if (command === 'merge') await runMain(() => runMergeCommand(rest));
else if (command === 'baseline') await runMain(() => runBaselineCommand(rest));
else if (command === 'compare') await runMain(() => runCompareCommand(rest));
else await runMain(() => {
  throw new SuiteError('USAGE', `${command === undefined ? 'name a command' : `unknown command '${command}'`}; ${USAGE}`);
});
