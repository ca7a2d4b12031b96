/**
 * Valid credentials: the documented 200 response, held to the contract schema and to the
 * decided headers (contracts/CONTRACT.md decisions 3 and 4).
 */
import { AuthApi } from './support/api.ts';
import { JSON_CONTENT_TYPE } from './support/flows.ts';
import { serverTime, waitForServerTime } from './support/server-time.ts';
import { expect, test } from './fixtures.ts';
import { CLOCK_TAG } from '../lib/suite-projects.ts';

test.describe('sign-in with valid credentials', () => {
  test('answers 200 with a body that matches the contract @smoke', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('TokenResponse');
  });

  test('answers with a JSON content type', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    expect(res).toHaveHeader('content-type', JSON_CONTENT_TYPE);
  });

  test('forbids caching of the tokens (Cache-Control: no-store)', async ({ api, config }) => {
    const res = await api.signIn(config.user);
    // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache.
    expect(res).toHaveHeader('cache-control', /(^|,)\s*no-store\s*(,|$)/i);
    expect(res).not.toHaveHeader('cache-control', /(^|,)\s*(public|max-age=[1-9])/i);
  });

  test('gives token_type "bearer", compared case-insensitively', async ({ sharedSession: session }) => {
    // RFC 6749 §7.1: the token type is case-insensitive, "Bearer" is as valid as "bearer".
    expect(session.token_type.toLowerCase()).toBe('bearer');
  });

  test('returns the account that signed in', async ({ sharedSession: session, config }) => {
    expect(session.user.email.toLowerCase()).toBe(config.user.email.toLowerCase());
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
