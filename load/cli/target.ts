/**
 * The target of a run: the configured BASE_URL with its accounts, or the embedded
 * reference API, started here for the run (at LOAD_REFERENCE_HASH_COST) with its seeded
 * load accounts, and stopped afterwards.
 */
import { existsSync } from 'node:fs';
import { REFERENCE_SEED_FILE } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { startReference } from '../../lib/reference-process.ts';
import type { LoadAccount } from '../engine/workload.ts';
import { seedLoadAccounts, type LoadConfig } from './config.ts';

export interface ResolvedTarget {
  origin: string;
  kind: 'embedded' | 'external';
  accounts: LoadAccount[];
  stop(): Promise<void>;
}

/** `check` runs before anything starts (e.g. that the accounts suffice), so a bad setup costs nothing. */
export async function resolveTarget(config: LoadConfig, say: (line: string) => void, check: (accounts: LoadAccount[]) => void): Promise<ResolvedTarget> {
  if (config.target.kind === 'external') {
    check(config.accounts!);
    return { origin: config.target.origin, kind: 'external', accounts: config.accounts!, stop: async () => undefined };
  }
  if (!existsSync(REFERENCE_SEED_FILE)) throw new ConfigError('BASE_URL', 'the embedded reference API is not part of this bundle; set BASE_URL to the target');
  const accounts = config.accounts ?? seedLoadAccounts();
  check(accounts);
  say(`load: starting the embedded reference API (password hash cost ${config.referenceHashCost}) …`);
  const reference = await startReference({ PASSWORD_HASH_COST: String(config.referenceHashCost) }, { exitOnSignal: false });
  return { origin: reference.url, kind: 'embedded', accounts, stop: () => reference.stop() };
}
