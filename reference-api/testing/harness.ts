/**
 * Helpers for the reference API's own tests (test/reference-*.test.ts): an app built in
 * process with a cheap hash cost, a manual clock and captured log lines, plus the seeded
 * accounts. Not used by the service itself.
 */
import type { TestContext } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.ts';
import { manualClock, type ManualClock } from '../src/clock.ts';
import { DEFAULT_SEED_PATH, loadConfig, type ReferenceConfig } from '../src/config.ts';
import { scrypt, type DeriveKey } from '../src/passwords.ts';
import { readSeed, type SeedUser } from '../src/seed.ts';

export const SEED = readSeed(DEFAULT_SEED_PATH);

export function seededUser(email: string): SeedUser {
  const user = SEED.users.find((u) => u.email === email);
  if (!user) throw new Error(`no seeded user ${email}`);
  return user;
}

export const MAIN = seededUser('test@puppilot.test');
export const MEMBER = seededUser('member@puppilot.test');

/** Cheap hashing and no request log unless a test asks for them. */
export const TEST_ENV = { PASSWORD_HASH_COST: '10', REFERENCE_LOG: 'off' } as const;

export interface TestApp {
  app: FastifyInstance;
  clock: ManualClock;
  config: ReferenceConfig;
  /** Request log lines written so far (only when REFERENCE_LOG is 'requests'). */
  lines: string[];
  /** The scrypt cost (N) of every password key derivation since the app was built. */
  derivations: number[];
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  signIn(email?: string, password?: string): Promise<LightMyRequestResponse>;
  /** Signs in MAIN and returns the token response body. */
  tokens(): Promise<TokenBody>;
  refresh(token: string): Promise<LightMyRequestResponse>;
  chat(authorization: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_at: number;
  refresh_expires_at: number;
  user: { id: string; email: string; name: string; organization_id: string };
}

/** Builds an app for one test and closes it when the test ends. */
export async function testApp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const clock = manualClock(Date.UTC(2030, 0, 1, 12, 0, 0));
  const lines: string[] = [];
  const derivations: number[] = [];
  const deriveKey: DeriveKey = (password, salt, keyLength, options) => {
    derivations.push(options.N ?? 0);
    return scrypt(password, salt, keyLength, options);
  };
  const app = await buildApp({ config, now: clock.now, log: (line) => lines.push(line), deriveKey });
  t.after(() => app.close());

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const signIn = (email = MAIN.email, password = MAIN.password) => post('/auth/sign-in', { email, password });
  return {
    app,
    clock,
    config,
    lines,
    derivations,
    post,
    signIn,
    async tokens() {
      const res = await signIn();
      if (res.statusCode !== 200) throw new Error(`sign-in failed with ${res.statusCode}`);
      return res.json<TokenBody>();
    },
    refresh: (token) => post('/auth/refresh-token', { token }),
    chat: (authorization, body = { message: 'hello' }, headers = { 'x-api-version': '0.2.0' }) =>
      post('/chat', body, { ...(authorization === undefined ? {} : { authorization }), ...headers }),
  };
}

/** Decodes a JWT part without verifying (for assertions only). */
export function jwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  const part = token.split('.')[index];
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The token with one character of its signature changed. */
export function tamper(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
  return `${header}.${payload}.${flipped}`;
}

/** The token with its payload replaced by `claims` (signature kept: it no longer matches). */
export function withClaims(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
