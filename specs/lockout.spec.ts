/**
 * Lockout (contracts/CONTRACT.md decision 2): repeated failed sign-ins on one account end in 429
 * with Retry-After, the body still reveals nothing, the right password does not get past
 * the lock, other accounts are unaffected, and an unknown email is locked out the same way,
 * with the same answer (status, body and headers, specs/support/answers.ts).
 *
 * Only config.lockoutEmail (a throwaway account) receives these wrong passwords. The test
 * holds whether the account starts unlocked or is already locked by an earlier run or a
 * parallel repeat: it stops at the first 429.
 */
import type { SuiteConfig } from '../lib/config.ts';
import type { ApiResponse, AuthApi } from './support/api.ts';
import { unknownEmail, wrongPasswordFor } from './support/accounts.ts';
import { answerDifferences, describeDifferences } from './support/answers.ts';
import { configuredSecrets, errorBodyLeaks } from './support/leaks.ts';
import { expect, requireCapability, test } from './fixtures.ts';

/** RFC 9110 §10.2.3: delay-seconds, or an HTTP-date (IMF-fixdate, or the two obsolete forms). */
const DELAY_SECONDS = /^\d+$/;
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim();
  if (DELAY_SECONDS.test(v)) return true;
  return (IMF_FIXDATE.test(v) || RFC850_DATE.test(v) || ASCTIME_DATE.test(v)) && !Number.isNaN(Date.parse(v));
}

/**
 * Sends wrong passwords to `email` until the first 429 (at most LOCKOUT_MAX_ATTEMPTS),
 * checking each earlier answer is an ordinary, leak-free 401. Returns the 429, if any, and
 * the passwords sent.
 */
async function lockOut(api: AuthApi, config: SuiteConfig, email: string): Promise<{ locked: ApiResponse | undefined; sent: string[] }> {
  const sent: string[] = [];
  for (let attempt = 1; attempt <= config.lockoutMaxAttempts; attempt++) {
    const password = wrongPasswordFor({ email, password: '' });
    sent.push(password);
    const res = await api.signIn({ email, password });
    if (res.status === 429) return { locked: res, sent };
    // Before the lockout, a wrong password is an ordinary failed sign-in.
    expect(res, `attempt ${attempt}: a wrong password before the lockout`).toBeClientError({ allowed: [401], limitMs: config.responseTimeLimitMs });
    expect(errorBodyLeaks(res, { secrets: [password, ...configuredSecrets(config)] }), 'the error body leaks').toEqual([]);
  }
  return { locked: undefined, sent };
}

test.describe('lockout after repeated failed sign-ins', () => {
  test.beforeEach(({ config }) => {
    requireCapability(config, 'lockout');
    test.skip(config.lockoutEmail === undefined, 'no throwaway lockout account is configured (LOCKOUT_USER_EMAIL)');
  });

  test('repeated wrong passwords end in 429 with Retry-After; other accounts still sign in @smoke', async ({ api, config }) => {
    const email = config.lockoutEmail!;
    const { locked, sent } = await test.step(`send wrong passwords to the lockout account until 429 (at most ${config.lockoutMaxAttempts})`, () =>
      lockOut(api, config, email),
    );
    expect(locked, `no 429 after ${config.lockoutMaxAttempts} wrong passwords (LOCKOUT_MAX_ATTEMPTS): the account is never locked`).toBeDefined();
    const res = locked as ApiResponse;

    await test.step('the 429 carries Retry-After and reveals nothing', async () => {
      expect(res).toBeClientError({ allowed: [429], limitMs: config.responseTimeLimitMs });
      expect(res).toHaveHeader('retry-after');
      expect(validRetryAfter(res.headers['retry-after']), `Retry-After must be whole seconds or an HTTP date, got '${res.headers['retry-after']}'`).toBe(true);
      expect(errorBodyLeaks(res, { secrets: [...sent, ...configuredSecrets(config)] }), 'the 429 body leaks').toEqual([]);
    });

    await test.step('the locked account refuses its correct password too: 429', async (step) => {
      // Otherwise the lock only slows a guesser down, and still tells a right guess apart.
      step.skip(config.lockoutPassword === undefined, 'the password of the lockout account is not configured (LOCKOUT_USER_PASSWORD)');
      const right = await api.signIn({ email, password: config.lockoutPassword! });
      expect(right, 'a locked account signed in with its correct password').toHaveStatus(429);
    });

    await test.step('the main account is not locked: it still signs in', async () => {
      const main = await api.signIn(config.user);
      expect(main, 'the main account must still sign in while another account is locked').toHaveStatus(200);
      expect(main).toMatchContract('TokenResponse');
    });
  });

  test('an unknown email is locked out alike, with the same answer: status, body and headers', async ({ api, config }) => {
    // Decision 2: the same answer whether the email is unknown or the password is wrong. A
    // lockout that only registered emails reach, or that answers them differently, would
    // answer that question after N tries.
    const unknown = await test.step(`send wrong passwords to one unknown email until 429 (at most ${config.lockoutMaxAttempts})`, () =>
      lockOut(api, config, unknownEmail()),
    );
    expect(unknown.locked, `an unknown email got no 429 after ${config.lockoutMaxAttempts} wrong passwords, while a registered one is locked`).toBeDefined();
    // The lockout account is locked here too (it stops at the first 429, so whether the
    // other test locked it first does not matter).
    const known = await test.step('lock the registered lockout account the same way', () => lockOut(api, config, config.lockoutEmail!));
    expect(known.locked, `the lockout account got no 429 after ${config.lockoutMaxAttempts} wrong passwords`).toBeDefined();

    await test.step('compare the two 429 answers whole', async () => {
      // Retry-After counts down from each lock's own start: its presence is compared, not its value.
      const differences = answerDifferences(unknown.locked!, known.locked!, { ignoreHeaders: config.enumerationIgnoreHeaders, presenceOnly: ['retry-after'] });
      expect(
        describeDifferences(differences, ['unknown email', 'registered email']),
        'a locked-out unknown email must get the answer a locked-out registered one gets; these parts tell them apart',
      ).toEqual([]);
    });
  });
});
