/**
 * How the tests run a bundle for real, in one place: a short run against a reference API
 * with a tiny rate and duration. test/load-bundle.test.ts runs a bundle alone in an empty
 * folder; test/load-k8s.test.ts runs the segment and merge commands of the manifests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type Finished } from '../../lib/run-command.ts';
import { seedLoadAccounts } from '../cli/config.ts';

export type { Finished };

/** A checked run's load: tiny. */
export const CHECK_RUN_LOAD = { LOAD_RATE: '5', LOAD_DURATION: '2s' } as const;

/**
 * The environment of a checked run, on top of PATH and HOME only (nothing else leaks in).
 * These runs prove that a bundle works where it is sent, not how fast this machine is:
 * the lag bound is relaxed because several of them start at once on a busy machine.
 */
export function checkRunEnv(baseUrl: string, accountsFile: string): Record<string, string> {
  return { BASE_URL: baseUrl, LOAD_ACCOUNTS_FILE: accountsFile, LOAD_MAX_LAG_P99_MS: '5000', LOAD_BASELINE: 'false', ...CHECK_RUN_LOAD };
}

/** The reference API's seeded load accounts as an accounts file (mode 0600) in `dir`. */
export function writeAccountsFile(dir: string): string {
  const file = join(dir, 'accounts.json');
  writeFileSync(file, JSON.stringify(seedLoadAccounts()), { mode: 0o600 });
  return file;
}

/** The reference API as the checked runs use it: a cheap password hash, so sign-in is not the bottleneck. */
export const CHECK_RUN_REFERENCE_ENV = { PASSWORD_HASH_COST: '12' } as const;

/** Extra arguments of a checked run (after the engine's own `--segment` / `--out-dir`). */
export const CHECK_RUN_ARGS = ['--quiet'];

/** Exit statuses that count as "the bundle ran": 0 passed (1 would be a threshold verdict). */
export const CHECK_RUN_OK = [0];

/** Generous: the run itself is a few seconds. */
export const CHECK_RUN_TIMEOUT_MS = 60_000;

/** Runs `node <args>` in `cwd` with `env` on top of PATH and HOME only. */
export function runNode(args: string[], cwd: string, env: Record<string, string>, timeoutMs = CHECK_RUN_TIMEOUT_MS): Promise<Finished> {
  return runCommand(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeoutMs });
}
