/** The merge command as a bundle runs it (load/build/merge.mjs): one line and exit 2 on bad input. */
import { runMain } from '../../lib/errors.ts';
import { runMergeCommand } from './merge-command.ts';

export async function runMergeCli(argv: string[]): Promise<void> {
  await runMain(() => runMergeCommand(argv));
}
