/**
 * Valid credentials: the documented 200 response, held to the contract schema and to the
 * decided headers (contracts/CONTRACT.md decisions 3 and 4), by the rules of
 * contracts/rules.ts that the load checks share.
 */
import { cacheControlNoStore, contentTypeIsJson, tokenResponseRules, tokenTypeIsBearer, userIsSignedInAccount } from '../contracts/index.ts';
import { AuthApi } from './support/api.ts';
import { serverTime, waitForServerTime } from './support/server-time.ts';
import { expect, test } from './fixtures.ts';
import { CLOCK_TAG } from '../lib/suite-tags.ts';

test.describe('sign-in with valid credentials', () => {
  test('answers 200 with a body that matches the contract @smoke', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('TokenResponse');
  });

  test('answers with a JSON content type', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    expect(res).toHaveStatus(200);
    expect(contentTypeIsJson(res.headers), 'sign-in').toHaveNoViolations();
  });

  test('forbids caching of the tokens (Cache-Control: no-store)', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    expect(res).toHaveStatus(200);
    // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache.
    expect(cacheControlNoStore(res.headers), 'sign-in').toHaveNoViolations();
  });

  test('gives token_type "bearer", compared case-insensitively', async ({ sharedSession: session }) => {
    // RFC 6749 §7.1: the token type is case-insensitive, "Bearer" is as valid as "bearer".
    expect(tokenTypeIsBearer(session)).toHaveNoViolations();
  });

  test('returns the account that signed in', async ({ sharedSession: session, config }) => {
    expect(userIsSignedInAccount(session, config.user.email)).toHaveNoViolations();
  });

  test('holds every rule on a token response, on sign-in and on the refresh that follows', async ({ api, config }) => {
    // The composite the load checks run on every token response: nothing a rule above
    // misses, and no false alarm on a real answer.
    const context = {
      clockSkewSeconds: config.clockSkewSeconds,
      fallbackNowSeconds: Math.floor(Date.now() / 1000),
      allowedAlgorithms: config.jwt.algorithms,
      ttl: { accessMin: config.ttl.accessMin, accessMax: config.ttl.accessMax, refreshMax: config.ttl.refreshMax },
    };
    const signIn = await api.signIn(config.user);
    expect(signIn).toHaveStatus(200);
    const signInIssuedFor = { flow: 'sign-in', email: config.user.email } as const;
    expect(tokenResponseRules({ body: signIn.json, headers: signIn.headers }, { ...context, issuedFor: signInIssuedFor }), 'sign-in').toHaveNoViolations();
    const tokens = AuthApi.tokens(signIn);
    const refresh = await api.refresh(tokens.refresh_token);
    expect(refresh).toHaveStatus(200);
    const refreshIssuedFor = { flow: 'refresh', user: tokens.user } as const;
    expect(tokenResponseRules({ body: refresh.json, headers: refresh.headers }, { ...context, issuedFor: refreshIssuedFor }), 'refresh').toHaveNoViolations();
  });

  test('issues different tokens on each sign-in', { tag: CLOCK_TAG }, async ({ api, config }) => {
    const first = await api.signIn(config.user);
    // Within one second a deterministic signer (RS256, EdDSA, HMAC) without a jti may sign
    // the very same claims twice, which no rule forbids; once the server's clock has moved
    // on, a newly issued token differs at least in its iat and exp.
    await waitForServerTime(api, serverTime(first).seconds + 1, 5_000);
    const second = await api.signIn(config.user);
    expect(first).toHaveStatus(200);
    expect(second).toHaveStatus(200);
    const a = AuthApi.tokens(first);
    const b = AuthApi.tokens(second);
    // Compared as booleans so a failure never prints a token.
    expect(a.access_token === b.access_token, 'two sign-ins returned the same access token').toBe(false);
    expect(a.refresh_token === b.refresh_token, 'two sign-ins returned the same refresh token').toBe(false);
    expect(a.user.id).toBe(b.user.id);
  });
});
