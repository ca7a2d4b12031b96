/**
 * A load run's configuration, from the environment (and `.env`, as for the contract suite),
 * validated before anything is sent. Every problem is a ConfigError naming its variable
 * (exit 2, one line). Safety first: a target that is not a loopback address needs
 * LOAD_ALLOW_HOST equal to its host, and the schedule must fit under LOAD_MAX_RATE and
 * LOAD_MAX_DURATION.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseCsv } from 'csv-parse/sync';
import { cpus } from 'node:os';
import { EnvReader, readSeedAccounts, SAME_CLOCK_SKEW_SECONDS, type Env } from '../../lib/config.ts';
import { ConfigError, SuiteError } from '../../lib/errors.ts';
import { DEFAULT_DEGRADATION, type DegradationRule } from '../engine/degradation.ts';
import { parseDuration } from '../engine/duration.ts';
import { buildSchedule, peakRate, type Schedule } from '../engine/executors.ts';
import { WHOLE, type Segment } from '../engine/segment.ts';
import type { ExecutorConfig } from '../engine/summary-types.ts';
import { parseThresholdOverride, parseThresholds, type Threshold, type ThresholdMap } from '../engine/thresholds.ts';
import type { LoadAccount, TargetApi } from '../engine/workload.ts';
import type { Scenario } from '../scenarios/scenario.ts';

export const DEFAULTS = {
  maxRate: 500,
  maxDuration: '1h',
  timeout: '10s',
  maxBody: '1MiB',
  grace: '10s',
  minRateRatio: 0.97,
  maxLagP99Ms: 50,
  regressionPct: 20,
  referenceHashCost: 12,
} as const;

export interface LoadConfig {
  scenario: Scenario;
  target: { kind: 'embedded' } | { kind: 'external'; origin: string };
  executor: ExecutorConfig;
  schedule: Schedule;
  thresholdMap: ThresholdMap;
  thresholds: Threshold[];
  segment: Segment;
  workers: number;
  timeoutMs: number;
  /** LOAD_MAX_BODY in bytes: a larger response body fails its request (body_too_large). */
  maxBodyBytes: number;
  graceMs: number;
  validity: { minRateRatio: number; maxLagP99Ms: number };
  /** The last third of a run against its first: degraded beyond factor × p95 + margin. */
  degradation: DegradationRule;
  /** LOAD_CHECK_SAMPLE: the fraction of responses whose contract is checked (default 1, every one). */
  checkSample: number;
  /** null: the embedded reference API's seeded load accounts, known once it has started. */
  accounts: LoadAccount[] | null;
  api: TargetApi;
  reportRoot: string;
  /** Exact run folder (--out-dir), else `<reportRoot>/<scenario>-<stamp>`. */
  outDir: string | undefined;
  baseline: { enabled: boolean; dir: string; allowedPct: number };
  referenceHashCost: number;
  quiet: boolean;
}

export interface CliOptions {
  segment?: Segment;
  outDir?: string;
  quiet?: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** 127.0.0.0/8, ::1 and the names that mean them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const MAX_SIZE = 1024 ** 3;

/** A size: bytes (`1048576`) or a number with a unit (`512KiB`, `1MiB`, `2 MB`, `1.5MiB`); whole bytes, 1 B to 1 GiB. */
export function parseByteSize(text: string, variable: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = BYTE_UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) throw new ConfigError(variable, `expected a size in bytes such as 1048576, 512KiB or 1MiB, got '${text}'`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1 || bytes > MAX_SIZE) throw new ConfigError(variable, `expected a size from 1 B to 1 GiB, got '${text}'`);
  return bytes;
}

/** Refuses a non-loopback origin unless LOAD_ALLOW_HOST names exactly its host. */
export function checkTargetAllowed(origin: string, allowHost: string | undefined): void {
  const host = new URL(origin).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host)) return;
  const allowed = allowHost?.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (allowed !== host) {
    throw new SuiteError(
      'TARGET_REFUSED',
      `BASE_URL host '${host}' is not a loopback address; set LOAD_ALLOW_HOST=${host} to allow load against it${allowed ? ` (LOAD_ALLOW_HOST is '${allowed}')` : ''}`,
    );
  }
}

/** Accounts from a JSON list of {email, password} or a CSV file with an email,password header. */
export function readAccountsFile(file: string): LoadAccount[] {
  if (!existsSync(file)) throw new ConfigError('LOAD_ACCOUNTS_FILE', `no such file: ${file}`);
  // Editors on some systems start a file with a byte-order mark; it is not part of the data.
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let accounts: LoadAccount[];
  if (/^\s*[[{]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { accounts?: unknown }).accounts;
    if (!Array.isArray(list)) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: expected a list of {"email", "password"} objects`);
    accounts = list.map((item, i) => {
      const a = item as Partial<LoadAccount>;
      if (typeof a?.email !== 'string' || typeof a?.password !== 'string') throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: entry ${i} needs "email" and "password" strings`);
      return { email: a.email, password: a.password };
    });
  } else {
    let records: string[][];
    try {
      records = parseCsv(text, { skip_empty_lines: true, bom: true });
    } catch (error) {
      throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file} is not valid CSV (${(error as Error).message.split('\n')[0]})`);
    }
    const header = (records.shift() ?? []).map((h) => h.trim().toLowerCase());
    const emailAt = header.indexOf('email');
    const passwordAt = header.indexOf('password');
    if (emailAt < 0 || passwordAt < 0) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: a CSV file needs a header line with email and password`);
    accounts = records.map((cells, i) => {
      const email = cells[emailAt]?.trim();
      const password = cells[passwordAt];
      if (!email || !password) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: line ${i + 2} needs an email and a password`);
      return { email, password };
    });
  }
  if (accounts.length === 0) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file} holds no account`);
  const emails = new Set<string>();
  for (const a of accounts) {
    if (!/^[^\s@]+@[^\s@]+$/.test(a.email)) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: not an email address: '${a.email}'`);
    if (emails.has(a.email.toLowerCase())) throw new ConfigError('LOAD_ACCOUNTS_FILE', `${file}: ${a.email} is listed twice (segments must not share an account)`);
    emails.add(a.email.toLowerCase());
  }
  return accounts;
}

/** The embedded reference API's seeded load accounts (`load-NN@…`). */
export function seedLoadAccounts(): LoadAccount[] {
  return [...readSeedAccounts().entries()].filter(([local]) => local.startsWith('load-')).map(([, a]) => a).sort((a, b) => a.email.localeCompare(b.email));
}

export function loadConfig(scenario: Scenario, env: Env, cli: CliOptions = {}): LoadConfig {
  const read = new EnvReader(env);
  const baseUrl = read.url('BASE_URL');
  if (baseUrl !== undefined) checkTargetAllowed(baseUrl, read.raw('LOAD_ALLOW_HOST'));

  const rate = read.raw('LOAD_RATE') === undefined ? undefined : read.number('LOAD_RATE', 0, { min: 0.01, max: 1_000_000, integer: false });
  const durationMs = read.raw('LOAD_DURATION') === undefined ? undefined : parseDuration(read.raw('LOAD_DURATION')!, 'LOAD_DURATION');
  if (durationMs !== undefined && durationMs < 1000) throw new ConfigError('LOAD_DURATION', 'must be at least 1s');
  const executor = { ...scenario.executor({ rate, durationMs }) };
  executor.maxVUs = read.number('LOAD_MAX_IN_FLIGHT', executor.maxVUs, { min: 1, max: 100_000 });
  const schedule = buildSchedule(executor);

  const maxRate = read.number('LOAD_MAX_RATE', DEFAULTS.maxRate, { min: 0.01, max: 1_000_000, integer: false });
  const maxDurationMs = parseDuration(read.string('LOAD_MAX_DURATION', DEFAULTS.maxDuration), 'LOAD_MAX_DURATION');
  const peak = peakRate(schedule);
  if (peak > maxRate) {
    throw new ConfigError('LOAD_MAX_RATE', `${scenario.name} would reach ${Math.round(peak * 100) / 100} arrivals/s, above the cap of ${maxRate}/s; lower LOAD_RATE or raise LOAD_MAX_RATE`);
  }
  if (schedule.durationMs > maxDurationMs) {
    throw new ConfigError('LOAD_MAX_DURATION', `${scenario.name} would last ${schedule.durationMs / 1000} s, above the cap of ${maxDurationMs / 1000} s; lower LOAD_DURATION or raise LOAD_MAX_DURATION`);
  }

  const override = parseThresholdOverride(read.raw('LOAD_THRESHOLDS'));
  const thresholdMap = { ...scenario.thresholds, ...override };
  const thresholds = parseThresholds(thresholdMap);

  const workers = read.number('LOAD_WORKERS', 1, { min: 1, max: Math.max(1, cpus().length * 4) });
  let accounts: LoadAccount[] | null = null;
  const accountsFile = read.raw('LOAD_ACCOUNTS_FILE');
  if (accountsFile !== undefined) accounts = readAccountsFile(accountsFile);
  else if (baseUrl !== undefined) {
    const email = read.email('TEST_USER_EMAIL');
    const password = read.raw('TEST_USER_PASSWORD');
    if (email === undefined || password === undefined) {
      throw new ConfigError('LOAD_ACCOUNTS_FILE', 'required for a target other than the embedded reference API (or TEST_USER_EMAIL and TEST_USER_PASSWORD for a single account)');
    }
    accounts = [{ email, password }];
  }

  return {
    scenario,
    target: baseUrl === undefined ? { kind: 'embedded' } : { kind: 'external', origin: baseUrl },
    executor,
    schedule,
    thresholdMap,
    thresholds,
    segment: cli.segment ?? WHOLE,
    workers,
    timeoutMs: parseDuration(read.string('LOAD_TIMEOUT', DEFAULTS.timeout), 'LOAD_TIMEOUT'),
    maxBodyBytes: parseByteSize(read.string('LOAD_MAX_BODY', DEFAULTS.maxBody), 'LOAD_MAX_BODY'),
    graceMs: parseDuration(read.string('LOAD_GRACE', DEFAULTS.grace), 'LOAD_GRACE'),
    validity: {
      minRateRatio: read.number('LOAD_MIN_RATE_RATIO', DEFAULTS.minRateRatio, { min: 0, max: 1, integer: false }),
      maxLagP99Ms: read.number('LOAD_MAX_LAG_P99_MS', DEFAULTS.maxLagP99Ms, { min: 1, max: 600_000, integer: false }),
    },
    checkSample: read.number('LOAD_CHECK_SAMPLE', 1, { min: 0.0001, max: 1, integer: false }),
    degradation: {
      factor: read.number('LOAD_DEGRADATION_FACTOR', DEFAULT_DEGRADATION.factor, { min: 1, max: 1000, integer: false }),
      marginMs: read.number('LOAD_DEGRADATION_MARGIN_MS', DEFAULT_DEGRADATION.marginMs, { min: 0, max: 3_600_000, integer: false }),
    },
    accounts,
    api: {
      paths: {
        signIn: read.path('SIGN_IN_PATH', '/auth/sign-in'),
        refresh: read.path('REFRESH_PATH', '/auth/refresh-token'),
        protected: read.path('PROTECTED_PATH', '/chat'),
      },
      apiVersion: read.string('API_VERSION', '0.2.0'),
      clockSkewSeconds: read.number('CLOCK_SKEW_SECONDS', baseUrl === undefined ? SAME_CLOCK_SKEW_SECONDS : 5, { min: 0, max: 600 }),
    },
    reportRoot: read.string('LOAD_REPORT_DIR', 'reports/load'),
    outDir: cli.outDir,
    baseline: {
      enabled: read.bool('LOAD_BASELINE', true),
      dir: read.string('LOAD_BASELINE_DIR', 'reports/baselines'),
      allowedPct: read.number('LOAD_REGRESSION_PCT', DEFAULTS.regressionPct, { min: 0, max: 10_000, integer: false }),
    },
    referenceHashCost: read.number('LOAD_REFERENCE_HASH_COST', DEFAULTS.referenceHashCost, { min: 10, max: 20 }),
    quiet: cli.quiet ?? false,
  };
}
