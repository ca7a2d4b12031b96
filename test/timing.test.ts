/** The timing statistics (specs/support/timing.ts), on seeded synthetic samples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alphaForLook,
  judgeTiming,
  lookSchedule,
  median,
  ROUNDS_PER_SESSION,
  sampleInterleaved,
  sampleSequentially,
  studentTQuantileUpper,
  trimmedMean,
  type TimingSettings,
} from '../specs/support/timing.ts';
import { seededRandom } from './fixtures/seeded.ts';

const settings: TimingSettings = {
  minSamples: 12,
  maxSamples: 160,
  warmup: 2,
  falseAlarmRate: 0.01,
  marginMs: 2,
  marginRatio: 0.05,
  goalMs: 5,
  goalRatio: 0.2,
};

/** A standard normal draw (Box–Muller) from a seeded uniform source. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * A simulated target on a shared machine: sign-in takes `base` ms (+ `leak` for unknown
 * emails) plus a little jitter of each request's own (`jitter` ms sd). The machine
 * alternates quiet and busy spells (each round stays in its spell with probability 0.9;
 * `busy` is the share of busy rounds): in a busy spell every request waits an extra
 * exponential time of mean `load` ms, independently (as the suite's other tests, sharing
 * the target and the cores, make it wait). Now and then (`stalls`) one request stalls for
 * up to 200 ms (a GC pause).
 */
function target(seed: number, { base = 60, leak = 0, jitter = 2, busy = 0.5, load = 80, stalls = 0.03 } = {}) {
  const random = seededRandom(seed);
  let busyNow = random() < busy;
  const one = (extra: number) =>
    base + extra + Math.abs(jitter * gaussian(random)) + (busyNow ? -load * Math.log(1 - random()) : 0) + (random() < stalls ? 200 * random() : 0);
  return {
    /** One round: a then b, in the same spell. */
    round(): [number, number] {
      if (random() < 0.1) busyNow = random() < busy;
      return [one(leak), one(0)];
    },
  };
}

/** The sequential check on a simulated target, without any waiting. */
function simulate(seed: number, options: Parameters<typeof target>[1], s: TimingSettings = settings) {
  const t = target(seed, options);
  const a: number[] = [];
  const b: number[] = [];
  const schedule = lookSchedule(s);
  for (const [i, rounds] of schedule.entries()) {
    while (a.length < rounds) {
      const [x, y] = t.round();
      a.push(x);
      b.push(y);
    }
    const verdict = judgeTiming(a, b, s, i + 1, schedule.length);
    if (verdict.final) return verdict;
  }
  throw new Error('no final verdict');
}

test('median: odd and even counts, unsorted input, no samples', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), RangeError);
  const input = [5, 1, 4];
  median(input);
  assert.deepEqual(input, [5, 1, 4], 'the input is not reordered');
});

test("Student's t quantiles match the tables", () => {
  const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-3, `${actual} vs ${expected}`);
  near(studentTQuantileUpper(0.025, 10), 2.228);
  near(studentTQuantileUpper(0.005, 5), 4.032);
  near(studentTQuantileUpper(0.05, 1), 6.314);
  near(studentTQuantileUpper(0.0005, 20), 3.85);
  near(studentTQuantileUpper(0.025, 10_000), 1.96);
  assert.throws(() => studentTQuantileUpper(0.5, 3), RangeError);
});

test('trimmed mean: 20 % off each end, winsorized standard error, n − 2g − 1 degrees of freedom', () => {
  const t = trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]);
  assert.equal(t.mean, 5.5, 'the outlier is trimmed');
  assert.equal(t.df, 5);
  // Winsorized: 3,3,3,4,5,6,7,8,8,8 → sd 2.1731; / (0.6 · √10)
  assert.ok(Math.abs(t.se - 2.1731 / (0.6 * Math.sqrt(10))) < 1e-3, String(t.se));
  assert.throws(() => trimmedMean([1, 2, 3]), RangeError);
});

test('looks: from the minimum, doubling, ending at the maximum', () => {
  assert.deepEqual(lookSchedule({ minSamples: 12, maxSamples: 160 }), [12, 24, 48, 96, 160]);
  assert.deepEqual(lookSchedule({ minSamples: 20, maxSamples: 20 }), [20]);
  assert.throws(() => lookSchedule({ minSamples: 20, maxSamples: 10 }), RangeError);
  assert.throws(() => lookSchedule({ minSamples: 4, maxSamples: 10 }), RangeError);
});

test('equal paths pass, and say what leak they would have seen', () => {
  const verdict = simulate(1, { busy: 0 });
  assert.equal(verdict.outcome, 'indistinguishable', JSON.stringify(verdict));
  assert.ok(verdict.detectableMs <= verdict.goalMs, 'a quiet target reaches the goal');
  assert.ok(verdict.detectableMs >= verdict.marginMs);
});

test('a leak of a quarter of the sign-in time (15 ms of 60) is caught, in either direction, on a busy machine', () => {
  const caught = (options: Parameters<typeof target>[1], from: number) => {
    let n = 0;
    for (let seed = from; seed < from + 50; seed++) if (simulate(seed, options).outcome === 'leak') n++;
    return n;
  };
  assert.equal(caught({ leak: -15, busy: 0 }, 1), 50, 'unknown emails faster, quiet machine');
  assert.equal(caught({ leak: 15 }, 1000), 50, 'unknown emails slower, busy half the time');
  const busy = caught({ leak: -15, busy: 0.7, load: 100, jitter: 5 }, 2000);
  assert.ok(busy >= 43, `busy most of the time: at least 85 % (${busy} of 50)`);
});

test('the hash skipped for unknown emails is caught at the first look', () => {
  const verdict = simulate(7, { base: 60, leak: -55, busy: 0 });
  assert.equal(verdict.outcome, 'leak');
  assert.equal(verdict.look, 1);
});

test('harmless: 40 ms added to both paths, jitter on both, heavy load', () => {
  for (let seed = 1; seed <= 50; seed++) {
    assert.equal(simulate(seed, { base: 100 }).outcome, 'indistinguishable', `seed ${seed}: 40 ms more on both`);
    assert.equal(simulate(seed + 100, { jitter: 15 }).outcome, 'indistinguishable', `seed ${seed}: jitter`);
    assert.equal(simulate(seed + 200, { busy: 0.9, load: 200, stalls: 0.2 }).outcome, 'indistinguishable', `seed ${seed}: load`);
  }
});

test('the false-alarm rate holds even for a difference as large as the margin', () => {
  // 60 ms sign-ins: margin max(2, 5 % of 60) = 3 ms; a true difference of exactly 3 ms is
  // the worst case the stated rate (1 %) covers.
  let alarms = 0;
  const runs = 1000;
  for (let seed = 1; seed <= runs; seed++) if (simulate(seed, { leak: 3 }).outcome === 'leak') alarms++;
  assert.ok(alarms <= runs * settings.falseAlarmRate, `${alarms} false alarms in ${runs} runs`);
});

test('the false-alarm rate is spent half at the first look, the rest evenly; never more than the whole', () => {
  assert.equal(alphaForLook(0.01, 1, 5), 0.005);
  assert.equal(alphaForLook(0.01, 3, 5), 0.00125);
  assert.equal(alphaForLook(0.01, 1, 1), 0.01);
  const total = [1, 2, 3, 4, 5].reduce((sum, look) => sum + alphaForLook(0.01, look, 5), 0);
  assert.ok(Math.abs(total - 0.01) < 1e-12);
});

test('no false alarm beyond the stated rate on a very busy machine where the paths are equal', () => {
  let alarms = 0;
  const runs = 1000;
  for (let seed = 1; seed <= runs; seed++) if (simulate(seed + 5000, { busy: 0.9, load: 200, stalls: 0.2 }).outcome === 'leak') alarms++;
  assert.ok(alarms <= runs * settings.falseAlarmRate, `${alarms} false alarms in ${runs} runs`);
});

test('a noisy target takes more samples, up to the bound, and reports its lower power', () => {
  const quiet = simulate(3, { jitter: 1, busy: 0, stalls: 0 });
  const noisy = simulate(3, { jitter: 10, busy: 1, load: 100, stalls: 0.2 });
  assert.equal(quiet.look, 1);
  assert.ok(noisy.rounds > quiet.rounds);
  assert.equal(noisy.outcome, 'indistinguishable');
  assert.ok(noisy.detectableMs > quiet.detectableMs);
});

test('sampleSequentially: warm-up discarded, ABBA order kept across looks, stops when clear', async () => {
  const calls: string[] = [];
  let tick = 0;
  const measure = (kind: string) => async () => {
    calls.push(kind);
    tick++;
    return 50 + (tick % 3) * 0.1;
  };
  const quick = { ...settings, minSamples: 6, maxSamples: 40, warmup: 2 };
  const result = await sampleSequentially({ a: measure('a'), b: measure('b') }, quick);
  assert.equal(result.verdict.outcome, 'indistinguishable');
  assert.equal(result.verdict.look, 1, 'steady timings are clear at the first look');
  assert.equal(result.a.length, 6);
  assert.equal(calls.length, 2 * (6 + 2));
  assert.equal(calls.join(''), 'abba'.repeat(4));

  // A target that is noisy at first: more looks follow, and the rounds keep alternating.
  const calls2: string[] = [];
  const random = seededRandom(9);
  const noisy = (kind: string) => async () => {
    calls2.push(kind);
    return 50 + 30 * random();
  };
  let sessions = 0;
  const long = await sampleSequentially((use) => {
    sessions++;
    return use({ a: noisy('a'), b: noisy('b') });
  }, quick);
  assert.ok(long.history.length > 1);
  // At least one session per look (none spans a look), at most ROUNDS_PER_SESSION rounds each.
  assert.ok(sessions >= long.history.length && sessions >= Math.ceil(long.verdict.rounds / ROUNDS_PER_SESSION), `${sessions} sessions`);
  assert.ok(sessions <= long.history.length + Math.ceil(long.verdict.rounds / ROUNDS_PER_SESSION), `${sessions} sessions`);
  assert.equal(long.a.length, long.verdict.rounds);
  assert.equal(calls2.join(''), 'abba'.repeat(calls2.length / 4) + (calls2.length % 4 === 2 ? 'ab' : ''));
});

test('sampleInterleaved: warm-up discarded, ABBA order, sample counts', async () => {
  const calls: string[] = [];
  let tick = 0;
  const measure = (kind: string) => async () => {
    calls.push(kind);
    return tick++;
  };
  const result = await sampleInterleaved(measure('a'), measure('b'), { samples: 4, warmup: 2 });
  assert.deepEqual(calls.join(''), 'ab' + 'ba' + 'ab' + 'ba' + 'ab' + 'ba');
  assert.equal(result.a.length, 4);
  assert.equal(result.b.length, 4);
  assert.ok(Math.min(...result.a, ...result.b) >= 4);
  await assert.rejects(sampleInterleaved(measure('a'), measure('b'), { samples: 0, warmup: 0 }), RangeError);
});
