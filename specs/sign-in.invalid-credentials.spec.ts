/**
 * Invalid credentials (contracts/CONTRACT.md decision 2): 401, the same answer whether the
 * email is unknown or the password wrong (no user enumeration: status, parsed body and
 * every header but the per-response ones, specs/support/answers.ts), and error bodies that
 * reveal nothing. No Cache-Control is required on errors: they carry no token.
 *
 * Wrong passwords go only to the probe account, through withProbeAccount, which keeps its
 * failures far below any lockout threshold (specs/support/accounts.ts).
 */
import type { ApiResponse } from './support/api.ts';
import { unknownEmail, withProbeAccount, wrongPasswordFor } from './support/accounts.ts';
import { answerDifferences, describeDifferences } from './support/answers.ts';
import { configuredSecrets, errorBodyLeaks } from './support/leaks.ts';
import { expect, test } from './fixtures.ts';

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

  test('an unknown email and a wrong password get the same answer: status, body and headers', async ({ api, config }) => {
    let unknown!: ApiResponse;
    let wrong!: ApiResponse;
    const passwords = [wrongPasswordFor(config.probeUser), wrongPasswordFor(config.probeUser)];
    await test.step('sign in with an unknown email, then with a wrong password', async () => {
      unknown = await api.signIn({ email: unknownEmail(), password: passwords[0]! });
      wrong = await withProbeAccount(api, (probe) => probe.wrongPassword(passwords[1]!));
    });
    await test.step('compare the two answers whole', async () => {
      expect(wrong.status, 'a wrong password must be rejected with 401').toBe(401);
      for (const res of [unknown, wrong]) {
        expect(errorBodyLeaks(res, { secrets: [...passwords, ...configuredSecrets(config)] }), 'the error body leaks').toEqual([]);
      }
      // Status, parsed body (request ids aside) and every header but the per-response ones
      // (Date, request ids, ...; ENUMERATION_IGNORE_HEADERS adds more).
      const differences = answerDifferences(unknown, wrong, { ignoreHeaders: config.enumerationIgnoreHeaders });
      expect(
        describeDifferences(differences, ['unknown email', 'wrong password']),
        'an unknown email must get the answer a wrong password gets; these parts tell them apart',
      ).toEqual([]);
    });
  });
});
