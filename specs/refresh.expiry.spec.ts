/**
 * Real expiry, watched on the expiry target (config.expiryBaseUrl: the embedded short-TTL
 * instance, or the target itself): a refresh token outlives its access token and still
 * works once the access token has expired (decision 1); an expired access token opens
 * nothing (RFC 6750 §3: 401 with a Bearer challenge); an expired refresh token refreshes
 * nothing. Waits follow the server's clock (its Date header), not a fixed sleep, and end
 * only once the expiry plus CLOCK_SKEW_SECONDS has passed on the server, so a target that
 * allows some leeway is not failed for it. A wait longer than EXPIRY_WAIT_MAX_SECONDS
 * skips the test and says so.
 */
import { userIsRefreshedUser } from '../contracts/index.ts';
import type { SuiteConfig } from '../lib/config.ts';
import { expect, requireCapability, test } from './fixtures.ts';
import { CLOCK_TAG } from '../lib/suite-tags.ts';
import type { AuthApi } from './support/api.ts';
import { BEARER_CHALLENGE, refreshOk, signInOk } from './support/flows.ts';
import { serverTime, waitForServerTime } from './support/server-time.ts';

/** Head room over the longest wait for the requests around it. */
const REQUEST_HEADROOM_MS = 30_000;

/**
 * Signs in on the expiry target and works out how long, on the server's clock, until the
 * chosen token has expired by more than the skew allowance; skips the test, saying why,
 * when that is longer than EXPIRY_WAIT_MAX_SECONDS.
 */
async function signInAndPlanWait(expiryApi: AuthApi, config: SuiteConfig, token: 'expires_at' | 'refresh_expires_at') {
  const skew = config.clockSkewSeconds;
  const { res, tokens } = await signInOk(expiryApi, config.user);
  const now = serverTime(res).seconds;
  const wait = tokens[token] + skew - now;
  const which = token === 'expires_at' ? 'access' : 'refresh';
  test.skip(
    wait > config.expiryWaitMaxSeconds,
    `the ${which} token expires in ${tokens[token] - now} s (+${skew} s skew), beyond EXPIRY_WAIT_MAX_SECONDS (${config.expiryWaitMaxSeconds})`,
  );
  return { tokens, skew, waitTimeoutMs: (wait + 10) * 1000 };
}

test.describe('expiry on the expiry target', { tag: CLOCK_TAG }, () => {
  test.beforeEach(({ config }) => {
    requireCapability(config, 'expiryWait');
    test.setTimeout(config.expiryWaitMaxSeconds * 1000 + REQUEST_HEADROOM_MS);
  });

  test('after the access token expires, refresh still works and the expired token gets 401 @smoke', async ({ expiryApi, config }) => {
    const { tokens, skew, waitTimeoutMs } = await signInAndPlanWait(expiryApi, config, 'expires_at');

    await test.step("wait until the server's clock reaches expires_at", async () => {
      await waitForServerTime(expiryApi, tokens.expires_at, waitTimeoutMs);
    });
    // Decision 1: such a client must still be able to refresh. One that sends the header as
    // the sibling API documents it carries the expired token; one that omits it is as right.
    const successor = await test.step('refresh sending the expired access token as Authorization: 200', async () => {
      const res = await expiryApi.refresh(tokens.refresh_token, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(res, 'a refresh carrying the expired access token as Authorization was refused').toHaveStatus(200);
      expect(res).toMatchContract('TokenResponse');
      return (res.json as { refresh_token: string }).refresh_token;
    });
    await test.step('refresh again without Authorization: 200, and the new access token opens the protected endpoint', async () => {
      const refreshed = await refreshOk(expiryApi, successor, 'the refresh token must outlive the access token');
      expect(userIsRefreshedUser(refreshed.tokens, tokens.user), 'the refresh after expiry').toHaveNoViolations();
      const chat = await expiryApi.chat(refreshed.tokens.access_token);
      expect(chat, 'the access token from a refresh after expiry').toHaveStatus(200);
    });
    await test.step(`wait until expires_at plus ${skew} s skew has passed on the server`, async () => {
      await waitForServerTime(expiryApi, tokens.expires_at + skew, waitTimeoutMs);
    });
    await test.step('the expired access token gets 401 with a Bearer challenge', async () => {
      const chat = await expiryApi.chat(tokens.access_token);
      expect(chat, 'an expired access token was accepted').toHaveStatus(401);
      expect(chat).toHaveHeader('www-authenticate', BEARER_CHALLENGE);
    });
  });

  test('an expired refresh token is rejected with 401', async ({ expiryApi, config }) => {
    const { tokens, skew, waitTimeoutMs } = await signInAndPlanWait(expiryApi, config, 'refresh_expires_at');

    await test.step(`wait until refresh_expires_at plus ${skew} s skew has passed on the server`, async () => {
      await waitForServerTime(expiryApi, tokens.refresh_expires_at + skew, waitTimeoutMs);
    });
    await test.step('refresh with the expired, never used refresh token: 401', async () => {
      const refreshed = await expiryApi.refresh(tokens.refresh_token);
      expect(refreshed, 'an expired refresh token was accepted').toHaveStatus(401);
    });
  });
});
