/**
 * Invalid credentials (contracts/CONTRACT.md decision 2): 401, the same status and body whether the
 * email is unknown or the password wrong (no user enumeration), and error bodies that
 * reveal nothing. No Cache-Control is required on errors: they carry no token.
 *
 * Wrong passwords go only to the probe account, through withProbeAccount, which keeps its
 * failures far below any lockout threshold (specs/support/accounts.ts).
 */
import type { ApiResponse } from './support/api.ts';
import { unknownEmail, withProbeAccount, wrongPasswordFor } from './support/accounts.ts';
import { configuredSecrets, errorBodyLeaks } from './support/leaks.ts';
import { expect, test } from './fixtures.ts';

/**
 * Members whose names look like a per-request identifier (request_id, requestId,
 * X-Request-ID, trace_id, traceId, correlation_id, span_id): they legitimately differ
 * between any two responses, so the enumeration comparison leaves them out. Nothing else
 * is ignored: a message, code or field that differs tells the two failures apart.
 */
const REQUEST_ID_MEMBER = /^(x[-_]?)?(request|req|trace|correlation|span)[-_]?id$/i;

function withoutRequestIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRequestIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !REQUEST_ID_MEMBER.test(key))
      .map(([key, inner]) => [key, withoutRequestIds(inner)]),
  );
}

test.describe('sign-in with invalid credentials', () => {
  test('an unknown email → 401 @smoke', async ({ api, config }) => {
    const password = wrongPasswordFor(config.probeUser);
    const res = await api.signIn({ email: unknownEmail(), password });
    expect(res).toBeClientError({ allowed: [401], limitMs: config.responseTimeLimitMs });
    expect(errorBodyLeaks(res, { secrets: [password, ...configuredSecrets(config)] }), 'the error body leaks').toEqual([]);
  });

  test('a wrong password → 401', async ({ api, config }) => {
    await withProbeAccount(api, async (probe) => {
      const password = wrongPasswordFor(config.probeUser);
      const res = await probe.wrongPassword(password);
      expect(res).toBeClientError({ allowed: [401], limitMs: config.responseTimeLimitMs });
      expect(errorBodyLeaks(res, { secrets: [password, ...configuredSecrets(config)] }), 'the error body leaks').toEqual([]);
    });
  });

  test('an empty password for an existing account → 401 (or 422)', async ({ api, config }) => {
    await withProbeAccount(api, async (probe) => {
      // Semantically empty credentials: a failed sign-in (401) or an invalid body (422).
      const res = await probe.wrongPassword('');
      expect(res).toBeClientError({ allowed: [401, 422], limitMs: config.responseTimeLimitMs });
      expect(errorBodyLeaks(res, { secrets: configuredSecrets(config) }), 'the error body leaks').toEqual([]);
    });
  });

  test('an unknown email and a wrong password get the same status and body', async ({ api, config }) => {
    let unknown!: ApiResponse;
    let wrong!: ApiResponse;
    const passwords = [wrongPasswordFor(config.probeUser), wrongPasswordFor(config.probeUser)];
    await test.step('sign in with an unknown email, then with a wrong password', async () => {
      unknown = await api.signIn({ email: unknownEmail(), password: passwords[0]! });
      wrong = await withProbeAccount(api, (probe) => probe.wrongPassword(passwords[1]!));
    });
    await test.step('compare the two answers', async () => {
      expect(wrong.status, 'a wrong password must be rejected with 401').toBe(401);
      expect(unknown.status, 'an unknown email must get the status a wrong password gets').toBe(wrong.status);
      for (const res of [unknown, wrong]) {
        expect(errorBodyLeaks(res, { secrets: [...passwords, ...configuredSecrets(config)] }), 'the error body leaks').toEqual([]);
      }
      if (unknown.json !== undefined || wrong.json !== undefined) {
        // Deep equality of the parsed bodies, per-request identifiers aside (see above).
        expect(withoutRequestIds(unknown.json), 'an unknown email must get the body a wrong password gets').toEqual(withoutRequestIds(wrong.json));
      } else {
        expect(unknown.text, 'an unknown email must get the body a wrong password gets').toBe(wrong.text);
      }
      expect(unknown.headers['content-type'], 'both answers have the same content type').toBe(wrong.headers['content-type']);
    });
  });
});
