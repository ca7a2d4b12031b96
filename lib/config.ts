/**
 * The suite's configuration: read once from the environment (and `.env`, which never
 * overrides a variable that is already set), validated, and frozen.
 *
 * No BASE_URL means the embedded reference API is the target: Playwright's webServer starts
 * it, and the seeded accounts of reference-api/seed/users.json are the credentials. Any
 * other target needs its credentials given; every variable is documented in .env.example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as loadDotenvFile } from 'dotenv';
import { ConfigError } from './errors.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_SEED_FILE = resolve(PROJECT_ROOT, 'reference-api/seed/users.json');

export type Env = Readonly<Record<string, string | undefined>>;

export interface Account {
  email: string;
  password: string;
}

export interface Capabilities {
  /** Refresh rotates the refresh token and rejects a used one (decision 8). */
  rotation: boolean;
  /** Presenting a used refresh token revokes its successor too (RFC 9700 §4.14.2). */
  familyRevocation: boolean;
  /** Repeated failures on one account end in 429 with Retry-After (decision 2). */
  lockout: boolean;
  /** Tests that wait for real token expiry run (needs short TTLs on the expiry target). */
  expiryWait: boolean;
  /** Signatures are verified, with a JWKS URL or a key (needs one of them). */
  signatureVerification: boolean;
  /**
   * Tokens re-signed with HS256 using the target's public key as the HMAC secret are
   * tried (RFC 8725 §2.1): needs the public key, from a JWKS URL or a PEM JWT_VERIFY_KEY.
   */
  algorithmConfusion: boolean;
}

export interface SuiteConfig {
  /** `embedded`: the reference API started by Playwright; `external`: anything else. */
  targetKind: 'embedded' | 'external';
  baseUrl: string;
  /** Where the wait-based expiry tests run: a target with short TTLs. */
  expiryBaseUrl: string;
  paths: { signIn: string; refresh: string; protected: string };
  apiVersion: string;
  /** The main account: signs in correctly, never receives a wrong password. */
  user: Account;
  /** The account that receives wrong-password probes; a correct sign-in resets its failures. */
  probeUser: Account;
  /**
   * The account whose refresh tokens are replayed on purpose (rotation, concurrency).
   * A target may answer a replay by revoking every session of that user, so no other test
   * shares it; specs use it only under an exclusive lock (specs/support/accounts.ts).
   */
  reuseUser: Account;
  /** A throwaway account the lockout test locks; undefined disables that test. */
  lockoutEmail: string | undefined;
  /** Its password, when known: a locked account must refuse even the right one. */
  lockoutPassword: string | undefined;
  capabilities: Capabilities;
  jwt: {
    algorithms: readonly string[];
    jwksUrl: string | undefined;
    /** A PEM public key (or a file holding one) or an HMAC secret. */
    verifyKey: string | undefined;
  };
  /** Bounds for the TTLs the target issues, in seconds. */
  ttl: { accessMin: number; accessMax: number; refreshMax: number };
  clockSkewSeconds: number;
  /** The timing check's statistics (specs/support/timing.ts). */
  timing: {
    /** Rounds (one sample of each kind) before the first look. */
    minSamples: number;
    /** The most rounds ever taken. */
    maxSamples: number;
    /** Discarded rounds first. */
    warmup: number;
    /** The false-alarm rate of the whole check (all looks together), when the paths differ by no more than the margin. */
    falseAlarmRate: number;
    /** A difference this small is no leak: max(marginMs, marginRatio × median sign-in time). */
    marginMs: number;
    marginRatio: number;
    /** Sampling stops early once a leak of max(goalMs, goalRatio × median) would have been seen. */
    goalMs: number;
    goalRatio: number;
  };
  /** Response headers the enumeration comparison leaves out, beyond its own allowlist (lower case). */
  enumerationIgnoreHeaders: readonly string[];
  lockoutMaxAttempts: number;
  /** How long any answer to bad input may take, in milliseconds. */
  responseTimeLimitMs: number;
  /** The size of the body sent by the oversized-body test, in bytes. */
  oversizedBodyBytes: number;
  /** The longest the suite waits for a token to expire, in seconds. */
  expiryWaitMaxSeconds: number;
  /** Parallel Playwright workers and where the contract reports go. */
  run: { workers: number; reportDir: string };
  /** How the embedded reference API is started (used only when targetKind is embedded). */
  embedded: { host: string; port: number; expiryPort: number; hashCost: number; accessTtl: number; refreshTtl: number };
}

/**
 * Parallel workers unless CONTRACT_WORKERS says otherwise: one per core, at least 2 and at
 * most 4. The tests mostly wait on the target, but each worker costs CPU to start and to
 * report its steps: on 2 cores, 4 workers ran the suite slower than 2.
 */
export const DEFAULT_WORKERS = Math.min(4, Math.max(2, availableParallelism()));

const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'];
const KNOWN_ALGORITHMS = new Set([...DEFAULT_ALGORITHMS, 'ES256K']);

/** Reads values of one variable each, throwing ConfigError with the variable's name. */
export class EnvReader {
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    throw new ConfigError(name, `expected true or false, got '${value}'`);
  }

  number(name: string, fallback: number, { min, max, integer = true }: { min: number; max: number; integer?: boolean }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) {
      throw new ConfigError(name, `expected ${integer ? 'a whole number' : 'a number'}, got '${value}'`);
    }
    if (parsed < min || parsed > max) throw new ConfigError(name, `expected a value from ${min} to ${max}, got ${parsed}`);
    return parsed;
  }

  url(name: string, fallback?: string): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(name, `not a valid URL: '${value}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(name, `expected an http or https URL, got '${url.protocol}'`);
    }
    if (url.username || url.password) throw new ConfigError(name, 'credentials do not belong in the URL; use TEST_USER_EMAIL and TEST_USER_PASSWORD');
    if (url.search || url.hash) throw new ConfigError(name, 'expected a URL without query or fragment');
    return url.href.replace(/\/$/, '');
  }

  path(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    if (!value.startsWith('/') || /\s/.test(value)) throw new ConfigError(name, `expected a path starting with '/', got '${value}'`);
    return value;
  }

  email(name: string, fallback?: string): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value !== undefined && !/^[^\s@]+@[^\s@]+$/.test(value)) throw new ConfigError(name, `not an email address: '${value}'`);
    return value;
  }

  list(name: string, fallback: readonly string[], allowed: ReadonlySet<string>): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = items.find((item) => !allowed.has(item));
    if (unknown !== undefined) throw new ConfigError(name, `unknown value '${unknown}' (known: ${[...allowed].join(', ')})`);
    if (items.length === 0) throw new ConfigError(name, 'expected at least one value');
    if (items.includes('none')) throw new ConfigError(name, "'none' can never be allowed");
    return items;
  }
}

interface SeedAccount {
  email: string;
  password: string;
}

/** The embedded reference API's seeded accounts: the default credentials. */
export function readSeedAccounts(file = REFERENCE_SEED_FILE): Map<string, SeedAccount> {
  let users: unknown;
  try {
    users = (JSON.parse(readFileSync(file, 'utf8')) as { users?: unknown }).users;
  } catch (error) {
    throw new ConfigError('REFERENCE_SEED', `cannot read ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(users)) throw new ConfigError('REFERENCE_SEED', `${file} has no "users" list`);
  return new Map(
    (users as SeedAccount[]).map((u) => [u.email.split('@')[0]!.toLowerCase(), { email: u.email, password: u.password }]),
  );
}

/** True when JWT_VERIFY_KEY holds (or names a file holding) a PEM key rather than an HMAC secret. */
function isPemKey(value: string): boolean {
  try {
    return (existsSync(value) ? readFileSync(value, 'utf8') : value).includes('-----BEGIN');
  } catch {
    return false;
  }
}

/** `<prefix>_EMAIL` and `<prefix>_PASSWORD`, both or neither. */
function optionalAccount(read: EnvReader, prefix: 'PROBE_USER' | 'REUSE_USER'): Account | undefined {
  const email = read.email(`${prefix}_EMAIL`);
  const password = read.raw(`${prefix}_PASSWORD`);
  if ((email === undefined) !== (password === undefined)) {
    throw new ConfigError(email === undefined ? `${prefix}_EMAIL` : `${prefix}_PASSWORD`, `${prefix}_EMAIL and ${prefix}_PASSWORD go together`);
  }
  return email !== undefined && password !== undefined ? { email, password } : undefined;
}

function seedAccount(seed: Map<string, SeedAccount>, localPart: string): SeedAccount {
  const account = seed.get(localPart);
  if (!account) throw new ConfigError('REFERENCE_SEED', `the seed has no '${localPart}@…' account`);
  return account;
}

/** Clock allowance for a target on this machine's clock: the Date header's resolution. */
export const SAME_CLOCK_SKEW_SECONDS = 1;

/** The timing check's settings: sequential sampling bounds, false-alarm rate, margin and goal. */
function timingSettings(read: EnvReader): SuiteConfig['timing'] {
  const minSamples = read.number('TIMING_MIN_SAMPLES', 12, { min: 5, max: 500 });
  const maxSamples = read.number('TIMING_SAMPLES', 160, { min: 5, max: 2000 });
  if (maxSamples < minSamples) throw new ConfigError('TIMING_SAMPLES', `the most samples must be at least TIMING_MIN_SAMPLES (${minSamples})`);
  return {
    minSamples,
    maxSamples,
    warmup: read.number('TIMING_WARMUP', 2, { min: 0, max: 100 }),
    falseAlarmRate: read.number('TIMING_FALSE_ALARM_RATE', 0.01, { min: 1e-6, max: 0.2, integer: false }),
    marginMs: read.number('TIMING_MARGIN_MS', 2, { min: 0, max: 10_000, integer: false }),
    marginRatio: read.number('TIMING_MARGIN_RATIO', 0.05, { min: 0, max: 1, integer: false }),
    goalMs: read.number('TIMING_GOAL_MS', 5, { min: 0, max: 10_000, integer: false }),
    goalRatio: read.number('TIMING_GOAL_RATIO', 0.2, { min: 0, max: 1, integer: false }),
  };
}

/** A comma-separated list of HTTP header names, lower-cased. */
function headerNames(read: EnvReader, name: string): string[] {
  const value = read.raw(name);
  if (value === undefined) return [];
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = names.find((h) => !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h));
  if (bad !== undefined) throw new ConfigError(name, `not a header name: '${bad}'`);
  return names;
}

/** Builds and validates the configuration from `env`; pure, so tests can feed it anything. */
export function loadSuiteConfig(env: Env = process.env): SuiteConfig {
  const read = new EnvReader(env);
  const baseUrlGiven = read.url('BASE_URL');
  const targetKind = baseUrlGiven === undefined ? 'embedded' : 'external';

  const embedded = {
    host: '127.0.0.1',
    port: read.number('REFERENCE_PORT', 8787, { min: 1, max: 65535 }),
    expiryPort: read.number('REFERENCE_EXPIRY_PORT', 8788, { min: 1, max: 65535 }),
    hashCost: read.number('REFERENCE_HASH_COST', 14, { min: 10, max: 20 }),
    accessTtl: 2,
    refreshTtl: 5,
  };
  if (targetKind === 'embedded' && embedded.port === embedded.expiryPort) {
    throw new ConfigError('REFERENCE_EXPIRY_PORT', `must differ from REFERENCE_PORT (${embedded.port})`);
  }

  let user: Account;
  let probeUser: Account;
  let reuseUser: Account;
  let lockoutEmail: string | undefined;
  let lockoutPassword: string | undefined;
  let baseUrl: string;
  if (targetKind === 'embedded') {
    const seed = readSeedAccounts();
    baseUrl = `http://${embedded.host}:${embedded.port}`;
    user = seedAccount(seed, 'test');
    probeUser = seedAccount(seed, 'probe');
    reuseUser = seedAccount(seed, 'reuse');
    ({ email: lockoutEmail, password: lockoutPassword } = seedAccount(seed, 'lockout'));
  } else {
    baseUrl = baseUrlGiven!;
    const email = read.email('TEST_USER_EMAIL');
    if (email === undefined) throw new ConfigError('TEST_USER_EMAIL', 'required when BASE_URL names a target other than the embedded reference API');
    const password = read.raw('TEST_USER_PASSWORD');
    if (password === undefined) throw new ConfigError('TEST_USER_PASSWORD', 'required when BASE_URL names a target other than the embedded reference API');
    user = { email, password };
    // Without a probe account, wrong-password probes go to the main account, each
    // followed by a correct sign-in (see specs/support/accounts.ts).
    probeUser = optionalAccount(read, 'PROBE_USER') ?? user;
    // Without a reuse account, replays happen on the main account: fine for a target that
    // revokes only the replayed token's family, disruptive for one that logs the user out
    // everywhere (README, "Aiming it at staging").
    reuseUser = optionalAccount(read, 'REUSE_USER') ?? user;
    lockoutEmail = read.email('LOCKOUT_USER_EMAIL');
    lockoutPassword = read.raw('LOCKOUT_USER_PASSWORD');
    if (lockoutPassword !== undefined && lockoutEmail === undefined) {
      throw new ConfigError('LOCKOUT_USER_PASSWORD', 'needs LOCKOUT_USER_EMAIL');
    }
    for (const [other, what] of [[user, 'the main test account'], [reuseUser, 'the reuse account']] as const) {
      if (lockoutEmail?.toLowerCase() === other.email.toLowerCase()) {
        throw new ConfigError('LOCKOUT_USER_EMAIL', `must not be ${what}: the lockout test locks it`);
      }
    }
  }

  const jwksUrl = read.url('JWT_JWKS_URL', targetKind === 'embedded' ? `${baseUrl}/.well-known/jwks.json` : undefined);
  const verifyKey = read.raw('JWT_VERIFY_KEY');
  const expiryWait = read.bool('CAP_EXPIRY_WAIT', targetKind === 'embedded');
  const publicKeyKnown = jwksUrl !== undefined || (verifyKey !== undefined && isPemKey(verifyKey));
  const capabilities: Capabilities = {
    rotation: read.bool('CAP_ROTATION', true),
    familyRevocation: read.bool('CAP_FAMILY_REVOCATION', true),
    lockout: read.bool('CAP_LOCKOUT', true),
    expiryWait,
    signatureVerification: read.bool('CAP_SIGNATURE_VERIFICATION', jwksUrl !== undefined || verifyKey !== undefined),
    algorithmConfusion: read.bool('CAP_ALG_CONFUSION', publicKeyKnown),
  };
  if (capabilities.algorithmConfusion && !publicKeyKnown) {
    throw new ConfigError('CAP_ALG_CONFUSION', "needs the target's public key: JWT_JWKS_URL, or a PEM public key in JWT_VERIFY_KEY");
  }
  if (capabilities.signatureVerification && jwksUrl === undefined && verifyKey === undefined) {
    throw new ConfigError('CAP_SIGNATURE_VERIFICATION', 'needs JWT_JWKS_URL or JWT_VERIFY_KEY');
  }
  if (capabilities.familyRevocation && !capabilities.rotation) {
    throw new ConfigError('CAP_FAMILY_REVOCATION', 'needs CAP_ROTATION=true (a family is a chain of rotations)');
  }

  const ttl = {
    accessMin: read.number('ACCESS_TTL_MIN', 60, { min: 1, max: 31_536_000 }),
    accessMax: read.number('ACCESS_TTL_MAX', 86_400, { min: 1, max: 31_536_000 }),
    refreshMax: read.number('REFRESH_TTL_MAX', 7_776_000, { min: 1, max: 315_360_000 }),
  };
  if (ttl.accessMin > ttl.accessMax) throw new ConfigError('ACCESS_TTL_MIN', `greater than ACCESS_TTL_MAX (${ttl.accessMax})`);
  if (ttl.refreshMax <= ttl.accessMin) throw new ConfigError('REFRESH_TTL_MAX', `must exceed ACCESS_TTL_MIN (${ttl.accessMin})`);

  return Object.freeze({
    targetKind,
    baseUrl,
    expiryBaseUrl:
      read.url('EXPIRY_BASE_URL') ?? (targetKind === 'embedded' ? `http://${embedded.host}:${embedded.expiryPort}` : baseUrl),
    paths: {
      signIn: read.path('SIGN_IN_PATH', '/auth/sign-in'),
      refresh: read.path('REFRESH_PATH', '/auth/refresh-token'),
      protected: read.path('PROTECTED_PATH', '/chat'),
    },
    apiVersion: read.string('API_VERSION', '0.2.0'),
    user,
    probeUser,
    reuseUser,
    lockoutEmail: capabilities.lockout ? lockoutEmail : undefined,
    lockoutPassword: capabilities.lockout ? lockoutPassword : undefined,
    capabilities,
    jwt: {
      algorithms: read.list('JWT_ALGORITHMS', DEFAULT_ALGORITHMS, KNOWN_ALGORITHMS),
      jwksUrl,
      verifyKey,
    },
    ttl,
    // The embedded reference API runs on this machine's clock: the only difference left is
    // the Date header's whole seconds. A remote target's clock may drift.
    clockSkewSeconds: read.number('CLOCK_SKEW_SECONDS', targetKind === 'embedded' ? SAME_CLOCK_SKEW_SECONDS : 5, { min: 0, max: 600 }),
    timing: timingSettings(read),
    enumerationIgnoreHeaders: headerNames(read, 'ENUMERATION_IGNORE_HEADERS'),
    lockoutMaxAttempts: read.number('LOCKOUT_MAX_ATTEMPTS', 20, { min: 1, max: 1000 }),
    responseTimeLimitMs: read.number('RESPONSE_TIME_LIMIT_MS', 5000, { min: 100, max: 120_000 }),
    oversizedBodyBytes: read.number('OVERSIZED_BODY_BYTES', 2 * 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    expiryWaitMaxSeconds: read.number('EXPIRY_WAIT_MAX_SECONDS', 30, { min: 1, max: 7200 }),
    run: {
      workers: read.number('CONTRACT_WORKERS', DEFAULT_WORKERS, { min: 1, max: 64 }),
      reportDir: read.string('CONTRACT_REPORT_DIR', 'reports/contract'),
    },
    embedded,
  });
}

/** Loads `.env` (or ENV_FILE) into process.env without overriding what is already set. */
export function loadDotenv(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.ENV_FILE?.trim() || resolve(PROJECT_ROOT, '.env');
  const result = loadDotenvFile({ path: file, quiet: true, processEnv: env });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ENOENT') {
    throw new ConfigError('ENV_FILE', `cannot read ${file}: ${result.error.message}`);
  }
  if (env.ENV_FILE && result.error) throw new ConfigError('ENV_FILE', `no such file: ${file}`);
}

let cached: SuiteConfig | undefined;

/**
 * The configuration of this process: `.env` loaded, validated once. On a bad variable it
 * prints one line naming it and exits with status 2 (no stack trace): this runs inside
 * playwright.config.ts and the workers, where an exception would print one.
 */
export function suiteConfig(): SuiteConfig {
  if (cached) return cached;
  try {
    loadDotenv();
    cached = loadSuiteConfig();
    return cached;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.code}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
