/**
 * Account enumeration by timing: a sign-in with an unknown email must take as long as one
 * with a known email and a wrong password, within the tolerance of specs/support/timing.ts
 * (a target that skips the password hash for unknown emails answers measurably faster).
 * The file's name sorts first on purpose: Playwright hands out tests in file order, and
 * this longest chain of serial requests then runs beside the short tests, not after them.
 *
 * Sampling: warm-up rounds discarded, the two kinds interleaved ABBA, config.timing.samples
 * of each, compared by median. The wrong passwords go to the probe account, held exclusively
 * for the whole measurement and signed in correctly after every second failure (outside
 * the measured requests), so no lockout builds up and no other test's probes add noise.
 */
import { unknownEmail, withProbeAccount, wrongPasswordFor } from './support/accounts.ts';
import { compareMedians, sampleInterleaved } from './support/timing.ts';
import { expect, test } from './fixtures.ts';

/**
 * One discarded round of each kind: it opens the connection (kept alive for the rest) and
 * runs both code paths once; later rounds measure only the target's work.
 */
const WARMUP_ROUNDS = 1;

test.describe('sign-in timing', () => {
  test.describe.configure({ mode: 'serial', timeout: 180_000 });

  test('an unknown email and a wrong password take indistinguishable time @smoke', async ({ api, config }, testInfo) => {
    const statuses = { unknownEmail: new Set<number>(), wrongPassword: new Set<number>() };
    const samples = await test.step(`sample ${config.timing.samples} of each, interleaved, after ${WARMUP_ROUNDS} warm-up rounds`, () =>
      withProbeAccount(api, (probe) =>
        sampleInterleaved(
          async () => {
            const res = await api.signIn({ email: unknownEmail(), password: wrongPasswordFor(config.probeUser) });
            statuses.unknownEmail.add(res.status);
            return res.elapsedMs;
          },
          async () => {
            const res = await probe.wrongPassword();
            statuses.wrongPassword.add(res.status);
            return res.elapsedMs;
          },
          { samples: config.timing.samples, warmup: WARMUP_ROUNDS },
        ),
      ),
    );

    const verdict = compareMedians(samples.a, samples.b, config.timing);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    const figures = {
      samplesPerSide: config.timing.samples,
      warmupRounds: WARMUP_ROUNDS,
      medianUnknownEmailMs: round(verdict.medianA),
      medianWrongPasswordMs: round(verdict.medianB),
      differenceMs: round(verdict.differenceMs),
      allowedDifferenceMs: round(verdict.allowedDifferenceMs),
      rule: `|median(unknown) - median(wrong)| <= max(${config.timing.toleranceMs} ms, ${config.timing.toleranceRatio} * max(medians))`,
      indistinguishable: verdict.indistinguishable,
      statuses: { unknownEmail: [...statuses.unknownEmail], wrongPassword: [...statuses.wrongPassword] },
      unknownEmailMs: samples.a.map(round),
      wrongPasswordMs: samples.b.map(round),
    };
    await testInfo.attach('timing.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });

    await test.step('every sample was a rejected sign-in', async () => {
      // Timing only means something if both kinds were rejected the same way.
      expect([...statuses.wrongPassword], 'wrong passwords must all get 401').toEqual([401]);
      expect([...statuses.unknownEmail], 'unknown emails must all get 401').toEqual([401]);
    });
    await test.step('the medians differ by no more than the tolerance', async () => {
      expect(
        verdict.differenceMs,
        `median unknown email ${figures.medianUnknownEmailMs} ms vs wrong password ${figures.medianWrongPasswordMs} ms: ` +
          `the difference must be at most ${figures.allowedDifferenceMs} ms (${figures.rule})`,
      ).toBeLessThanOrEqual(verdict.allowedDifferenceMs);
    });
  });
});
