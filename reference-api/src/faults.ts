/**
 * Fault injection for the contract suite's self-check: `REFERENCE_FAULT=<name>` starts the
 * reference API with exactly one known defect, and the suite must notice it (or, for the
 * faults marked harmless, must not complain).
 *
 * A fault is a function from the production Behaviour to another Behaviour: either a
 * switch the services read (behaviour.ts) or a response mutation run by the one onSend
 * hook (http/response-mutation.ts). Production code contains no fault names. With no
 * fault, buildApp uses productionBehaviour() untouched and registers no onSend hook.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Behaviour, CredentialFailure, OutgoingResponse, RefreshBehaviour, ResponseMutation } from './behaviour.ts';
import { INTERNAL_ERROR } from './http/problems.ts';
import { publicUser } from './sessions.ts';

export type FaultArea =
  | 'shape'
  | 'credentials'
  | 'timing'
  | 'errors'
  | 'tokens'
  | 'expiry'
  | 'refresh'
  | 'protected'
  | 'headers'
  | 'lockout'
  | 'load';

export interface FaultInfo {
  name: string;
  area: FaultArea;
  /** True when a correct client and the contract must accept the changed behaviour. */
  harmless: boolean;
  description: string;
  /**
   * `contract`: the contract suite's self-check runs the suite against it. `load`: it shows
   * only at volume or over time, and the load suite's tests hold the load engine to it.
   */
  suite: 'contract' | 'load';
}

/**
 * What a fault reads of the service's configuration. ReferenceConfig (config.ts) has it;
 * it is declared here because config.ts imports this file for the fault names.
 */
export interface FaultConfig {
  /** True when either token TTL came from the environment. */
  ttlsSetExplicitly: boolean;
}

type Apply = (base: Behaviour, config: FaultConfig) => Behaviour;

interface FaultDefinition {
  area: FaultArea;
  harmless: boolean;
  description: string;
  apply: Apply;
  /** Default `contract`; see FaultInfo.suite. */
  suite?: 'load';
}

const DAY = 86_400;
const SIGN_IN = '/auth/sign-in';
const REFRESH = '/auth/refresh-token';
const CHAT = '/chat';

// --- building blocks ---------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const mutating =
  (mutate: ResponseMutation): Apply =>
  (base) => ({ ...base, mutateResponse: mutate });

/** Edits the body of 200 responses of sign-in and refresh. */
const tokenBody = (edit: (body: Record<string, unknown>, user: Record<string, unknown>) => void): Apply =>
  mutating((response) => {
    if (response.isTokenResponse && isRecord(response.body) && isRecord(response.body.user)) {
      edit(response.body, response.body.user);
    }
  });

const tokenHeaders = (edit: (response: OutgoingResponse) => void): Apply =>
  mutating((response) => {
    if (response.isTokenResponse) edit(response);
  });

const internalErrorWhen = (applies: (response: OutgoingResponse) => boolean): Apply =>
  mutating((response) => {
    if (applies(response)) {
      response.status = 500;
      response.body = { ...INTERNAL_ERROR };
    }
  });

const validationProblems = (response: OutgoingResponse): Array<Record<string, unknown>> =>
  response.status === 422 && isRecord(response.body) && Array.isArray(response.body.detail)
    ? response.body.detail.filter(isRecord)
    : [];

const switches =
  <K extends Exclude<keyof Behaviour, 'mutateResponse'>>(key: K, changes: Partial<Behaviour[K]>): Apply =>
  (base) => ({ ...base, [key]: { ...base[key], ...changes } });

/**
 * What pydantic v2 puts in a validation error's `input`: the value at `loc` (after "body"),
 * or for a missing field the object it is missing from.
 */
function pydanticInput(body: unknown, problem: Record<string, unknown>): unknown {
  const path = Array.isArray(problem.loc) ? problem.loc.slice(1) : [];
  const steps = problem.type === 'missing' ? path.slice(0, -1) : path;
  let value: unknown = body;
  for (const step of steps) value = isRecord(value) || Array.isArray(value) ? (value as Record<string, unknown>)[String(step)] : undefined;
  return value ?? null;
}

/**
 * Whether a sign-in answer concerns a registered email: what an implementation knows
 * and must not let show (the request's email looked up in the store).
 */
const signInFor = (response: OutgoingResponse, store: { findUserByEmail(email: string): unknown }): 'registered' | 'unknown' | undefined => {
  const body = response.requestBody;
  if (response.route !== SIGN_IN || !isRecord(body) || typeof body.email !== 'string') return undefined;
  return store.findUserByEmail(body.email) === undefined ? 'unknown' : 'registered';
};

const reversedKeys = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).reverse());

// --- building blocks of the load suite's faults --------------------------------------------
// Each instance gets its own counters and clock origin: `apply` runs once per start.

const API_ROUTES = new Set([SIGN_IN, REFRESH, CHAT]);

/**
 * Milliseconds since the instance's first sign-in, refresh or chat (0 for that one): the
 * start of a load run, whatever probes (the JWKS, /healthz) came before it.
 */
function sinceFirstApiRequest(): (response: OutgoingResponse, clock: () => number) => number | undefined {
  let first: number | undefined;
  return (response, clock) => {
    if (!API_ROUTES.has(response.route)) return undefined;
    const now = clock();
    first ??= now;
    return now - first;
  };
}

/** True on the `every`-th call, the 2·`every`-th, …: a deterministic "now and then". */
function everyNth(every: number): () => boolean {
  let calls = 0;
  return () => ++calls % every === 0;
}

const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Answers crossed between requests: on every `every`-th 200 of `route`, the body sent is
 * the last one that route answered to another user (tokens, user and times agreeing with
 * each other), as a response buffer shared between requests would.
 */
const crossedAnswers = (route: string, every: number): Apply => (base, config) => {
  const due = everyNth(every);
  let pending = false;
  let last: { user: unknown; body: unknown } | undefined;
  return mutating((response) => {
    if (response.route !== route || !response.isTokenResponse || !isRecord(response.body) || !isRecord(response.body.user)) return;
    pending ||= due();
    if (pending && last !== undefined && last.user !== response.body.user.id) {
      pending = false;
      response.body = copyOf(last.body);
      return;
    }
    last = { user: response.body.user.id, body: copyOf(response.body) };
  })(base, config);
};

/**
 * A switch that reads differently now and then. The services read each switch once per
 * request that uses it (`refresh.consume` once per rotation, `tokens.refreshTtlSeconds`
 * once per token answer), so the getter's count picks the requests.
 */
function nowAndThen<T>(usual: T, unusual: T, isUnusual: (read: number) => boolean): { get(): T } {
  let reads = 0;
  return { get: () => (isUnusual(++reads) ? unusual : usual) };
}

// --- the catalogue -----------------------------------------------------------------------

const definitions = {
  // shape
  'missing-organization-id': {
    area: 'shape',
    harmless: false,
    description: 'token responses omit user.organization_id',
    apply: tokenBody((_body, user) => {
      delete user.organization_id;
    }),
  },
  'expires-at-string': {
    area: 'shape',
    harmless: false,
    description: 'expires_at is sent as a numeric string ("1770000000")',
    apply: tokenBody((body) => {
      body.expires_at = String(body.expires_at);
    }),
  },
  'expires-in-milliseconds': {
    area: 'shape',
    harmless: false,
    description: 'expires_at and refresh_expires_at are in milliseconds in the body (the JWT claims stay in seconds)',
    apply: tokenBody((body) => {
      body.expires_at = Number(body.expires_at) * 1000;
      body.refresh_expires_at = Number(body.refresh_expires_at) * 1000;
    }),
  },
  'user-id-not-uuid': {
    area: 'shape',
    harmless: false,
    description: 'user.id is "12345", not a UUID',
    apply: tokenBody((_body, user) => {
      user.id = '12345';
    }),
  },
  'leaks-password-hash': {
    area: 'shape',
    harmless: false,
    description: "token responses add user.password_hash (the user's stored scrypt hash)",
    apply: mutating((response, { store }) => {
      if (!response.isTokenResponse || !isRecord(response.body) || !isRecord(response.body.user)) return;
      const user = response.body.user;
      user.password_hash = store.findUserById(String(user.id))?.password_hash ?? 'scrypt$unknown';
    }),
  },
  'nested-password-hash': {
    area: 'shape',
    harmless: false,
    description: 'token responses add user.account.credentials.password_hash, two levels below anything the schema describes',
    apply: mutating((response, { store }) => {
      if (!response.isTokenResponse || !isRecord(response.body) || !isRecord(response.body.user)) return;
      const user = response.body.user;
      const hash = store.findUserById(String(user.id))?.password_hash ?? 'scrypt$unknown';
      user.account = { status: 'active', credentials: { password_hash: hash } };
    }),
  },
  'refresh-text-html': {
    area: 'shape',
    harmless: false,
    description: 'refresh responses are served as text/html (sign-in stays application/json)',
    apply: tokenHeaders((response) => {
      if (response.route === REFRESH) response.setHeader('content-type', 'text/html; charset=utf-8');
    }),
  },
  'text-plain-content-type': {
    area: 'shape',
    harmless: false,
    description: 'token responses are served as text/plain (the body is still JSON text)',
    apply: tokenHeaders((response) => response.setHeader('content-type', 'text/plain; charset=utf-8')),
  },
  'token-type-mac': {
    area: 'shape',
    harmless: false,
    description: 'token_type is "mac"',
    apply: tokenBody((body) => {
      body.token_type = 'mac';
    }),
  },

  // credentials
  'accepts-wrong-password': {
    area: 'credentials',
    harmless: false,
    description: 'any password signs in an existing user',
    apply: switches('signIn', { acceptAnyPassword: true }),
  },
  'enumeration-status': {
    area: 'credentials',
    harmless: false,
    description: 'an unknown email gets 404 instead of the 401 a wrong password gets',
    apply: (base) => ({
      ...base,
      signIn: {
        ...base.signIn,
        rejection: (reason: CredentialFailure) => ({ ...base.signIn.rejection(reason), ...(reason === 'unknown-email' ? { status: 404 } : {}) }),
      },
    }),
  },
  'enumeration-body': {
    area: 'credentials',
    harmless: false,
    description: 'an unknown email gets a different 401 detail text than a wrong password',
    apply: (base) => ({
      ...base,
      signIn: {
        ...base.signIn,
        rejection: (reason: CredentialFailure) =>
          reason === 'unknown-email' ? { status: 401, detail: 'No account with this email address' } : base.signIn.rejection(reason),
      },
    }),
  },
  'timing-leak': {
    area: 'timing',
    harmless: false,
    description: 'an unknown email skips password hashing, so it answers measurably faster',
    apply: switches('signIn', { equalWorkForUnknownEmail: false }),
  },

  'enumeration-www-authenticate': {
    area: 'credentials',
    harmless: false,
    description:
      'failed sign-ins carry WWW-Authenticate; for an unknown email it adds error_description="no account with this email" (same status, same body)',
    apply: mutating((response, { store }) => {
      const who = signInFor(response, store);
      if (response.status !== 401 || who === undefined) return;
      const challenge = 'Bearer realm="puppilot", error="invalid_grant"';
      response.setHeader('www-authenticate', who === 'unknown' ? `${challenge}, error_description="no account with this email"` : challenge);
    }),
  },
  'enumeration-signup-link': {
    area: 'credentials',
    harmless: false,
    description: 'a failed sign-in for an unknown email carries a Link header to the sign-up page (rel="register"); a wrong password does not',
    apply: mutating((response, { store }) => {
      if (response.status === 401 && signInFor(response, store) === 'unknown') response.setHeader('link', '</auth/sign-up>; rel="register"');
    }),
  },
  'timing-leak-partial': {
    area: 'timing',
    harmless: false,
    description: 'a wrong password for a registered email takes 15 ms more than an unknown email (an audit write; about 25 % of a sign-in at hash cost 14)',
    apply: mutating(async (response, { store }) => {
      if (response.status === 401 && signInFor(response, store) === 'registered') await sleep(15);
    }),
  },

  // errors
  'invalid-json-500': {
    area: 'errors',
    harmless: false,
    description: 'a malformed JSON body gets 500 instead of 422',
    apply: internalErrorWhen((response) => validationProblems(response).some((p) => p.type === 'json_invalid')),
  },
  'error-leaks-stack': {
    area: 'errors',
    harmless: false,
    description: '401 bodies carry a "trace" field with a stack trace naming source files',
    apply: mutating((response) => {
      if (response.status === 401 && isRecord(response.body)) {
        response.body.trace = new Error('authentication failed').stack ?? 'Error: authentication failed\n    at /srv/app/auth.ts:1:1';
      }
    }),
  },
  'missing-field-500': {
    area: 'errors',
    harmless: false,
    description: 'a sign-in body without "password" gets 500 instead of 422',
    apply: internalErrorWhen(
      (response) =>
        response.route === SIGN_IN &&
        validationProblems(response).some((p) => p.type === 'missing' && JSON.stringify(p.loc) === '["body","password"]'),
    ),
  },
  'method-no-allow': {
    area: 'errors',
    harmless: false,
    description: '405 responses lack the Allow header',
    apply: mutating((response) => {
      if (response.status === 405) response.removeHeader('allow');
    }),
  },
  'validation-echoes-input': {
    area: 'errors',
    harmless: true,
    description: "422 items carry pydantic v2's \"input\" (the rejected value, or the object missing a field), echoing what the client sent",
    apply: mutating((response) => {
      for (const p of validationProblems(response)) p.input = pydanticInput(response.requestBody, p);
    }),
  },
  'problem-details-errors': {
    area: 'errors',
    harmless: true,
    description: 'every 4xx body is RFC 9457 problem details (application/problem+json) instead of {"detail": …}',
    apply: mutating((response) => {
      if (response.status < 400 || response.status >= 500 || response.body === undefined) return;
      response.body = { type: 'about:blank', title: STATUS_CODES[response.status] ?? 'Error', status: response.status };
      response.setHeader('content-type', 'application/problem+json');
    }),
  },
  'token-pattern-422': {
    area: 'refresh',
    harmless: true,
    description: 'refresh validates "token" against a compact-JWS pattern: a string of another shape gets 422, not 401',
    apply: mutating((response) => {
      const body = response.requestBody;
      if (response.route !== REFRESH || response.status !== 401 || !isRecord(body) || typeof body.token !== 'string') return;
      if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(body.token)) return;
      response.status = 422;
      response.removeHeader('www-authenticate');
      response.body = {
        detail: [{ type: 'string_pattern_mismatch', loc: ['body', 'token'], msg: "String should match pattern '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$'" }],
      };
    }),
  },
  'unsupported-method-404': {
    area: 'errors',
    harmless: true,
    description: 'other methods on the auth paths get 404 {"detail": "Not Found"} instead of 405 (decision 2 allows either)',
    apply: mutating((response) => {
      if (response.status !== 405) return;
      response.status = 404;
      response.removeHeader('allow');
      response.body = { detail: 'Not Found' };
    }),
  },
  'oversized-500': {
    area: 'errors',
    harmless: false,
    description: 'a body over the size limit gets 500 instead of 413',
    apply: internalErrorWhen((response) => response.status === 413),
  },

  // tokens
  'alg-none': {
    area: 'tokens',
    harmless: false,
    description: 'both tokens are unsigned JWTs with alg "none" (and are accepted as such)',
    apply: switches('tokens', { algorithm: 'none' }),
  },
  'exp-claim-mismatch': {
    area: 'tokens',
    harmless: false,
    description: "the access token's exp claim is expires_at + 3600",
    apply: switches('tokens', { accessExpClaimSkewSeconds: 3600 }),
  },
  'iat-in-future': {
    area: 'tokens',
    harmless: false,
    description: 'the iat claim of both tokens is one hour in the future',
    apply: switches('tokens', { iatSkewSeconds: 3600 }),
  },
  'refresh-equals-access': {
    area: 'tokens',
    harmless: false,
    description: 'refresh_token is the access token itself, and the refresh endpoint accepts it',
    apply: (base) => ({
      ...base,
      tokens: { ...base.tokens, refreshTokenIsAccessToken: true },
      refresh: { ...base.refresh, acceptAccessTokens: true },
    }),
  },
  'access-accepted-as-refresh': {
    area: 'tokens',
    harmless: false,
    description: 'the refresh endpoint accepts access tokens',
    apply: switches('refresh', { acceptAccessTokens: true }),
  },

  // expiry
  'refresh-expires-first': {
    area: 'expiry',
    harmless: false,
    description: 'refresh_expires_at is earlier than expires_at (refresh TTL = half the access TTL; claims agree with the body)',
    apply: (base, config) =>
      switches('tokens', { refreshTtlSeconds: Math.max(1, Math.floor(base.tokens.accessTtlSeconds / 2)) })(base, config),
  },
  'access-ttl-30-days': {
    area: 'expiry',
    harmless: false,
    description: 'access tokens live 30 days (refresh tokens 60 days, so only the access lifetime is wrong)',
    apply: (base, config) =>
      switches('tokens', { accessTtlSeconds: 30 * DAY, refreshTtlSeconds: Math.max(base.tokens.refreshTtlSeconds, 60 * DAY) })(base, config),
  },

  // refresh
  'no-rotation': {
    area: 'refresh',
    harmless: false,
    description: 'refresh hands back the presented refresh token and never marks it used',
    apply: switches('refresh', { rotation: 'none' }),
  },
  'reuse-accepted': {
    area: 'refresh',
    harmless: false,
    description: 'refresh rotates, but the old refresh token keeps working and no family is revoked',
    apply: switches('refresh', { consume: 'never', revokeOnReuse: 'none' }),
  },
  'no-family-revocation': {
    area: 'refresh',
    harmless: false,
    description: "a reused refresh token is rejected but its successor is not revoked",
    apply: switches('refresh', { revokeOnReuse: 'none' }),
  },
  'reuse-revokes-all-sessions': {
    area: 'refresh',
    harmless: true,
    description: "a reused refresh token revokes every refresh token of its user, not only its family",
    apply: switches('refresh', { revokeOnReuse: 'user' }),
  },
  'refresh-requires-valid-bearer': {
    area: 'refresh',
    harmless: false,
    description: 'refresh refuses (401) a request whose Authorization header carries an expired access token',
    apply: switches('refresh', { requireValidBearer: true }),
  },
  'expired-refresh-accepted': {
    area: 'refresh',
    harmless: false,
    description: 'refresh ignores the expiry of refresh tokens',
    apply: switches('refresh', { checkExpiry: false }),
  },
  'refresh-wrong-user': {
    area: 'refresh',
    harmless: false,
    description: "refresh answers with another seeded user's user object",
    apply: mutating((response, { store }) => {
      if (response.route !== REFRESH || !response.isTokenResponse || !isRecord(response.body) || !isRecord(response.body.user)) return;
      const other = store.findAnotherUser(String(response.body.user.id));
      if (other) response.body.user = publicUser(other);
    }),
  },
  'tampered-refresh-accepted': {
    area: 'refresh',
    harmless: false,
    description: 'refresh decodes the token without verifying its signature',
    apply: switches('refresh', { verifySignature: false }),
  },
  'refresh-race': {
    area: 'refresh',
    harmless: false,
    description: 'the used-mark is check-then-update across an await, so concurrent refreshes with one token all succeed',
    apply: switches('refresh', { consume: 'check-then-update' }),
  },

  // protected
  'chat-without-token': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat answers 200 without an Authorization header',
    apply: switches('chat', { requireToken: false }),
  },
  'chat-accepts-expired': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat accepts expired access tokens',
    apply: switches('chat', { checkExpiry: false }),
  },
  'chat-accepts-refresh-token': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat accepts a refresh token as bearer token',
    apply: switches('chat', { acceptRefreshTokens: true }),
  },
  'chat-scheme-case-sensitive': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat only reads "Bearer " spelled exactly so: "bearer <token>" gets 401',
    apply: switches('chat', { scheme: 'exact-case' }),
  },
  'chat-ignores-scheme': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat takes the second word of Authorization as the token, whatever the scheme ("Basic <access token>" opens it)',
    apply: switches('chat', { scheme: 'any-scheme' }),
  },
  'chat-no-www-authenticate': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat answers 401 without a WWW-Authenticate header',
    apply: mutating((response) => {
      if (response.route === CHAT && response.status === 401) response.removeHeader('www-authenticate');
    }),
  },
  'chat-ignores-signature': {
    area: 'protected',
    harmless: false,
    description: "POST /chat accepts access tokens without verifying their signature",
    apply: switches('chat', { verifySignature: false }),
  },

  // headers
  'no-cache-control': {
    area: 'headers',
    harmless: false,
    description: 'token responses carry neither Cache-Control nor Pragma',
    apply: tokenHeaders((response) => {
      response.removeHeader('cache-control');
      response.removeHeader('pragma');
    }),
  },
  'cacheable-tokens': {
    area: 'headers',
    harmless: false,
    description: 'token responses say Cache-Control: public, max-age=3600',
    apply: tokenHeaders((response) => {
      response.setHeader('cache-control', 'public, max-age=3600');
      response.removeHeader('pragma');
    }),
  },

  // lockout
  'no-lockout': {
    area: 'lockout',
    harmless: false,
    description: 'failed sign-ins are never locked out (never 429)',
    apply: switches('lockout', { enabled: false }),
  },
  'lockout-known-emails-only': {
    area: 'lockout',
    harmless: false,
    description: 'only registered emails are locked out: an unknown one gets 401 for ever, which tells the two apart',
    apply: switches('lockout', { countUnknownEmails: false }),
  },
  'lockout-bypassed-by-correct-password': {
    area: 'lockout',
    harmless: false,
    description: 'the lock is checked only after a wrong password: a locked account still signs in with the right one',
    apply: switches('lockout', { checkBeforePassword: false }),
  },
  'lockout-no-retry-after': {
    area: 'lockout',
    harmless: false,
    description: '429 responses lack Retry-After',
    apply: mutating((response) => {
      if (response.status === 429) response.removeHeader('retry-after');
    }),
  },

  'lockout-header-leak': {
    area: 'lockout',
    harmless: false,
    description: 'a 429 for a registered email carries X-Account-Locked: true; an unknown email locked out alike does not',
    apply: mutating((response, { store }) => {
      if (response.status === 429 && signInFor(response, store) === 'registered') response.setHeader('x-account-locked', 'true');
    }),
  },
  'lockout-body-leak': {
    area: 'lockout',
    harmless: false,
    description: 'a 429 for a registered email says "This account is locked"; an unknown email locked out alike gets the usual text',
    apply: mutating((response, { store }) => {
      if (response.status === 429 && signInFor(response, store) === 'registered' && isRecord(response.body)) {
        response.body.detail = 'This account is locked; try again later';
      }
    }),
  },

  // harmless: a correct suite accepts all of these
  'token-type-capitalized': {
    area: 'shape',
    harmless: true,
    description: 'token_type is "Bearer" (RFC 6749 §7.1: case-insensitive)',
    apply: tokenBody((body) => {
      body.token_type = 'Bearer';
    }),
  },
  'extra-fields': {
    area: 'shape',
    harmless: true,
    description: 'token responses add "scope": "chat" and user.avatar_url',
    apply: tokenBody((body, user) => {
      body.scope = 'chat';
      user.avatar_url = `https://avatars.puppilot.test/${String(user.id)}.png`;
    }),
  },
  'content-type-charset-upper': {
    area: 'headers',
    harmless: true,
    description: 'JSON responses say Content-Type: application/json; charset=UTF-8',
    apply: mutating((response) => {
      if (response.getHeader('content-type')?.startsWith('application/json')) {
        response.setHeader('content-type', 'application/json; charset=UTF-8');
      }
    }),
  },
  'reordered-keys': {
    area: 'shape',
    harmless: true,
    description: 'token response keys come in reverse order (user first, its keys reversed too)',
    apply: mutating((response) => {
      if (response.isTokenResponse && isRecord(response.body) && isRecord(response.body.user)) {
        response.body = reversedKeys({ ...response.body, user: reversedKeys(response.body.user) });
      }
    }),
  },
  'latency-150ms': {
    area: 'headers',
    harmless: true,
    description: 'every response is delayed by 150 ms',
    apply: mutating(() => sleep(150).then(() => undefined)),
  },
  'latency-40ms': {
    // The timing check must not mistake latency alike on both paths for a leak.
    area: 'timing',
    harmless: true,
    description: 'every response is delayed by 40 ms (both sign-in failures alike)',
    apply: mutating(() => sleep(40).then(() => undefined)),
  },
  'latency-jitter': {
    // The timing check must not mistake latency alike on both paths for a leak.
    area: 'timing',
    harmless: true,
    description: 'every response is delayed by a random 0–30 ms, drawn afresh for each (both sign-in failures alike)',
    apply: mutating(() => sleep(Math.random() * 30).then(() => undefined)),
  },
  'request-ids': {
    area: 'headers',
    harmless: true,
    description: 'every response carries a fresh X-Request-Id and every JSON error body a matching request_id member',
    apply: mutating((response) => {
      const id = randomUUID();
      response.setHeader('x-request-id', id);
      if (response.status >= 400 && isRecord(response.body)) response.body.request_id = id;
    }),
  },
  'rs256-keys': {
    area: 'tokens',
    harmless: true,
    description: 'tokens are signed with RS256 instead of ES256 (the JWKS publishes the RSA key)',
    apply: switches('tokens', { algorithm: 'RS256' }),
  },
  'other-error-wording': {
    area: 'errors',
    harmless: true,
    description: '401 and 422 bodies use different detail texts (same statuses, same shapes)',
    apply: mutating((response) => {
      if (response.status === 401 && isRecord(response.body) && typeof response.body.detail === 'string') {
        response.body.detail = 'Authentication failed.';
      }
      for (const p of validationProblems(response)) p.msg = `Invalid request: ${String(p.msg).toLowerCase()}`;
    }),
  },
  'long-ttls': {
    area: 'expiry',
    harmless: true,
    description: 'access tokens live 1 hour and refresh tokens 30 days (only when neither TTL was set explicitly)',
    apply: (base, config) =>
      config.ttlsSetExplicitly ? base : switches('tokens', { accessTtlSeconds: 3600, refreshTtlSeconds: 30 * DAY })(base, config),
  },
  'oversized-html-page': {
    area: 'errors',
    harmless: false,
    description: "a body over the size limit gets a gateway's HTML error page (413, text/html) instead of a JSON body",
    apply: mutating((response) => {
      if (response.status !== 413) return;
      response.rawText = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
      response.setHeader('content-type', 'text/html');
    }),
  },
  'chat-coerces-types': {
    area: 'errors',
    harmless: false,
    description: 'POST /chat turns numbers, booleans and null in its body into strings instead of rejecting them ({"message": 42} is answered)',
    apply: switches('chat', { coerceTypes: true }),
  },
  'chat-missing-message-500': {
    area: 'errors',
    harmless: false,
    description: 'a /chat body without "message" gets 500 instead of 422',
    apply: internalErrorWhen(
      (response) =>
        response.route === CHAT &&
        validationProblems(response).some((p) => p.type === 'missing' && JSON.stringify(p.loc) === '["body","message"]'),
    ),
  },
  'chat-version-optional': {
    area: 'protected',
    harmless: false,
    description: 'POST /chat answers without an X-API-Version header (or with an empty one)',
    apply: switches('chat', { requireApiVersion: false }),
  },
  'revocation-one-step': {
    area: 'refresh',
    harmless: false,
    description: 'a replayed refresh token revokes only the token issued directly from it: after T0→T1→T2, replaying T0 leaves T2 working',
    apply: switches('refresh', { revokeOnReuse: 'successor' }),
  },
  'hmac-public-key-accepted': {
    area: 'tokens',
    harmless: false,
    description: "verification accepts HS256 tokens with the signing key's public key (SPKI PEM) as the HMAC secret (algorithm confusion)",
    apply: switches('tokens', { acceptHmacWithPublicKey: true }),
  },
  'trusts-jku-header': {
    area: 'tokens',
    harmless: false,
    description: "verification fetches the JWK Set named by the token header's jku (loopback URLs only) and trusts its keys",
    apply: switches('tokens', { trustHeaderKeyUrl: 'jku' }),
  },
  'trusts-x5u-header': {
    area: 'tokens',
    harmless: false,
    description: "verification fetches the certificate named by the token header's x5u (loopback URLs only) and trusts its key",
    apply: switches('tokens', { trustHeaderKeyUrl: 'x5u' }),
  },
  // --- for the load suite: defects that show only at volume, variations only over time ---
  'contract-breaks-under-load': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'one token response in 20 lacks user.organization_id: rare enough to pass a handful of requests, certain under load',
    apply: (base, config) => {
      let tokenResponses = 0;
      return tokenBody((_body, user) => {
        tokenResponses += 1;
        if (tokenResponses % 20 === 0) delete user.organization_id;
      })(base, config);
    },
  },
  'periodic-stall': {
    area: 'load',
    harmless: true,
    suite: 'load',
    description: 'the server freezes for 500 ms once every 5 s (as a long GC pause would): responses due in that window wait for its end',
    // Whatever would be sent in the first 500 ms of each 5 s of the clock waits until they
    // are over. An open-model generator keeps sending through the stall, so its p99 shows
    // the stall; a closed-model one waits with the server and hides it (coordinated omission).
    apply: mutating(async (_response, { clock }) => {
      const phase = clock() % 5000;
      if (phase < 500) await sleep(500 - phase);
    }),
  },
  // Counts and times below are chosen so that a short load run (load/selfcheck/: mix at 30
  // arrivals/s for 4 s, some 1,000 requests; its main.ts says why that suffices) shows each
  // with certainty; counters rather than chance make them deterministic. Most let a handful
  // of requests pass; the 503 bursts and the lost used-mark act from the first requests on,
  // where a load run's first reuse probe is, whichever sessions refresh before it.
  'rare-invalid-chat-body': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'one chat answer in 100 has a number for "output" (a 200 whose body breaks the contract)',
    apply: (base, config) => {
      const due = everyNth(100);
      return mutating((response) => {
        if (response.route === CHAT && response.status === 200 && isRecord(response.body) && due()) response.body.output = 42;
      })(base, config);
    },
  },
  'token-issued-twice': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description:
      "every 60th token answer repeats the first answer (both tokens) given to the same user, once that is 2.5 s old: a per-user token cache serving a stale pair",
    // 2.5 s: a signer without a unique claim may repeat a token within one second, which
    // is allowed; this repeat is never that.
    apply: (base, config) => {
      const due = everyNth(60);
      let pending = false;
      const firstAnswers = new Map<string, { at: number; body: unknown }>();
      return mutating((response, { clock }) => {
        if (!response.isTokenResponse || !isRecord(response.body) || !isRecord(response.body.user)) return;
        const user = String(response.body.user.id);
        pending ||= due();
        const first = firstAnswers.get(user);
        if (first === undefined) firstAnswers.set(user, { at: clock(), body: copyOf(response.body) });
        else if (pending && clock() - first.at >= 2500) {
          pending = false;
          response.body = copyOf(first.body);
        }
      })(base, config);
    },
  },
  'refresh-crossed-answers': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: "every 30th refresh is answered with the previous refresh answer given to another user (that user's tokens and user object, agreeing)",
    apply: crossedAnswers(REFRESH, 30),
  },
  'sign-in-crossed-answers': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: "every 30th sign-in is answered with the previous sign-in answer given to another account (that account's tokens and user object, agreeing)",
    apply: crossedAnswers(SIGN_IN, 30),
  },
  'internal-errors-3-percent': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'every 33rd sign-in, refresh or chat answers 500 (3 % of requests)',
    apply: (base, config) => {
      const due = everyNth(33);
      return internalErrorWhen((response) => API_ROUTES.has(response.route) && due())(base, config);
    },
  },
  'unavailable-bursts': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'every request in the first 400 ms of each 3 s (counted from the first sign-in, refresh or chat) answers 503 with Retry-After: 1',
    apply: (base, config) => {
      const since = sinceFirstApiRequest();
      return mutating((response, { clock }) => {
        const ms = since(response, clock);
        if (ms === undefined || ms % 3000 >= 400) return;
        response.status = 503;
        response.body = { detail: 'Service Unavailable' };
        response.setHeader('retry-after', '1');
      })(base, config);
    },
  },
  'connection-resets': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: "every 40th sign-in, refresh or chat has its connection closed instead of answered (the client sees a reset)",
    apply: (base, config) => {
      const due = everyNth(40);
      return mutating((response) => {
        if (API_ROUTES.has(response.route) && due()) response.destroyConnection();
      })(base, config);
    },
  },
  'latency-creep': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'every sign-in is slower by 150 ms for each second since the first sign-in, refresh or chat (a lookup scanning an ever-growing table)',
    apply: (base, config) => {
      const since = sinceFirstApiRequest();
      return mutating(async (response, { clock }) => {
        const ms = since(response, clock);
        if (ms !== undefined && response.route === SIGN_IN) await sleep((ms * 150) / 1000);
      })(base, config);
    },
  },
  'late-degradation': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description: 'every sign-in is 400 ms slower once 2.5 s have passed since the first sign-in, refresh or chat (a cache that has filled up)',
    apply: (base, config) => {
      const since = sinceFirstApiRequest();
      return mutating(async (response, { clock }) => {
        const ms = since(response, clock);
        if (ms !== undefined && ms >= 2500 && response.route === SIGN_IN) await sleep(400);
      })(base, config);
    },
  },
  'spent-refresh-accepted-now-and-then': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description:
      "the write that marks a refresh token used is lost on the instance's first 10 rotations (a write-behind cache warming up) and then on one in 50: those spent tokens are accepted again",
    apply: (base) => {
      const consume = nowAndThen<RefreshBehaviour['consume']>(base.refresh.consume, 'never', (read) => read <= 10 || read % 50 === 0);
      return { ...base, refresh: Object.defineProperty({ ...base.refresh }, 'consume', { get: consume.get, enumerable: true }) };
    },
  },
  'expiry-order-broken-now-and-then': {
    area: 'load',
    harmless: false,
    suite: 'load',
    description:
      'one token answer in 50 carries a refresh token that expires before its access token (half the access TTL; refresh_expires_at and the exp claim agree)',
    apply: (base) => {
      const early = Math.max(1, Math.floor(base.tokens.accessTtlSeconds / 2));
      const ttl = nowAndThen(base.tokens.refreshTtlSeconds, early, (read) => read % 50 === 0);
      return { ...base, tokens: Object.defineProperty({ ...base.tokens }, 'refreshTtlSeconds', { get: ttl.get, enumerable: true }) };
    },
  },
  'extra-members-everywhere': {
    area: 'load',
    harmless: true,
    suite: 'load',
    description: 'every JSON object answer (token, chat and error bodies) and every user object carry members the contract does not name',
    apply: mutating((response) => {
      if (!isRecord(response.body)) return;
      response.body.served_by = 'reference-1';
      response.body.api_revision = 7;
      if (isRecord(response.body.user)) response.body.user.locale = 'en-GB';
    }),
  },
} satisfies Record<string, FaultDefinition>;

export type FaultName = keyof typeof definitions;

/** The catalogue, in a stable order: harmful faults by area, then the harmless ones. */
export const FAULTS: ReadonlyArray<FaultInfo> = Object.entries(definitions).map(([name, definition]: [string, FaultDefinition]) => ({
  name,
  area: definition.area,
  harmless: definition.harmless,
  description: definition.description,
  suite: definition.suite ?? 'contract',
}));

export const FAULT_NAMES = Object.keys(definitions) as FaultName[];

export function isFaultName(value: string): value is FaultName {
  return Object.hasOwn(definitions, value);
}

/** The behaviour of an instance started with `fault` (null: production, unchanged). */
export function applyFault(fault: FaultName | null, production: Behaviour, config: FaultConfig): Behaviour {
  return fault === null ? production : definitions[fault].apply(production, config);
}
