/**
 * The reference API's configuration: environment variables, their defaults and their
 * validation. A bad value throws ConfigError naming the variable, so `main.ts` can print
 * one line (`CONFIG_INVALID: VAR: problem`) and exit 2 before anything starts.
 */
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/errors.ts';
import { isFaultName, type FaultName } from './faults.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ReferenceConfig {
  host: string;
  /** 0 lets the OS choose a free port. */
  port: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** True when either TTL came from the environment (the `long-ttls` fault then leaves them alone). */
  ttlsSetExplicitly: boolean;
  lockoutThreshold: number;
  lockoutWindowSeconds: number;
  /** scrypt cost as log2(N); r=8, p=1. */
  passwordHashCost: number;
  /** ':memory:' or a file path. */
  databasePath: string;
  /** Absolute path of the seed JSON, or null for no seed. */
  seedPath: string | null;
  requestLog: 'requests' | 'off';
  fault: FaultName | null;
  bodyLimitBytes: number;
  /** PKCS8 PEM file with the signing key; null: a fresh key pair per start. */
  jwtPrivateKeyPath: string | null;
}

export const DEFAULT_SEED_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../seed/users.json');

/** The variables this service reads, with their defaults as written in the README. */
export const CONFIG_DEFAULTS = {
  REFERENCE_HOST: '127.0.0.1',
  REFERENCE_PORT: '8787',
  ACCESS_TOKEN_TTL: '900',
  REFRESH_TOKEN_TTL: '604800',
  LOCKOUT_THRESHOLD: '5',
  LOCKOUT_WINDOW: '900',
  PASSWORD_HASH_COST: '17',
  REFERENCE_DB: ':memory:',
  REFERENCE_SEED: 'reference-api/seed/users.json',
  REFERENCE_LOG: 'requests',
  REFERENCE_FAULT: '',
  REFERENCE_BODY_LIMIT: '65536',
  REFERENCE_JWT_PRIVATE_KEY: '',
} as const;

type VariableName = keyof typeof CONFIG_DEFAULTS;

const DAY = 86_400;

/** The raw value: unset and empty both mean "use the default" (shells make the two hard to tell apart). */
function raw(env: Environment, name: VariableName): { value: string; explicit: boolean } {
  const value = env[name]?.trim();
  return value ? { value, explicit: true } : { value: CONFIG_DEFAULTS[name], explicit: false };
}

const show = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/** A whole number in [min, max]; `unit` names what it counts, for the error message. */
function integer(env: Environment, name: VariableName, min: number, max: number, unit = ''): number {
  const { value } = raw(env, name);
  const range = `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be ${range}, got ${show(value)}`);
  }
  return Number(value);
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function host(env: Environment): string {
  const { value } = raw(env, 'REFERENCE_HOST');
  if (isIP(value) === 0 && !HOSTNAME.test(value)) {
    throw new ConfigError('REFERENCE_HOST', `must be an IP address or a host name, got ${show(value)}`);
  }
  return value;
}

function databasePath(env: Environment): string {
  const { value } = raw(env, 'REFERENCE_DB');
  if (value === ':memory:') return value;
  const file = resolve(value);
  if (existsSync(file) && !statSync(file).isFile()) throw new ConfigError('REFERENCE_DB', `${show(value)} is not a file`);
  if (!existsSync(dirname(file))) throw new ConfigError('REFERENCE_DB', `the directory of ${show(value)} does not exist`);
  return file;
}

function seedPath(env: Environment): string | null {
  const { value, explicit } = raw(env, 'REFERENCE_SEED');
  if (value === 'none') return null;
  const file = explicit ? resolve(value) : DEFAULT_SEED_PATH;
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError('REFERENCE_SEED', `no seed file at ${show(value)} (use "none" to start without users)`);
  }
  return file;
}

function fault(env: Environment): FaultName | null {
  const { value } = raw(env, 'REFERENCE_FAULT');
  if (value === '') return null;
  if (!isFaultName(value)) throw new ConfigError('REFERENCE_FAULT', `unknown fault ${show(value)} (see reference-api/README.md)`);
  return value;
}

function requestLog(env: Environment): 'requests' | 'off' {
  const { value } = raw(env, 'REFERENCE_LOG');
  if (value !== 'requests' && value !== 'off') throw new ConfigError('REFERENCE_LOG', `must be "requests" or "off", got ${show(value)}`);
  return value;
}

function jwtPrivateKeyPath(env: Environment): string | null {
  const { value, explicit } = raw(env, 'REFERENCE_JWT_PRIVATE_KEY');
  if (!explicit) return null;
  const file = resolve(value);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError('REFERENCE_JWT_PRIVATE_KEY', `no PEM file at ${show(value)}`);
  }
  return file;
}

/** Reads and validates the configuration; throws ConfigError on the first bad variable. */
export function loadConfig(env: Environment = process.env): ReferenceConfig {
  const accessTokenTtlSeconds = integer(env, 'ACCESS_TOKEN_TTL', 1, 30 * DAY, 'seconds');
  const refreshTokenTtlSeconds = integer(env, 'REFRESH_TOKEN_TTL', 1, 365 * DAY, 'seconds');
  // Decision 7 of the contract: now < expires_at < refresh_expires_at.
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    throw new ConfigError(
      'REFRESH_TOKEN_TTL',
      `must be longer than ACCESS_TOKEN_TTL (${accessTokenTtlSeconds}), got ${refreshTokenTtlSeconds}`,
    );
  }
  const config: ReferenceConfig = {
    host: host(env),
    port: integer(env, 'REFERENCE_PORT', 0, 65535),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    ttlsSetExplicitly: raw(env, 'ACCESS_TOKEN_TTL').explicit || raw(env, 'REFRESH_TOKEN_TTL').explicit,
    lockoutThreshold: integer(env, 'LOCKOUT_THRESHOLD', 1, 1000, 'failures'),
    lockoutWindowSeconds: integer(env, 'LOCKOUT_WINDOW', 1, DAY, 'seconds'),
    passwordHashCost: integer(env, 'PASSWORD_HASH_COST', 10, 20),
    databasePath: databasePath(env),
    seedPath: seedPath(env),
    requestLog: requestLog(env),
    fault: fault(env),
    bodyLimitBytes: integer(env, 'REFERENCE_BODY_LIMIT', 1024, 10 * 1024 * 1024, 'bytes'),
    jwtPrivateKeyPath: jwtPrivateKeyPath(env),
  };
  if (config.fault === 'rs256-keys' && config.jwtPrivateKeyPath !== null) {
    throw new ConfigError('REFERENCE_FAULT', 'rs256-keys generates its own RSA key and cannot be combined with REFERENCE_JWT_PRIVATE_KEY');
  }
  return config;
}

/** A short description for the start-up line; never includes secrets. */
export function describeConfig(config: ReferenceConfig): string {
  return [
    `fault: ${config.fault ?? 'none'}`,
    `db: ${config.databasePath}`,
    `hash cost: ${config.passwordHashCost}`,
    `access ttl: ${config.accessTokenTtlSeconds}s`,
    `refresh ttl: ${config.refreshTokenTtlSeconds}s`,
  ].join(', ');
}
