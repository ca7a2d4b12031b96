/**
 * The rules on a token response (contracts/rules.ts): for each, a real answer of the
 * reference API holds it, and the same answer with one property broken does not. The
 * answers come from one in-process reference API on a manual clock; their Date header is
 * that clock's reading, so every time rule is judged against the clock that issued the
 * tokens.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  RULE,
  cacheControlNoStore,
  contentTypeIsJson,
  expClaimsMatchExpiry,
  expiryInUnixSeconds,
  expiryOrdering,
  issuedAtNotInFuture,
  matchesTokenResponseSchema,
  readJwt,
  subjectIsUser,
  tokenAlgorithmsAllowed,
  tokenResponseRules,
  tokenTypeIsBearer,
  tokensAreCompactJwts,
  tokensDiffer,
  ttlWithinBounds,
  userIsRefreshedUser,
  userIsSignedInAccount,
  type AnswerClock,
  type RuleViolation,
  type TokenAnswer,
  type TokenResponseContext,
} from '../contracts/index.ts';
import { MAIN, MEMBER, jwtPart, testApp, withClaims, type TokenBody } from '../reference-api/testing/harness.ts';

const SKEW = 5;
/** The reference API's default lifetimes. */
const ACCESS_TTL = 900;
const REFRESH_TTL = 604_800;

interface Answers {
  signIn: TokenAnswer & { body: TokenBody };
  refresh: TokenAnswer & { body: TokenBody };
  /** The issuing clock, in Unix seconds. */
  now: number;
}

let answers: Promise<Answers> | undefined;

/** A sign-in of MAIN and the refresh that follows it, taken once from a reference API. */
function referenceAnswers(t: TestContext): Promise<Answers> {
  answers ??= (async () => {
    const api = await testApp(t);
    const date = new Date(api.clock.now()).toUTCString();
    const answer = (res: Awaited<ReturnType<typeof api.signIn>>) => {
      assert.equal(res.statusCode, 200);
      const headers = Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
      return { body: res.json<TokenBody>(), headers: { ...headers, date } };
    };
    const signIn = answer(await api.signIn());
    const refresh = answer(await api.refresh(signIn.body.refresh_token));
    return { signIn, refresh, now: Math.floor(api.clock.now() / 1000) };
  })();
  return answers;
}

const clockOf = (answer: TokenAnswer): AnswerClock => ({ date: answer.headers.date, skewSeconds: SKEW });

/** A copy of the body, changed by `edit`. */
function broken(body: TokenBody, edit: (copy: TokenBody & Record<string, unknown>) => void): TokenBody {
  const copy = structuredClone(body) as TokenBody & Record<string, unknown>;
  edit(copy);
  return copy;
}

/** The token with some of its claims changed (the signature no longer matches: the rules do not verify it). */
const reclaimed = (token: string, changes: Record<string, unknown>) => withClaims(token, { ...jwtPart(token, 1), ...changes });

/** The token with its header replaced by `header`. */
const reheaded = (token: string, header: Record<string, unknown>) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${token.split('.').slice(1).join('.')}`;

/** Asserts that every violation is of `rule` and that there is at least one; returns their messages. */
function brokenBy(violations: RuleViolation[], rule: string, what = rule): string[] {
  assert.ok(violations.length > 0, `expected ${rule} to be broken (${what}), it held`);
  assert.deepEqual([...new Set(violations.map((v) => v.rule))], [rule], what);
  return violations.map((v) => v.message);
}

test('the reference answers hold every rule, on sign-in and on refresh', async (t) => {
  const { signIn, refresh } = await referenceAnswers(t);
  const context: TokenResponseContext = { clockSkewSeconds: SKEW, allowedAlgorithms: ['ES256'], ttl: { accessMin: ACCESS_TTL, accessMax: ACCESS_TTL, refreshMax: REFRESH_TTL } };
  assert.deepEqual(tokenResponseRules(signIn, { ...context, issuedFor: { flow: 'sign-in', email: MAIN.email } }), []);
  assert.deepEqual(tokenResponseRules(refresh, { ...context, issuedFor: { flow: 'refresh', user: signIn.body.user } }), []);
});

test('JWTs are read as jose reads them', async (t) => {
  const { signIn } = await referenceAnswers(t);
  for (const token of [signIn.body.access_token, signIn.body.refresh_token]) {
    assert.deepEqual(readJwt(token), { header: decodeProtectedHeader(token), payload: decodeJwt(token) });
  }
  for (const garbage of ['not-a-jwt', 'a.b.c', 'e30.e30', 'e30.WzFd.c2ln', 'e30.e30.c2ln.x', 42]) assert.equal(readJwt(garbage), undefined, String(garbage));
});

test('schema: the body conforms to the TokenResponse schema', async (t) => {
  const { signIn } = await referenceAnswers(t);
  assert.deepEqual(matchesTokenResponseSchema(signIn.body), []);
  const messages = brokenBy(matchesTokenResponseSchema(broken(signIn.body, (b) => delete (b.user as Partial<TokenBody['user']>).organization_id)), RULE.schema);
  assert.deepEqual(messages, ["$.user.organization_id: required: must have required property 'organization_id'"]);
});

test('content-type-json: application/json, parameters allowed', async (t) => {
  const { signIn } = await referenceAnswers(t);
  assert.deepEqual(contentTypeIsJson(signIn.headers), []);
  assert.deepEqual(contentTypeIsJson({ 'content-type': 'application/json; charset=UTF-8' }), []);
  brokenBy(contentTypeIsJson({ ...signIn.headers, 'content-type': 'text/plain; charset=utf-8' }), RULE.contentTypeJson);
  brokenBy(contentTypeIsJson({ ...signIn.headers, 'content-type': undefined }), RULE.contentTypeJson);
});

test('cache-control-no-store: no-store, and neither public nor a max-age', async (t) => {
  const { signIn, refresh } = await referenceAnswers(t);
  assert.deepEqual(cacheControlNoStore(signIn.headers), []);
  assert.deepEqual(cacheControlNoStore(refresh.headers), []);
  assert.deepEqual(cacheControlNoStore({ 'cache-control': 'private, No-Store, max-age=0' }), []);
  assert.equal(brokenBy(cacheControlNoStore({ ...signIn.headers, 'cache-control': 'public, max-age=3600' }), RULE.cacheControlNoStore).length, 2);
  assert.equal(brokenBy(cacheControlNoStore({ ...signIn.headers, 'cache-control': 'no-store, public' }), RULE.cacheControlNoStore).length, 1);
  brokenBy(cacheControlNoStore({ ...signIn.headers, 'cache-control': undefined }), RULE.cacheControlNoStore);
});

test('token-type-bearer: "bearer" in any case', async (t) => {
  const { signIn } = await referenceAnswers(t);
  assert.deepEqual(tokenTypeIsBearer(signIn.body), []);
  for (const type of ['Bearer', 'BEARER']) assert.deepEqual(tokenTypeIsBearer({ ...signIn.body, token_type: type }), [], type);
  brokenBy(tokenTypeIsBearer({ ...signIn.body, token_type: 'mac' }), RULE.tokenTypeBearer);
  brokenBy(tokenTypeIsBearer({ ...signIn.body, token_type: 1 }), RULE.tokenTypeBearer);
});

test('jwt-compact: three base64url parts, a signature, JSON header and claims', async (t) => {
  const { signIn } = await referenceAnswers(t);
  const { access_token: access } = signIn.body;
  assert.deepEqual(tokensAreCompactJwts(signIn.body), []);
  const [header, payload] = access.split('.');
  for (const [what, token] of [
    ['an empty signature', `${header}.${payload}.`],
    ['two parts', `${header}.${payload}`],
    ['claims that are not JSON', `${header}.bm90LWpzb24.sig`],
    ['not a string', 42],
  ] as const) {
    brokenBy(tokensAreCompactJwts({ ...signIn.body, access_token: token }), RULE.jwtCompact, what);
  }
});

test('jwt-alg: never none, and allowlisted when a list is given', async (t) => {
  const { signIn } = await referenceAnswers(t);
  const { access_token: access } = signIn.body;
  assert.deepEqual(tokenAlgorithmsAllowed(signIn.body), []);
  assert.deepEqual(tokenAlgorithmsAllowed(signIn.body, ['ES256', 'RS256']), []);
  const none = reheaded(access, { alg: 'None', typ: 'JWT' });
  assert.deepEqual(brokenBy(tokenAlgorithmsAllowed({ ...signIn.body, access_token: none }), RULE.jwtAlgorithm), ['access_token is unsigned (alg none)']);
  brokenBy(tokenAlgorithmsAllowed(signIn.body, ['RS256']), RULE.jwtAlgorithm);
  brokenBy(tokenAlgorithmsAllowed({ ...signIn.body, refresh_token: reheaded(access, { typ: 'JWT' }) }, ['ES256']), RULE.jwtAlgorithm);
});

test('tokens-distinct: the refresh token is not the access token', async (t) => {
  const { signIn } = await referenceAnswers(t);
  assert.deepEqual(tokensDiffer(signIn.body), []);
  brokenBy(tokensDiffer({ ...signIn.body, refresh_token: signIn.body.access_token }), RULE.tokensDistinct);
});

test("exp-matches-expiry: each token's exp equals its body field", async (t) => {
  const { signIn, refresh } = await referenceAnswers(t);
  assert.deepEqual(expClaimsMatchExpiry(signIn.body), []);
  assert.deepEqual(expClaimsMatchExpiry(refresh.body), []);
  const { access_token: access, refresh_token: refreshToken, expires_at: expiresAt } = signIn.body;
  const messages = brokenBy(expClaimsMatchExpiry({ ...signIn.body, access_token: reclaimed(access, { exp: expiresAt + 3600 }) }), RULE.expMatchesExpiry);
  assert.deepEqual(messages, [`access_token exp claim (${expiresAt + 3600}) must equal expires_at (${expiresAt})`]);
  // The refresh token's exp against the access token's field is as wrong.
  brokenBy(expClaimsMatchExpiry({ ...signIn.body, refresh_token: reclaimed(refreshToken, { exp: expiresAt }) }), RULE.expMatchesExpiry);
  brokenBy(expClaimsMatchExpiry({ ...signIn.body, access_token: reclaimed(access, { exp: undefined }) }), RULE.expMatchesExpiry);
});

test('sub-is-user: sub, where present, is user.id', async (t) => {
  const { signIn } = await referenceAnswers(t);
  const { access_token: access } = signIn.body;
  assert.deepEqual(subjectIsUser(signIn.body), []);
  assert.deepEqual(subjectIsUser({ ...signIn.body, access_token: reclaimed(access, { sub: undefined }) }), []);
  brokenBy(subjectIsUser({ ...signIn.body, access_token: reclaimed(access, { sub: MEMBER.id }) }), RULE.subIsUser);
  brokenBy(subjectIsUser(broken(signIn.body, (b) => (b.user.id = MEMBER.id))), RULE.subIsUser);
});

test("iat-not-in-future: iat, where present, at most the server's Date plus the skew", async (t) => {
  const { signIn, now } = await referenceAnswers(t);
  const clock = clockOf(signIn);
  const { access_token: access } = signIn.body;
  const withIat = (iat: unknown) => ({ ...signIn.body, access_token: reclaimed(access, { iat }) });
  assert.deepEqual(issuedAtNotInFuture(signIn.body, clock), []);
  assert.deepEqual(issuedAtNotInFuture(withIat(undefined), clock), []);
  assert.deepEqual(issuedAtNotInFuture(withIat(now + SKEW), clock), []);
  brokenBy(issuedAtNotInFuture(withIat(now + SKEW + 1), clock), RULE.iatNotInFuture);
  brokenBy(issuedAtNotInFuture(withIat(now + 3600), clock), RULE.iatNotInFuture);
  brokenBy(issuedAtNotInFuture(withIat(String(now)), clock), RULE.iatNotInFuture);
});

test('expiry-unix-seconds: whole seconds near the present, not milliseconds', async (t) => {
  const { signIn, now } = await referenceAnswers(t);
  const clock = clockOf(signIn);
  assert.deepEqual(expiryInUnixSeconds(signIn.body, clock), []);
  const { expires_at: expiresAt, refresh_expires_at: refreshAt } = signIn.body;
  assert.equal(brokenBy(expiryInUnixSeconds({ ...signIn.body, expires_at: expiresAt * 1000, refresh_expires_at: refreshAt * 1000 }, clock), RULE.expiryUnixSeconds).length, 2);
  brokenBy(expiryInUnixSeconds({ ...signIn.body, expires_at: String(expiresAt) }, clock), RULE.expiryUnixSeconds);
  brokenBy(expiryInUnixSeconds({ ...signIn.body, expires_at: expiresAt + 0.5 }, clock), RULE.expiryUnixSeconds);
  brokenBy(expiryInUnixSeconds({ ...signIn.body, expires_at: Math.floor(expiresAt / 1000) }, clock), RULE.expiryUnixSeconds);
  // The boundary: a day before the server's clock is no longer "near the present".
  assert.deepEqual(expiryInUnixSeconds({ ...signIn.body, expires_at: now - 86_399 }, clock), []);
  brokenBy(expiryInUnixSeconds({ ...signIn.body, expires_at: now - 86_400 }, clock), RULE.expiryUnixSeconds);
});

test("expiry-ordering: Date − skew < expires_at < refresh_expires_at, equal seconds breaking it", async (t) => {
  const { signIn, refresh, now } = await referenceAnswers(t);
  const clock = clockOf(signIn);
  assert.deepEqual(expiryOrdering(signIn.body, clock), []);
  assert.deepEqual(expiryOrdering(refresh.body, clockOf(refresh)), []);
  assert.deepEqual(expiryOrdering({ ...signIn.body, expires_at: now - SKEW + 1 }, clock), []);
  brokenBy(expiryOrdering({ ...signIn.body, expires_at: now - SKEW }, clock), RULE.expiryOrdering);
  const { expires_at: expiresAt } = signIn.body;
  assert.deepEqual(expiryOrdering({ ...signIn.body, refresh_expires_at: expiresAt + 1 }, clock), []);
  brokenBy(expiryOrdering({ ...signIn.body, refresh_expires_at: expiresAt }, clock), RULE.expiryOrdering);
  brokenBy(expiryOrdering({ ...signIn.body, refresh_expires_at: expiresAt - 450 }, clock), RULE.expiryOrdering);
});

test('the time rules judge by the Date header, the fallback clock standing in, and never hold without a clock', async (t) => {
  const { signIn, now } = await referenceAnswers(t);
  const late = { ...signIn.body, expires_at: now - SKEW };
  assert.deepEqual(expiryOrdering(late, { date: undefined, skewSeconds: SKEW, fallbackSeconds: now - 1 }), []);
  brokenBy(expiryOrdering(late, { date: 'not a date', skewSeconds: SKEW, fallbackSeconds: now }), RULE.expiryOrdering);
  // The Date header wins over the fallback.
  brokenBy(expiryOrdering(late, { date: signIn.headers.date, skewSeconds: SKEW, fallbackSeconds: now - 1 }), RULE.expiryOrdering);
  for (const rule of [expiryOrdering, expiryInUnixSeconds, issuedAtNotInFuture]) {
    assert.match(rule(signIn.body, { date: undefined, skewSeconds: SKEW })[0]?.message ?? '', /^cannot judge: the answer has no usable Date header/);
  }
  assert.equal(ttlWithinBounds(signIn.body, { date: undefined, skewSeconds: SKEW }, {}).length, 1);
});

test('ttl-bounds: lifetimes within the bounds given, skew and the Date resolution allowed', async (t) => {
  const { signIn } = await referenceAnswers(t);
  const clock = clockOf(signIn);
  assert.deepEqual(ttlWithinBounds(signIn.body, clock, { accessMin: ACCESS_TTL, accessMax: ACCESS_TTL, refreshMax: REFRESH_TTL }), []);
  assert.deepEqual(ttlWithinBounds(signIn.body, clock, { accessMin: ACCESS_TTL + SKEW + 1 }), []);
  assert.deepEqual(ttlWithinBounds(signIn.body, clock, {}), []);
  brokenBy(ttlWithinBounds(signIn.body, clock, { accessMin: ACCESS_TTL + SKEW + 2 }), RULE.ttlBounds);
  assert.deepEqual(ttlWithinBounds(signIn.body, clock, { accessMax: ACCESS_TTL - SKEW }), []);
  brokenBy(ttlWithinBounds(signIn.body, clock, { accessMax: ACCESS_TTL - SKEW - 1 }), RULE.ttlBounds);
  brokenBy(ttlWithinBounds(signIn.body, clock, { refreshMax: 3600 }), RULE.ttlBounds);
});

test('user-is-signed-in-account: the email of the account that signed in, in any case', async (t) => {
  const { signIn } = await referenceAnswers(t);
  assert.deepEqual(userIsSignedInAccount(signIn.body, MAIN.email), []);
  assert.deepEqual(userIsSignedInAccount(signIn.body, MAIN.email.toUpperCase()), []);
  brokenBy(userIsSignedInAccount(signIn.body, MEMBER.email), RULE.userIsSignedInAccount);
});

test('user-is-refreshed-user: the user whose refresh token was sent', async (t) => {
  const { signIn, refresh } = await referenceAnswers(t);
  const user = signIn.body.user;
  assert.deepEqual(userIsRefreshedUser(refresh.body, user), []);
  assert.deepEqual(userIsRefreshedUser(refresh.body, { id: user.id }), []);
  assert.deepEqual(userIsRefreshedUser(refresh.body, { ...user, email: user.email.toUpperCase() }), []);
  const member = { id: MEMBER.id, email: MEMBER.email, organization_id: MEMBER.organization_id };
  assert.equal(brokenBy(userIsRefreshedUser(refresh.body, member), RULE.userIsRefreshedUser).length, 3);
  brokenBy(userIsRefreshedUser(broken(refresh.body, (b) => (b.user.organization_id = MEMBER.organization_id)), user), RULE.userIsRefreshedUser);
});

test('the composite reports each broken rule by its id, in one line that shows no token, password or address', async (t) => {
  const { signIn, now } = await referenceAnswers(t);
  const body = broken(signIn.body, (b) => {
    b.token_type = 'mac';
    b.refresh_token = b.access_token;
    b.expires_at = now - 3600;
    b.user.email = MEMBER.email;
  });
  const answer = { body, headers: { ...signIn.headers, 'cache-control': 'public, max-age=3600', 'content-type': 'text/html' } };
  const violations = tokenResponseRules(answer, { clockSkewSeconds: SKEW, issuedFor: { flow: 'sign-in', email: MAIN.email } });
  const rules = new Set(violations.map((v) => v.rule));
  for (const rule of [
    RULE.contentTypeJson,
    RULE.cacheControlNoStore,
    RULE.tokenTypeBearer,
    RULE.tokensDistinct,
    RULE.expMatchesExpiry,
    RULE.expiryOrdering,
    RULE.userIsSignedInAccount,
  ]) {
    assert.ok(rules.has(rule), `${rule} is not reported`);
  }
  for (const { message } of violations) {
    assert.doesNotMatch(message, /\n/);
    for (const secret of [signIn.body.access_token, signIn.body.refresh_token, MAIN.password, MAIN.email, MEMBER.email]) assert.ok(!message.includes(secret), message);
  }
});

test('a body that is not an object breaks every rule on the body, none holding by default', () => {
  for (const rule of [tokenTypeIsBearer, tokensAreCompactJwts, tokensDiffer, expClaimsMatchExpiry, subjectIsUser, (b: unknown) => userIsSignedInAccount(b, MAIN.email)]) {
    for (const body of [undefined, null, 'text', [1]]) assert.equal(rule(body).length, 1, `${rule.name} on ${JSON.stringify(body)}`);
  }
});
