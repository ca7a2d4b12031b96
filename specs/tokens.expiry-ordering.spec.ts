/**
 * Expiry times (contracts/CONTRACT.md decision 7): whole Unix seconds, the server's Date <
 * expires_at < refresh_expires_at, and TTLs within the configured bounds. Judged against
 * the server's Date header, with CLOCK_SKEW_SECONDS of allowance and one more second for
 * the header's resolution where it matters. The bounds hold for the main target only:
 * the embedded expiry target issues 2 s tokens on purpose. The rules themselves are those
 * of contracts/rules.ts, shared with the load checks.
 */
import { expiryInUnixSeconds, expiryOrdering, ttlWithinBounds, type TokenResponse } from '../contracts/index.ts';
import type { SuiteConfig } from '../lib/config.ts';
import { expect, test } from './fixtures.ts';
import { AuthApi, type ApiResponse } from './support/api.ts';
import { refreshOk } from './support/flows.ts';
import { answerClock, serverTime } from './support/server-time.ts';

/** Signs in and returns the raw answer: the checks below give their own, clearer messages. */
async function issue(api: AuthApi, config: SuiteConfig): Promise<{ res: ApiResponse; body: TokenResponse }> {
  const res = await api.signIn(config.user);
  expect(res, 'the main account must sign in for this test to run').toHaveStatus(200);
  return { res, body: AuthApi.tokens(res) };
}

const accessBounds = (config: SuiteConfig) => ({ accessMin: config.ttl.accessMin, accessMax: config.ttl.accessMax });
const allBounds = (config: SuiteConfig) => ({ ...accessBounds(config), refreshMax: config.ttl.refreshMax });
const BOUNDS_NAMES = 'ACCESS_TTL_MIN, ACCESS_TTL_MAX, REFRESH_TTL_MAX';

test.describe('token expiry times', () => {
  test('expires_at and refresh_expires_at are whole Unix seconds, not milliseconds @smoke', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    expect(expiryInUnixSeconds(body, answerClock(res, config.clockSkewSeconds)), 'sign-in').toHaveNoViolations();
  });

  test("the server's Date < expires_at < refresh_expires_at", async ({ api, config }, testInfo) => {
    const { res, body } = await issue(api, config);
    if (!serverTime(res).fromDateHeader) testInfo.annotations.push({ type: 'note', description: 'no Date header: judged against the local clock' });
    const clock = answerClock(res, config.clockSkewSeconds);
    expect(expiryInUnixSeconds(body, clock), 'sign-in').toHaveNoViolations();
    expect(expiryOrdering(body, clock), 'sign-in').toHaveNoViolations();
  });

  test('the access TTL lies within the configured bounds', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    const clock = answerClock(res, config.clockSkewSeconds);
    expect(expiryInUnixSeconds(body, clock), 'sign-in').toHaveNoViolations();
    expect(ttlWithinBounds(body, clock, accessBounds(config)), 'sign-in: ACCESS_TTL_MIN, ACCESS_TTL_MAX').toHaveNoViolations();
  });

  test('the refresh TTL exceeds the access TTL and stays within its bound', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    const clock = answerClock(res, config.clockSkewSeconds);
    expect(expiryInUnixSeconds(body, clock), 'sign-in').toHaveNoViolations();
    // The refresh TTL exceeds the access TTL exactly when refresh_expires_at > expires_at.
    expect([...expiryOrdering(body, clock), ...ttlWithinBounds(body, clock, allBounds(config))], `sign-in: ${BOUNDS_NAMES}`).toHaveNoViolations();
  });

  test('a refresh answer keeps the same ordering and bounds', async ({ api, session, config }) => {
    const { res, tokens } = await refreshOk(api, session.refresh_token);
    const clock = answerClock(res, config.clockSkewSeconds);
    expect(expiryInUnixSeconds(tokens, clock), 'refresh').toHaveNoViolations();
    expect([...expiryOrdering(tokens, clock), ...ttlWithinBounds(tokens, clock, allBounds(config))], `refresh: ${BOUNDS_NAMES}`).toHaveNoViolations();
  });
});
