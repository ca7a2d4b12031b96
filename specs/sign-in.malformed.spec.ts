/**
 * Malformed input to sign-in and refresh (contracts/CONTRACT.md decision 2): one test per case
 * derived from the request schemas (specs/support/malformed.ts), plus oversized bodies
 * and unsupported methods. Every answer is the decided 4xx, fast, never a 5xx, and its
 * body reveals nothing (specs/support/leaks.ts).
 *
 * Sign-in cases are built on an unknown email and a random password: no account collects
 * a failure, whatever a lenient target makes of them. Refresh cases carry a real refresh
 * token of the main account (the worker's shared sign-in: a correct target spends
 * nothing), so a target that accepts a malformed body is caught by the
 * status, and one that echoes the token by the leak check.
 */
import { refreshRequestSchema, signInRequestSchema } from '../contracts/index.ts';
import type { ApiResponse } from './support/api.ts';
import { unknownEmail, wrongPasswordFor } from './support/accounts.ts';
import { configuredSecrets, errorBodyLeaks } from './support/leaks.ts';
import { deriveMalformedCases, type MalformedCase } from './support/malformed.ts';
import { oversizedJson, sendOversized, sendRaw } from './support/raw-requests.ts';
import { expect, test } from './fixtures.ts';
import type { SuiteConfig } from '../lib/config.ts';

const UNSUPPORTED_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'] as const;
const ALLOW_INCLUDES_POST = /(^|,)\s*POST\s*(,|$)/i;

/** The checks every answer to a malformed case gets. */
function expectRejected(res: ApiResponse, c: MalformedCase, config: SuiteConfig, secrets: string[], sent: string): void {
  expect(res).toBeClientError({ allowed: c.allowed, limitMs: config.responseTimeLimitMs });
  expect(res).toBeJsonError();
  // Beyond being JSON (decision 2), the shape of an error body is not part of the contract:
  // FastAPI's {"detail": …} and RFC 9457 problem details both pass. What neither may do is leak.
  expect(errorBodyLeaks(res, { secrets: [...secrets, ...configuredSecrets(config)], sent }), 'the error body leaks').toEqual([]);
}

test.describe('sign-in with a malformed body', () => {
  for (const c of deriveMalformedCases(signInRequestSchema)) {
    const smoke = c.kind === 'missing-field' && c.field === 'password' ? ' @smoke' : '';
    test(`${c.name} → ${c.allowed.join(' or ')}${smoke}`, async ({ api, config }) => {
      const valid = { email: unknownEmail(), password: wrongPasswordFor(config.probeUser) };
      const { body, contentType } = c.build(valid);
      const res = await sendRaw(api, config.paths.signIn, { body, contentType });
      expectRejected(res, c, config, [valid.password], body);
    });
  }

  test('an oversized body → 413 or 422', async ({ api, config }) => {
    const res = await sendOversized(api, config.paths.signIn, oversizedJson({ email: unknownEmail() }, 'password', config.oversizedBodyBytes));
    expect(res).toBeClientError({ allowed: [413, 422], limitMs: config.responseTimeLimitMs });
    expect(res).toBeJsonError();
    expect(errorBodyLeaks(res, { secrets: configuredSecrets(config) }), 'the error body leaks').toEqual([]);
    expect(res.text.length, 'the error body echoes the oversized input').toBeLessThan(config.oversizedBodyBytes / 2);
  });
});

test.describe('refresh with a malformed body', () => {
  for (const c of deriveMalformedCases(refreshRequestSchema)) {
    test(`${c.name} → ${c.allowed.join(' or ')}`, async ({ api, config, sharedSession: session }) => {
      const valid = { token: session.refresh_token };
      const { body, contentType } = c.build(valid);
      const res = await sendRaw(api, config.paths.refresh, { body, contentType });
      expectRejected(res, c, config, [session.refresh_token, session.access_token], body);
    });
  }

  test('an oversized body → 413 or 422', async ({ api, config }) => {
    const res = await sendOversized(api, config.paths.refresh, oversizedJson({}, 'token', config.oversizedBodyBytes));
    expect(res).toBeClientError({ allowed: [413, 422], limitMs: config.responseTimeLimitMs });
    expect(res).toBeJsonError();
    expect(errorBodyLeaks(res, { secrets: configuredSecrets(config) }), 'the error body leaks').toEqual([]);
    expect(res.text.length, 'the error body echoes the oversized input').toBeLessThan(config.oversizedBodyBytes / 2);
  });
});

test.describe('unsupported methods', () => {
  for (const [endpoint, pathOf] of [
    ['sign-in', (config: SuiteConfig) => config.paths.signIn],
    ['refresh', (config: SuiteConfig) => config.paths.refresh],
  ] as const) {
    for (const method of UNSUPPORTED_METHODS) {
      test(`${method} on the ${endpoint} path → 405 with Allow: POST, or 404`, async ({ api, config }) => {
        // Correct credentials of the main account: a target that handled the method like POST
        // would answer 200, never a wrong-password failure on an account.
        const data = method === 'GET' ? undefined : endpoint === 'sign-in' ? { email: config.user.email, password: config.user.password } : { token: 'not-a-refresh-token' };
        const res = await api.send(method, pathOf(config), data === undefined ? {} : { data });
        // Decision 2 allows either; a 405 must say what is allowed (RFC 9110 §15.5.6).
        expect(res).toBeClientError({ allowed: [405, 404], limitMs: config.responseTimeLimitMs });
        expect(res).toBeJsonError();
        if (res.status === 405) expect(res).toHaveHeader('allow', ALLOW_INCLUDES_POST);
        expect(errorBodyLeaks(res, { secrets: configuredSecrets(config) }), 'the error body leaks').toEqual([]);
      });
    }
  }
});
