/** Command-line options of the load commands; a wrong one is a one-line USAGE error (exit 2). */
import { SuiteError } from '../../lib/errors.ts';

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
  /** Every value of a repeatable option, in order (`--out a --out b`). */
  lists: Map<string, string[]>;
}

/** Parses `--name value` and `--flag` against the allowed options; `--name=value` works too. */
export function parseArgs(argv: string[], valued: readonly string[], flags: readonly string[], usage: string, repeatable: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (flags.includes(name)) {
      if (inline !== undefined) throw new SuiteError('USAGE', `--${name} takes no value; ${usage}`);
      options.set(name, true);
    } else if (valued.includes(name) || repeatable.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new SuiteError('USAGE', `--${name} needs a value; ${usage}`);
      options.set(name, value);
      if (repeatable.includes(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    } else {
      throw new SuiteError('USAGE', `unknown option --${name}; ${usage}`);
    }
  }
  return { positionals, options, lists };
}
