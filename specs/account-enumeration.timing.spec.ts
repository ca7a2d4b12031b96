/**
 * Account enumeration by timing: a sign-in with an unknown email must take as long as one
 * with a known email and a wrong password. Judged by a statistical test with a stated
 * false-alarm rate, not a fixed tolerance (specs/support/timing.ts): interleaved, warmed-up
 * pairs of samples; the trimmed mean of their differences and its confidence interval;
 * sequential sampling that stops as soon as the answer is clear.
 * The file's name sorts first on purpose: Playwright hands out tests in file order, and
 * this longest chain of serial requests then runs beside the short tests, not after them.
 *
 * The wrong passwords go to the probe account, held exclusively for each stretch of rounds
 * and signed in correctly after every second failure (outside the measured requests), so
 * no lockout builds up and no other test's probes add noise.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { unknownEmail, withProbeAccount, wrongPasswordFor } from './support/accounts.ts';
import { sampleSequentially, type SequentialResult } from './support/timing.ts';
import { expect, test } from './fixtures.ts';
import { CLOCK_TAG } from '../lib/suite-tags.ts';

/** Longer than the lock's longest poll interval (25–50 ms). */
const PAUSE_BETWEEN_SESSIONS_MS = 80;

const round2 = (ms: number) => Math.round(ms * 100) / 100;
const round1 = (ms: number) => Math.round(ms * 10) / 10;

test.describe('sign-in timing', { tag: CLOCK_TAG }, () => {
  test.describe.configure({ mode: 'serial', timeout: 180_000 });

  test('an unknown email and a wrong password take indistinguishable time @smoke', async ({ api, config }, testInfo) => {
    const settings = config.timing;
    const statuses = { unknownEmail: new Set<number>(), wrongPassword: new Set<number>() };
    let sessions = 0;
    const result: SequentialResult = await test.step(
      `sample interleaved pairs after ${settings.warmup} warm-up rounds, ${settings.minSamples} to ${settings.maxSamples} of each, until the answer is clear`,
      () =>
        // The probe account is held for one session of rounds at a time (at most
        // ROUNDS_PER_SESSION), so that the other tests that need it do not wait for the
        // whole measurement; each release signs it in correctly, outside the measured requests.
        sampleSequentially(
          async (use) => {
            // Between two sessions, a pause longer than a waiting test's poll of the lock
            // (specs/support/accounts.ts), so that it gets the probe before this test retakes it.
            if (sessions++ > 0) await sleep(PAUSE_BETWEEN_SESSIONS_MS);
            return withProbeAccount(api, (probe) =>
              use({
                a: async () => {
                  const res = await api.signIn({ email: unknownEmail(), password: wrongPasswordFor(config.probeUser) });
                  statuses.unknownEmail.add(res.status);
                  return res.elapsedMs;
                },
                b: async () => {
                  const res = await probe.wrongPassword();
                  statuses.wrongPassword.add(res.status);
                  return res.elapsedMs;
                },
              }),
            );
          },
          settings,
        ),
    );

    const v = result.verdict;
    const seen = `a leak of ${round1(v.detectableMs)} ms or more would have been seen`;
    const summary =
      `${v.rounds} pairs (look ${v.look} of ${v.looks}): unknown email − wrong password = ${round2(v.differenceMs)} ms ` +
      `(20 % trimmed mean of paired differences; ${(100 * v.confidenceLevel).toFixed(2)} % interval ` +
      `${round2(v.intervalMs[0])} to ${round2(v.intervalMs[1])} ms), margin ±${round2(v.marginMs)} ms; ${seen}`;
    testInfo.annotations.push({ type: 'timing', description: summary });
    if (v.outcome === 'indistinguishable' && v.detectableMs > v.goalMs) {
      testInfo.annotations.push({
        type: 'timing: low power',
        description: `the target was too noisy for the goal of ${round1(v.goalMs)} ms within ${settings.maxSamples} pairs (TIMING_SAMPLES): ${seen}`,
      });
    }
    const figures = {
      method:
        'interleaved ABBA pairs after warm-up; 20 % trimmed mean of the paired differences (unknown − wrong), ' +
        'Tukey–McLaughlin standard error, Student t; leak when the interval lies beyond ± margin; ' +
        'false-alarm rate split evenly over the looks (Bonferroni)',
      settings,
      outcome: v.outcome,
      pairs: v.rounds,
      look: `${v.look} of ${v.looks}`,
      medianUnknownEmailMs: round2(v.medianUnknownMs),
      medianWrongPasswordMs: round2(v.medianWrongMs),
      differenceMs: round2(v.differenceMs),
      standardErrorMs: round2(v.standardErrorMs),
      intervalMs: v.intervalMs.map(round2),
      confidenceLevel: v.confidenceLevel,
      marginMs: round2(v.marginMs),
      goalMs: round2(v.goalMs),
      detectableLeakMs: round2(v.detectableMs),
      looks: result.history.map((h) => ({ pairs: h.rounds, differenceMs: round2(h.differenceMs), intervalMs: h.intervalMs.map(round2), detectableLeakMs: round2(h.detectableMs) })),
      statuses: { unknownEmail: [...statuses.unknownEmail], wrongPassword: [...statuses.wrongPassword] },
      unknownEmailMs: result.a.map(round2),
      wrongPasswordMs: result.b.map(round2),
    };
    await testInfo.attach('timing.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });

    await test.step('every sample was a rejected sign-in', async () => {
      // Timing only means something if both kinds were rejected the same way.
      expect([...statuses.wrongPassword], 'wrong passwords must all get 401').toEqual([401]);
      expect([...statuses.unknownEmail], 'unknown emails must all get 401').toEqual([401]);
    });
    await test.step(`no leak beyond the margin: ${seen}`, async () => {
      expect(
        v.outcome,
        `an unknown email and a wrong password take measurably different time: ${summary}. ` +
          `Medians: unknown email ${round2(v.medianUnknownMs)} ms, wrong password ${round2(v.medianWrongMs)} ms.`,
      ).toBe('indistinguishable');
    });
  });
});
