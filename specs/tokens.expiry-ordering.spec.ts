/**
 * Expiry times (contracts/CONTRACT.md decision 7): whole Unix seconds, the server's Date <
 * expires_at < refresh_expires_at, and TTLs within the configured bounds. Judged against
 * the server's Date header, with CLOCK_SKEW_SECONDS of allowance and one more second for
 * the header's resolution where it matters. The bounds hold for the main target only:
 * the embedded expiry target issues 2 s tokens on purpose.
 */
import type { TokenResponse } from '../contracts/index.ts';
import type { SuiteConfig } from '../lib/config.ts';
import { expect, test } from './fixtures.ts';
import { AuthApi, type ApiResponse } from './support/api.ts';
import { refreshOk } from './support/flows.ts';
import { serverTime } from './support/server-time.ts';

const EXPIRY_FIELDS = ['expires_at', 'refresh_expires_at'] as const;

/** Ten digits end in the year 2286; a Unix time in milliseconds has thirteen. */
const MAX_UNIX_SECONDS = 9_999_999_999;

/** Signs in and returns the raw answer: the checks below give their own, clearer messages. */
async function issue(api: AuthApi, config: SuiteConfig): Promise<{ res: ApiResponse; body: TokenResponse }> {
  const res = await api.signIn(config.user);
  expect(res, 'the main account must sign in for this test to run').toHaveStatus(200);
  return { res, body: AuthApi.tokens(res) };
}

function expectWholeSeconds(body: TokenResponse, now: number, what: string): void {
  for (const field of EXPIRY_FIELDS) {
    const value: unknown = body[field];
    expect(typeof value === 'number' && Number.isInteger(value), `${what}: ${field} must be an integer`).toBe(true);
    const n = value as number;
    expect(n, `${what}: ${field} is too large for Unix seconds (milliseconds?)`).toBeLessThanOrEqual(MAX_UNIX_SECONDS);
    // A value within a day of now / 1000 is a millisecond stamp divided wrongly, or seconds
    // since some other epoch: either way not "Unix time (seconds)" near the present.
    expect(n, `${what}: ${field} is not a Unix time near the server's clock`).toBeGreaterThan(now - 86_400);
  }
}

function expectOrdering(body: TokenResponse, now: number, skew: number, what: string): void {
  expect(body.expires_at, `${what}: expires_at must lie after the server's Date (skew ${skew} s)`).toBeGreaterThan(now - skew);
  expect(body.refresh_expires_at, `${what}: refresh_expires_at must lie after expires_at`).toBeGreaterThan(body.expires_at);
}

function expectTtlBounds(body: TokenResponse, now: number, config: SuiteConfig, what: string): void {
  const skew = config.clockSkewSeconds;
  const accessTtl = body.expires_at - now;
  const refreshTtl = body.refresh_expires_at - now;
  // Lower bound: skew, plus one second because Date is truncated to the second and the
  // token was issued up to a second before the header was written.
  expect(accessTtl, `${what}: access TTL below ACCESS_TTL_MIN (${config.ttl.accessMin} s)`).toBeGreaterThanOrEqual(
    config.ttl.accessMin - skew - 1,
  );
  expect(accessTtl, `${what}: access TTL above ACCESS_TTL_MAX (${config.ttl.accessMax} s)`).toBeLessThanOrEqual(config.ttl.accessMax + skew);
  expect(refreshTtl, `${what}: refresh TTL must exceed the access TTL`).toBeGreaterThan(accessTtl);
  expect(refreshTtl, `${what}: refresh TTL above REFRESH_TTL_MAX (${config.ttl.refreshMax} s)`).toBeLessThanOrEqual(
    config.ttl.refreshMax + skew,
  );
}

test.describe('token expiry times', () => {
  test('expires_at and refresh_expires_at are whole Unix seconds, not milliseconds @smoke', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    expectWholeSeconds(body, serverTime(res).seconds, 'sign-in');
  });

  test("the server's Date < expires_at < refresh_expires_at", async ({ api, config }, testInfo) => {
    const { res, body } = await issue(api, config);
    const now = serverTime(res);
    if (!now.fromDateHeader) testInfo.annotations.push({ type: 'note', description: 'no Date header: judged against the local clock' });
    expectWholeSeconds(body, now.seconds, 'sign-in');
    expectOrdering(body, now.seconds, config.clockSkewSeconds, 'sign-in');
  });

  test('the access TTL lies within the configured bounds', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    const now = serverTime(res).seconds;
    expectWholeSeconds(body, now, 'sign-in');
    const skew = config.clockSkewSeconds;
    const accessTtl = body.expires_at - now;
    expect(accessTtl, `access TTL below ACCESS_TTL_MIN (${config.ttl.accessMin} s)`).toBeGreaterThanOrEqual(config.ttl.accessMin - skew - 1);
    expect(accessTtl, `access TTL above ACCESS_TTL_MAX (${config.ttl.accessMax} s)`).toBeLessThanOrEqual(config.ttl.accessMax + skew);
  });

  test('the refresh TTL exceeds the access TTL and stays within its bound', async ({ api, config }) => {
    const { res, body } = await issue(api, config);
    const now = serverTime(res).seconds;
    expectWholeSeconds(body, now, 'sign-in');
    expectTtlBounds(body, now, config, 'sign-in');
  });

  test('a refresh answer keeps the same ordering and bounds', async ({ api, session, config }) => {
    const { res, tokens } = await refreshOk(api, session.refresh_token);
    const now = serverTime(res).seconds;
    expectWholeSeconds(tokens, now, 'refresh');
    expectOrdering(tokens, now, config.clockSkewSeconds, 'refresh');
    expectTtlBounds(tokens, now, config, 'refresh');
  });
});
