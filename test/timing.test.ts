/** The timing statistics, on synthetic samples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedDifferenceMs, compareMedians, median, sampleInterleaved } from '../specs/support/timing.ts';
import { seededRandom } from './fixtures/seeded.ts';

const settings = { toleranceMs: 15, toleranceRatio: 0.5 };

/** `n` latencies around `center` ms with jitter and an occasional large outlier. */
function latencies(n: number, center: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => center + (random() - 0.5) * 8 + (i % 7 === 3 ? 200 * random() : 0));
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

test('tolerance: the absolute floor for fast targets, the ratio for slow ones', () => {
  assert.equal(allowedDifferenceMs(2, 3, settings), 15);
  assert.equal(allowedDifferenceMs(100, 60, settings), 50);
  assert.equal(allowedDifferenceMs(100, 60, { toleranceMs: 0, toleranceRatio: 0 }), 0);
});

test('identical distributions are indistinguishable, outliers included', () => {
  for (const center of [1, 40, 400]) {
    const verdict = compareMedians(latencies(15, center, 1), latencies(15, center, 2), settings);
    assert.equal(verdict.indistinguishable, true, `center ${center}: ${JSON.stringify(verdict)}`);
  }
});

test('a uniform added latency on both sides still passes', () => {
  const a = latencies(15, 40, 3).map((x) => x + 150);
  const b = latencies(15, 40, 4).map((x) => x + 150);
  assert.equal(compareMedians(a, b, settings).indistinguishable, true);
});

test('a shifted distribution fails: unknown emails skipping the hash', () => {
  // Wrong password: ~45 ms of hashing; unknown email: ~2 ms, no hash.
  const verdict = compareMedians(latencies(15, 2, 5), latencies(15, 45, 6), settings);
  assert.equal(verdict.indistinguishable, false, JSON.stringify(verdict));
  assert.ok(verdict.differenceMs > verdict.allowedDifferenceMs);
  // And in the other direction (an unknown email slower).
  assert.equal(compareMedians(latencies(15, 120, 7), latencies(15, 45, 8), settings).indistinguishable, false);
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
  // The warm-up rounds (ticks 0..3) are not among the samples.
  assert.ok(Math.min(...result.a, ...result.b) >= 4);
  await assert.rejects(sampleInterleaved(measure('a'), measure('b'), { samples: 0, warmup: 0 }), RangeError);
});
