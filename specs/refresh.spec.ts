/**
 * POST /auth/refresh-token (contracts/CONTRACT.md decision 1): a valid refresh token gets a new
 * token response for the same user, not cacheable, with or without an Authorization
 * header; anything else presented as the refresh token gets 401 (decision 8: an access
 * token is never accepted where a refresh token is expected); a body that fails
 * validation gets 422 (decision 2). Rotation and reuse are in refresh.rotation.spec.ts.
 */
import { cacheControlNoStore, contentTypeIsJson, refreshRequestSchema, userIsRefreshedUser } from '../contracts/index.ts';
import { expect, test } from './fixtures.ts';
import { CLOCK_TAG } from '../lib/suite-tags.ts';
import { refreshOk } from './support/flows.ts';
import { algNone, tamperClaim, tamperSignature, truncatedVariants } from './support/jwt.ts';
import { deriveMalformedCases } from './support/malformed.ts';
import { serverTime, waitForServerTime } from './support/server-time.ts';

/**
 * What a refresh with a bad token may get. A compact-JWS-shaped string is a token the
 * server must judge: 401. Anything else may already fail the target's request validation,
 * which the contract leaves to it (it documents `token` as a string; decision 2: 422).
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const rejectionsFor = (token: string): number[] => (COMPACT_JWS.test(token) ? [401] : [401, 422]);

test.describe('refresh with a valid refresh token', () => {
  test('answers 200 with a body that matches the contract, without an Authorization header @smoke', async ({ api, session }) => {
    // api.refresh sends no Authorization header at all: decision 1 makes it optional.
    const res = await api.refresh(session.refresh_token);
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('TokenResponse');
    // Decision 1: the sign-in's shape, and so its documented media type.
    expect(contentTypeIsJson(res.headers), 'refresh').toHaveNoViolations();
  });

  test('also answers 200 when the client sends its access token as Bearer credentials', async ({ api, session }) => {
    // The documented sibling endpoint shows `Authorization: Bearer <token>`; a client
    // following it must not be turned away.
    const res = await api.refresh(session.refresh_token, { headers: { authorization: `Bearer ${session.access_token}` } });
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('TokenResponse');
  });

  test('forbids caching of the tokens (Cache-Control: no-store)', async ({ api, session }) => {
    const { res } = await refreshOk(api, session.refresh_token);
    expect(cacheControlNoStore(res.headers), 'refresh').toHaveNoViolations();
  });

  test('returns the user who signed in', async ({ api, session }) => {
    const { tokens } = await refreshOk(api, session.refresh_token);
    expect(userIsRefreshedUser(tokens, session.user)).toHaveNoViolations();
  });

  test('issues a new access token', { tag: CLOCK_TAG }, async ({ api, config }) => {
    const signIn = await api.signIn(config.user);
    expect(signIn).toHaveStatus(200);
    expect(signIn).toMatchContract('TokenResponse');
    const session = signIn.json as { access_token: string; refresh_token: string };
    // A deterministic signer (RS256, EdDSA, HMAC) without a jti issues the very same token
    // twice within one second; once the server's clock has moved on, a newly issued token
    // differs at least in its exp claim.
    await waitForServerTime(api, serverTime(signIn).seconds + 1, 5_000);
    const { tokens } = await refreshOk(api, session.refresh_token);
    expect(tokens.access_token === session.access_token, 'the refresh handed back the old access token').toBe(false);
  });
});

test.describe('refresh with anything but a valid refresh token', () => {
  test('rejects the access token presented as refresh token with 401', async ({ api, sharedSession: session }) => {
    const res = await api.refresh(session.access_token);
    expect(res).toHaveStatus(401);
  });

  test('rejects a refresh token with a tampered signature with 401', async ({ api, sharedSession: session }) => {
    const res = await api.refresh(tamperSignature(session.refresh_token));
    expect(res).toHaveStatus(401);
  });

  test('rejects a refresh token with a tampered claim (exp extended) with 401', async ({ api, sharedSession: session }) => {
    const res = await api.refresh(tamperClaim(session.refresh_token, 'exp', session.refresh_expires_at + 86_400));
    expect(res).toHaveStatus(401);
  });

  test('rejects a refresh token re-encoded with alg none with 401 (or 422: its signature part is empty)', async ({ api, sharedSession: session, config }) => {
    const token = algNone(session.refresh_token);
    const res = await api.refresh(token);
    expect(res).toBeClientError({ allowed: rejectionsFor(token), limitMs: config.responseTimeLimitMs });
  });

  test('rejects truncated refresh tokens with 401 (422 once no longer JWT-shaped)', async ({ api, sharedSession: session, config }) => {
    for (const variant of truncatedVariants(session.refresh_token)) {
      await test.step(variant.name, async () => {
        const res = await api.refresh(variant.token);
        expect(res, `truncated token (${variant.name})`).toBeClientError({ allowed: rejectionsFor(variant.token), limitMs: config.responseTimeLimitMs });
      });
    }
  });

  test('rejects garbage that is a schema-valid string with 401 (or 422)', async ({ api, config }) => {
    const garbage: Array<[string, string]> = [
      ['not-a-jwt', 'not-a-jwt'],
      ['a single space', ' '],
      ['two dots', '..'],
      ['three one-letter parts', 'a.b.c'],
      ['the text null', 'null'],
      ['a JWT-looking header only', 'eyJhbGciOiJIUzI1NiJ9..'],
    ];
    for (const [name, token] of garbage) {
      await test.step(name, async () => {
        const res = await api.refresh(token);
        expect(res, `garbage token (${name})`).toBeClientError({ allowed: rejectionsFor(token), limitMs: config.responseTimeLimitMs });
      });
    }
  });
});

test.describe('refresh with a malformed body', () => {
  // One test walking every schema-derived case (specs/support/malformed.ts) as a step; the
  // per-case tests with leak checks live in sign-in.malformed.spec.ts.
  test('answers 422 to each body that fails the RefreshRequest schema', async ({ api, sharedSession: session, config }) => {
    for (const malformed of deriveMalformedCases(refreshRequestSchema)) {
      await test.step(`${malformed.name} → ${malformed.allowed.join(' or ')}`, async () => {
        // Built around a real refresh token: a target that unwraps a wrong type leniently
        // answers 200 and fails here.
        const { body, contentType } = malformed.build({ token: session.refresh_token });
        const res = await api.send('POST', config.paths.refresh, { data: body, raw: true, headers: { 'content-type': contentType } });
        expect(res, malformed.name).toBeClientError({ allowed: malformed.allowed, limitMs: config.responseTimeLimitMs });
      });
    }
  });

  test('answers 422 to a request without a body', async ({ api, config }) => {
    const res = await api.send('POST', config.paths.refresh);
    expect(res).toBeClientError({ allowed: [422], limitMs: config.responseTimeLimitMs });
  });

  test('rejects a token longer than the schema allows with a 4xx, never a 5xx', async ({ api, config }) => {
    // Over the schema's maxLength (422), over a body limit (413), or simply not a valid
    // token (401): the contract documents no length limit, so any of the three is correct.
    const token = 'a'.repeat(refreshRequestSchema.properties.token.maxLength + 1);
    const res = await api.send('POST', config.paths.refresh, { data: { token } });
    expect(res).toBeClientError({ allowed: [401, 413, 422], limitMs: config.responseTimeLimitMs });
  });
});
