/**
 * The contract's rules on a token response (sign-in or refresh, status 200), as plain
 * functions: what the Playwright specs assert and what the load checks count, from one
 * place, so that a rule added here serves both.
 *
 * Every rule is pure and synchronous, and needs nothing beyond the JavaScript runtime
 * (no Node-only API): the load generator bundles it into its worker threads. A rule
 * takes what it needs (the parsed body, the response headers as a record with lower-case
 * names, the server's clock, the expected user) and returns its violations: [] when it
 * holds. A violation names its rule by a stable id and says what is wrong in one line that
 * never contains a token, a password or a whole body; numbers (timestamps, lifetimes) may
 * appear, identifiers and addresses do not.
 *
 * A rule that cannot judge (the body is not an object, a token does not decode, there is
 * no clock to judge against) reports that under its own id: a rule never holds by default.
 *
 * `tokenResponseRules` runs them all: the whole contract on one token response.
 */
import { validate } from './validator.ts';

/** One broken rule. */
export interface RuleViolation {
  /** The rule's stable id (RULE below), e.g. 'token-type-bearer'. */
  rule: string;
  /** What is wrong, one line, never a token, a password or a whole body. */
  message: string;
}

/** Response headers, names in lower case (a repeated header's values joined with ", "). */
export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

/** A token response as received: the parsed JSON body and the headers. */
export interface TokenAnswer {
  body: unknown;
  headers: ResponseHeaders;
}

/**
 * The moment an answer was given, as the time rules judge it (decision 7: the server's
 * `Date` header, with a clock-skew allowance).
 */
export interface AnswerClock {
  /** The `Date` header's value as sent; undefined when there was none. */
  date: string | undefined;
  /** Seconds the issuer's clock may differ from the `Date` header. */
  skewSeconds: number;
  /** Unix seconds of the caller's clock: stands in when `date` is missing or unreadable. */
  fallbackSeconds?: number | undefined;
}

/** Lifetime bounds a target is held to (each optional), in seconds. */
export interface TtlBounds {
  accessMin?: number | undefined;
  accessMax?: number | undefined;
  refreshMax?: number | undefined;
}

/** The user a refresh must answer for: the one whose refresh token was sent. */
export interface RefreshedUser {
  id: string;
  /** Compared case-insensitively when given. */
  email?: string | undefined;
  organization_id?: string | undefined;
}

/** Who the answer must be for: the account that signed in, or the user whose refresh token was sent. */
export type IssuedFor = { flow: 'sign-in'; email: string } | { flow: 'refresh'; user: RefreshedUser };

/** What `tokenResponseRules` needs besides the answer. */
export interface TokenResponseContext {
  /** Checks the user of the answer when given. */
  issuedFor?: IssuedFor | undefined;
  /** Seconds the issuer's clock may differ from the `Date` header (decision 7). */
  clockSkewSeconds: number;
  /** Unix seconds of the caller's clock, used when the answer has no usable `Date` header. */
  fallbackNowSeconds?: number | undefined;
  /** The `alg` values allowed for the tokens; any but `none` when not given. */
  allowedAlgorithms?: readonly string[] | undefined;
  /** Lifetime bounds; not checked when not given. */
  ttl?: TtlBounds | undefined;
}

/** The rules' ids, stable: reports and thresholds may name them. */
export const RULE = {
  schema: 'schema',
  contentTypeJson: 'content-type-json',
  cacheControlNoStore: 'cache-control-no-store',
  tokenTypeBearer: 'token-type-bearer',
  jwtCompact: 'jwt-compact',
  jwtAlgorithm: 'jwt-alg',
  tokensDistinct: 'tokens-distinct',
  expMatchesExpiry: 'exp-matches-expiry',
  subIsUser: 'sub-is-user',
  iatNotInFuture: 'iat-not-in-future',
  expiryUnixSeconds: 'expiry-unix-seconds',
  expiryOrdering: 'expiry-ordering',
  ttlBounds: 'ttl-bounds',
  userIsSignedInAccount: 'user-is-signed-in-account',
  userIsRefreshedUser: 'user-is-refreshed-user',
} as const;

export type RuleId = (typeof RULE)[keyof typeof RULE];

/** The two tokens of a token response, and the body field each one's `exp` claim must equal. */
export const TOKEN_EXPIRY_FIELD = { access_token: 'expires_at', refresh_token: 'refresh_expires_at' } as const;
export type TokenName = keyof typeof TOKEN_EXPIRY_FIELD;
const TOKEN_NAMES = Object.keys(TOKEN_EXPIRY_FIELD) as TokenName[];
const EXPIRY_FIELDS = ['expires_at', 'refresh_expires_at'] as const;

/** Ten digits end in the year 2286; a Unix time in milliseconds has thirteen. */
export const MAX_UNIX_SECONDS = 9_999_999_999;
/** A value more than a day before the server's clock is not an expiry time near the present. */
const NEAR_PRESENT_SECONDS = 86_400;

/** A JSON media type, parameters allowed (the documented response is application/json). */
export const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
/** Cache-Control forbidding storage (RFC 6749 §5.1, decision 3). */
export const NO_STORE = /(^|,)\s*no-store\s*(,|$)/i;
/** Cache-Control directives that let a shared cache keep the answer all the same. */
export const CACHEABLE = /(^|,)\s*(public|max-age=[1-9])/i;

// --- helpers --------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const violation = (rule: RuleId, message: string): RuleViolation => ({ rule, message });

/** The body as an object, or the violation saying the rule cannot judge it. */
function objectBody(body: unknown, rule: RuleId): Json | RuleViolation[] {
  return isRecord(body) ? body : [violation(rule, 'cannot judge: the body is not a JSON object')];
}

/** A header value cut short for a message (header values of token responses carry no secret). */
const shortValue = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

const BASE64URL_PART = /^[A-Za-z0-9_-]+$/;

/** A compact JWS: three base64url parts, the first two non-empty (decision 6). */
export function isCompactJws(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && BASE64URL_PART.test(parts[0]!) && BASE64URL_PART.test(parts[1]!) && (parts[2] === '' || BASE64URL_PART.test(parts[2]!));
}

/** True for the `none` algorithm in any spelling ("none", "None", "NONE"). */
export function isAlgNone(alg: unknown): boolean {
  return typeof alg === 'string' && alg.trim().toLowerCase() === 'none';
}

/** Decodes one base64url part as UTF-8 JSON; undefined when it is not a JSON object. */
function decodePart(part: string): Json | undefined {
  if (!BASE64URL_PART.test(part) || part.length % 4 === 1) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4);
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A JWT's header and claims, decoded without verifying. */
export interface JwtParts {
  header: Json;
  payload: Json;
}

/** Decodes a JWT's header and claims without verifying; undefined when either is not a JSON object. */
export function readJwt(token: unknown): JwtParts | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodePart(parts[0]!);
  const payload = decodePart(parts[1]!);
  return header && payload ? { header, payload } : undefined;
}

/** Unix seconds of an HTTP `Date` header value; undefined when there is none or it does not parse. */
export function dateHeaderSeconds(date: string | undefined): number | undefined {
  const parsed = date === undefined ? Number.NaN : Date.parse(date);
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : undefined;
}

/** The seconds a clock reads: its `Date` header, else its fallback; undefined when it has neither. */
export function clockSeconds(clock: AnswerClock): number | undefined {
  return dateHeaderSeconds(clock.date) ?? clock.fallbackSeconds;
}

/** The clock's reading, or the violation saying the rule has nothing to judge against. */
function clockNow(clock: AnswerClock, rule: RuleId): number | RuleViolation[] {
  const now = clockSeconds(clock);
  return now ?? [violation(rule, 'cannot judge: the answer has no usable Date header and no other clock was given')];
}

/** Each token's decoded parts, or a violation of `rule` for each token that does not decode. */
function eachToken(body: Json, rule: RuleId, judge: (name: TokenName, jwt: JwtParts) => RuleViolation[]): RuleViolation[] {
  return TOKEN_NAMES.flatMap((name) => {
    const jwt = readJwt(body[name]);
    return jwt ? judge(name, jwt) : [violation(rule, `cannot judge: ${name}'s header and claims do not decode as JSON objects`)];
  });
}

// --- the rules ------------------------------------------------------------------------------

/** "POST /auth/sign-in" (the response table), decisions 4 and 5: the body conforms to the TokenResponse schema. */
export function matchesTokenResponseSchema(body: unknown): RuleViolation[] {
  const result = validate('TokenResponse', body);
  return result.ok ? [] : result.violations.map((v) => violation(RULE.schema, `${v.path}: ${v.rule}: ${v.message}`));
}

/** "POST /auth/sign-in" (Response 200, application/json) and decision 1 (refresh answers in its shape): a JSON content type. */
export function contentTypeIsJson(headers: ResponseHeaders): RuleViolation[] {
  const value = headers['content-type'];
  if (value === undefined) return [violation(RULE.contentTypeJson, 'no Content-Type header: expected application/json')];
  return JSON_CONTENT_TYPE.test(value) ? [] : [violation(RULE.contentTypeJson, `Content-Type is ${shortValue(value)}: expected application/json`)];
}

/** Decision 3: `Cache-Control: no-store`, and nothing that lets a cache keep the answer anyway. */
export function cacheControlNoStore(headers: ResponseHeaders): RuleViolation[] {
  const value = headers['cache-control'];
  if (value === undefined) return [violation(RULE.cacheControlNoStore, 'no Cache-Control header: expected no-store')];
  const out: RuleViolation[] = [];
  if (!NO_STORE.test(value)) out.push(violation(RULE.cacheControlNoStore, `Cache-Control is ${shortValue(value)}: it lacks no-store`));
  if (CACHEABLE.test(value)) out.push(violation(RULE.cacheControlNoStore, `Cache-Control is ${shortValue(value)}: public or a max-age lets a cache keep the tokens`));
  return out;
}

/** Decision 4: `token_type` is "bearer", compared case-insensitively. */
export function tokenTypeIsBearer(body: unknown): RuleViolation[] {
  const b = objectBody(body, RULE.tokenTypeBearer);
  if (Array.isArray(b)) return b;
  const type = b.token_type;
  if (typeof type !== 'string') return [violation(RULE.tokenTypeBearer, 'token_type is not a string')];
  return type.toLowerCase() === 'bearer' ? [] : [violation(RULE.tokenTypeBearer, `token_type is ${shortValue(type)}: expected "bearer" in any case`)];
}

/** Decision 6: both tokens are compact JWTs (three base64url parts, a non-empty signature) whose header and claims are JSON objects. */
export function tokensAreCompactJwts(body: unknown): RuleViolation[] {
  const b = objectBody(body, RULE.jwtCompact);
  if (Array.isArray(b)) return b;
  return TOKEN_NAMES.flatMap((name) => {
    const token = b[name];
    if (typeof token !== 'string') return [violation(RULE.jwtCompact, `${name} is not a string`)];
    if (!isCompactJws(token)) return [violation(RULE.jwtCompact, `${name} is not a compact JWT (three base64url parts)`)];
    const out: RuleViolation[] = [];
    if (token.split('.')[2] === '') out.push(violation(RULE.jwtCompact, `${name} has an empty signature part`));
    if (readJwt(token) === undefined) out.push(violation(RULE.jwtCompact, `${name}: header and claims must decode as JSON objects`));
    return out;
  });
}

/** Decision 6 (RFC 8725 §3.1): each token's `alg` is never `none`, and one of `allowed` when given. */
export function tokenAlgorithmsAllowed(body: unknown, allowed?: readonly string[]): RuleViolation[] {
  const b = objectBody(body, RULE.jwtAlgorithm);
  if (Array.isArray(b)) return b;
  return eachToken(b, RULE.jwtAlgorithm, (name, { header }) => {
    if (isAlgNone(header.alg)) return [violation(RULE.jwtAlgorithm, `${name} is unsigned (alg none)`)];
    if (allowed !== undefined && !(typeof header.alg === 'string' && allowed.includes(header.alg))) {
      const alg = typeof header.alg === 'string' ? shortValue(header.alg) : 'missing';
      return [violation(RULE.jwtAlgorithm, `${name}: alg ${alg} is not one of the allowed algorithms (${allowed.join(', ')})`)];
    }
    return [];
  });
}

/** Decision 8: the refresh token is not the access token (one is never accepted for the other). */
export function tokensDiffer(body: unknown): RuleViolation[] {
  const b = objectBody(body, RULE.tokensDistinct);
  if (Array.isArray(b)) return b;
  return b.access_token === b.refresh_token ? [violation(RULE.tokensDistinct, 'the refresh token is the access token')] : [];
}

/** Decision 6: the access token's `exp` claim equals `expires_at`, the refresh token's equals `refresh_expires_at`. */
export function expClaimsMatchExpiry(body: unknown): RuleViolation[] {
  const b = objectBody(body, RULE.expMatchesExpiry);
  if (Array.isArray(b)) return b;
  return eachToken(b, RULE.expMatchesExpiry, (name, { payload }) => {
    const field = TOKEN_EXPIRY_FIELD[name];
    if (payload.exp === b[field]) return [];
    const exp = typeof payload.exp === 'number' ? String(payload.exp) : 'missing';
    return [violation(RULE.expMatchesExpiry, `${name} exp claim (${exp}) must equal ${field} (${typeof b[field] === 'number' ? b[field] : 'not a number'})`)];
  });
}

/** Decision 6: `sub`, in either token where present, identifies `user.id`. */
export function subjectIsUser(body: unknown): RuleViolation[] {
  const b = objectBody(body, RULE.subIsUser);
  if (Array.isArray(b)) return b;
  const userId = isRecord(b.user) ? b.user.id : undefined;
  return eachToken(b, RULE.subIsUser, (name, { payload }) =>
    payload.sub === undefined || payload.sub === userId ? [] : [violation(RULE.subIsUser, `${name} sub must be the user's id (user.id)`)],
  );
}

/** Decisions 6 and 7 (RFC 7519 §4.1.6): `iat`, where present, is a NumericDate not after the server's Date plus the skew. */
export function issuedAtNotInFuture(body: unknown, clock: AnswerClock): RuleViolation[] {
  const b = objectBody(body, RULE.iatNotInFuture);
  if (Array.isArray(b)) return b;
  const now = clockNow(clock, RULE.iatNotInFuture);
  if (typeof now !== 'number') return now;
  return eachToken(b, RULE.iatNotInFuture, (name, { payload }) => {
    const iat = payload.iat;
    if (iat === undefined) return [];
    if (typeof iat !== 'number') return [violation(RULE.iatNotInFuture, `${name} iat must be a NumericDate`)];
    return iat <= now + clock.skewSeconds
      ? []
      : [violation(RULE.iatNotInFuture, `${name} iat (${iat}) lies beyond the server's Date (${now}) plus ${clock.skewSeconds} s skew`)];
  });
}

/** "POST /auth/sign-in" (Unix time in seconds): `expires_at` and `refresh_expires_at` are whole Unix seconds near the server's clock, not milliseconds. */
export function expiryInUnixSeconds(body: unknown, clock: AnswerClock): RuleViolation[] {
  const b = objectBody(body, RULE.expiryUnixSeconds);
  if (Array.isArray(b)) return b;
  const now = clockNow(clock, RULE.expiryUnixSeconds);
  if (typeof now !== 'number') return now;
  return EXPIRY_FIELDS.flatMap((field) => {
    const value = b[field];
    if (typeof value !== 'number' || !Number.isInteger(value)) return [violation(RULE.expiryUnixSeconds, `${field} must be an integer`)];
    if (value > MAX_UNIX_SECONDS) return [violation(RULE.expiryUnixSeconds, `${field} (${value}) is too large for Unix seconds (milliseconds?)`)];
    // A value within a day of now / 1000 is a millisecond stamp divided wrongly, or seconds
    // since some other epoch: either way not "Unix time (seconds)" near the present.
    if (value <= now - NEAR_PRESENT_SECONDS) return [violation(RULE.expiryUnixSeconds, `${field} (${value}) is not a Unix time near the server's clock (${now})`)];
    return [];
  });
}

/**
 * Decision 7: the server's Date < `expires_at` < `refresh_expires_at`, in seconds; the
 * first comparison allows the skew (expires_at > Date − skew), the second is strict
 * (equal seconds break it).
 */
export function expiryOrdering(body: unknown, clock: AnswerClock): RuleViolation[] {
  const b = objectBody(body, RULE.expiryOrdering);
  if (Array.isArray(b)) return b;
  const now = clockNow(clock, RULE.expiryOrdering);
  if (typeof now !== 'number') return now;
  const { expires_at: access, refresh_expires_at: refresh } = b;
  if (typeof access !== 'number' || typeof refresh !== 'number') return [violation(RULE.expiryOrdering, 'cannot judge: expires_at and refresh_expires_at must be numbers')];
  const out: RuleViolation[] = [];
  if (!(access > now - clock.skewSeconds)) {
    out.push(violation(RULE.expiryOrdering, `expires_at (${access}) must lie after the server's Date (${now}), skew ${clock.skewSeconds} s`));
  }
  if (!(refresh > access)) out.push(violation(RULE.expiryOrdering, `refresh_expires_at (${refresh}) must lie after expires_at (${access})`));
  return out;
}

/**
 * The lifetimes a target is configured to hold ("POST /auth/sign-in": a limited validity):
 * access TTL ≥ accessMin − skew − 1 s (the Date header is truncated to the second and the
 * token issued up to a second before it), access TTL ≤ accessMax + skew, refresh TTL ≤
 * refreshMax + skew; TTLs counted from the server's Date. Bounds not given are not checked.
 */
export function ttlWithinBounds(body: unknown, clock: AnswerClock, bounds: TtlBounds): RuleViolation[] {
  const b = objectBody(body, RULE.ttlBounds);
  if (Array.isArray(b)) return b;
  const now = clockNow(clock, RULE.ttlBounds);
  if (typeof now !== 'number') return now;
  const { expires_at: access, refresh_expires_at: refresh } = b;
  if (typeof access !== 'number' || typeof refresh !== 'number') return [violation(RULE.ttlBounds, 'cannot judge: expires_at and refresh_expires_at must be numbers')];
  const skew = clock.skewSeconds;
  const accessTtl = access - now;
  const refreshTtl = refresh - now;
  const out: RuleViolation[] = [];
  if (bounds.accessMin !== undefined && !(accessTtl >= bounds.accessMin - skew - 1)) {
    out.push(violation(RULE.ttlBounds, `access TTL (${accessTtl} s) below the minimum (${bounds.accessMin} s, less ${skew} s skew and 1 s)`));
  }
  if (bounds.accessMax !== undefined && !(accessTtl <= bounds.accessMax + skew)) {
    out.push(violation(RULE.ttlBounds, `access TTL (${accessTtl} s) above the maximum (${bounds.accessMax} s, plus ${skew} s skew)`));
  }
  if (bounds.refreshMax !== undefined && !(refreshTtl <= bounds.refreshMax + skew)) {
    out.push(violation(RULE.ttlBounds, `refresh TTL (${refreshTtl} s) above the maximum (${bounds.refreshMax} s, plus ${skew} s skew)`));
  }
  return out;
}

/** "POST /auth/sign-in" (`user`: the authenticated user): the answer is for the account that signed in, emails compared case-insensitively. */
export function userIsSignedInAccount(body: unknown, email: string): RuleViolation[] {
  const b = objectBody(body, RULE.userIsSignedInAccount);
  if (Array.isArray(b)) return b;
  const got = isRecord(b.user) ? b.user.email : undefined;
  if (typeof got !== 'string') return [violation(RULE.userIsSignedInAccount, 'user.email is not a string')];
  return got.toLowerCase() === email.toLowerCase() ? [] : [violation(RULE.userIsSignedInAccount, "user.email is not the email of the account that signed in")];
}

/** Decision 1 ("POST /auth/refresh-token": the sign-in's shape): the answer is for the user whose refresh token was sent (id, and email and organization where given). */
export function userIsRefreshedUser(body: unknown, user: RefreshedUser): RuleViolation[] {
  const b = objectBody(body, RULE.userIsRefreshedUser);
  if (Array.isArray(b)) return b;
  if (!isRecord(b.user)) return [violation(RULE.userIsRefreshedUser, 'the body has no user object')];
  const got = b.user;
  const out: RuleViolation[] = [];
  if (got.id !== user.id) out.push(violation(RULE.userIsRefreshedUser, "user.id is not the id of the user whose refresh token was sent"));
  if (user.email !== undefined && !(typeof got.email === 'string' && got.email.toLowerCase() === user.email.toLowerCase())) {
    out.push(violation(RULE.userIsRefreshedUser, "user.email is not the email of the user whose refresh token was sent"));
  }
  if (user.organization_id !== undefined && got.organization_id !== user.organization_id) {
    out.push(violation(RULE.userIsRefreshedUser, "user.organization_id is not the organization of the user whose refresh token was sent"));
  }
  return out;
}

/**
 * The whole contract on one token response (a 200 of sign-in or refresh): the schema, the
 * headers, the tokens, the times, and, when `context.issuedFor` is given, the user. [] when
 * every rule holds.
 */
export function tokenResponseRules(answer: TokenAnswer, context: TokenResponseContext): RuleViolation[] {
  const { body, headers } = answer;
  const clock: AnswerClock = { date: headers.date, skewSeconds: context.clockSkewSeconds, fallbackSeconds: context.fallbackNowSeconds };
  const issuedFor = context.issuedFor;
  return [
    ...matchesTokenResponseSchema(body),
    ...contentTypeIsJson(headers),
    ...cacheControlNoStore(headers),
    ...tokenTypeIsBearer(body),
    ...tokensAreCompactJwts(body),
    ...tokenAlgorithmsAllowed(body, context.allowedAlgorithms),
    ...tokensDiffer(body),
    ...expClaimsMatchExpiry(body),
    ...subjectIsUser(body),
    ...issuedAtNotInFuture(body, clock),
    ...expiryInUnixSeconds(body, clock),
    ...expiryOrdering(body, clock),
    ...(context.ttl ? ttlWithinBounds(body, clock, context.ttl) : []),
    ...(issuedFor?.flow === 'sign-in' ? userIsSignedInAccount(body, issuedFor.email) : []),
    ...(issuedFor?.flow === 'refresh' ? userIsRefreshedUser(body, issuedFor.user) : []),
  ];
}
