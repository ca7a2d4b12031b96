/**
 * What makes the load engine's figures trustworthy: latency histograms that merge exactly
 * across threads and machines (load/engine/histogram.ts, interval-recorder.ts, fold.ts),
 * the validity judgement that refuses a run whose generator could not keep up
 * (validity.ts), and the ledger that catches a token issued twice (tokens-ledger.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHECK } from '../load/client/auth-client.ts';
import { buildSchedule, type Schedule } from '../load/engine/executors.ts';
import { RunFold } from '../load/engine/fold.ts';
import { addEncoded, encodeHistogram, newHistogram, percentileMs, recordMs, trendValues } from '../load/engine/histogram.ts';
import { IntervalRecorder } from '../load/engine/interval-recorder.ts';
import type { SeriesSet } from '../load/engine/series.ts';
import { TokenLedger } from '../load/engine/tokens-ledger.ts';
import type { TimeSeries } from '../load/engine/summary-types.ts';
import { judgeValidity } from '../load/engine/validity.ts';
import { emptyTimeSeries } from './fixtures/load-summary.ts';
import { seededRandom } from './fixtures/seeded.ts';

const T0 = 1_700_000_000_000;

/** Latencies in ms over five decades: mostly fast, a slow tail, a few stalls. */
function latencies(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const u = random();
    if (u < 0.9) return 2 + random() * 40;
    if (u < 0.99) return 50 + random() * 900;
    return 1000 + random() * 20_000;
  });
}

/** Nearest-rank percentile, the definition HdrHistogram implements. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // (99.9 / 100) * 1000 is 999.0000000000001 in floating point; the rank is 999.
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1]!;
}

/** Three significant digits: within a thousandth of the value, plus the 1 µs recording step. */
function assertWithinPrecision(actual: number | null, exact: number, what: string): void {
  assert.ok(actual !== null, `${what}: no value`);
  assert.ok(Math.abs(actual - exact) <= exact / 1000 + 0.002, `${what}: ${actual} ms, exact ${exact} ms`);
}

/** The samples a request emits (its corrected duration twice its duration, to tell them apart). */
function request(recorder: IntervalRecorder, endpoint: string, durationMs: number, endedAt: number): void {
  recorder.sample('http_reqs', { endpoint, status: '200' }, 1, endedAt);
  recorder.sample('http_req_duration', { endpoint }, durationMs, endedAt);
  recorder.sample('http_req_duration_corrected', { endpoint }, durationMs * 2, endedAt);
}

/** Everything the recorders saw, folded the way the main thread does; returns the fold and its whole-run series. */
function merge(recorders: IntervalRecorder[]): { fold: RunFold; whole: SeriesSet; destroy(): void } {
  const fold = new RunFold([], false);
  for (const r of recorders) for (const entry of r.close().entries) fold.add(entry);
  return { fold, whole: fold.whole, destroy: () => fold.destroy() };
}

/** A trend of the whole run's series, for reading (owned by the fold). */
const trendOf = (set: SeriesSet, metric: 'http_req_duration' | 'http_req_duration_corrected' | 'schedule_lag' | 'iteration_duration', endpoint?: string) =>
  set.trend(metric, endpoint === undefined ? {} : { endpoint }).histogram;

describe('histogram merging is exact', () => {
  // Few intervals on purpose: a 1 µs–1 h histogram is costly to encode, decode and add.
  for (const [n, parts, seconds, seed] of [
    [3000, 2, 2, 1],
    [500, 3, 1, 3],
  ] as const) {
    test(`${n} samples split across ${parts} recorders merge into what one recorder sees`, () => {
      const samples = latencies(n, seed);
      const random = seededRandom(seed * 31);
      const one = new IntervalRecorder(T0);
      const split = Array.from({ length: parts }, () => new IntervalRecorder(T0));
      samples.forEach((ms, i) => {
        // Requests end over `seconds` seconds; each lands in a random thread.
        const endedAt = T0 + (i % seconds) * 1000 + 1;
        request(one, 'sign-in', ms, endedAt);
        request(split[Math.floor(random() * parts)]!, 'sign-in', ms, endedAt);
      });
      const whole = merge([one]);
      const merged = merge(split);
      const a = trendOf(whole.whole, 'http_req_duration', 'sign-in');
      const b = trendOf(merged.whole, 'http_req_duration', 'sign-in');
      assert.equal(b.totalCount, n);
      assert.equal(a.totalCount, n);
      // Every bucket's count: the encodings of equal histograms are equal.
      assert.equal(encodeHistogram(b), encodeHistogram(a), "merged buckets differ from one recorder's");
      assert.equal(b.maxValue, a.maxValue);
      assert.equal(b.minNonZeroValue, a.minNonZeroValue);
      assert.equal(trendOf(merged.whole, 'http_req_duration_corrected', 'sign-in').totalCount, n);
      // And the merged figures are the samples' own, to three significant digits.
      const all = b;
      for (const p of [1, 50, 90, 99, 99.9]) assertWithinPrecision(percentileMs(all, p), nearestRank(samples, p), `p(${p})`);
      const values = trendValues(all);
      assertWithinPrecision(values.max, Math.max(...samples), 'max');
      assertWithinPrecision(values.min, Math.min(...samples), 'min');
      assertWithinPrecision(values.avg, samples.reduce((s, x) => s + x, 0) / n, 'avg');
      assertWithinPrecision(percentileMs(trendOf(merged.whole, 'http_req_duration_corrected', 'sign-in'), 99), nearestRank(samples, 99) * 2, 'corrected p(99)');
      whole.destroy();
      merged.destroy();
    });
  }

  test('merged percentiles are not the average of the parts’ percentiles', () => {
    const fast = Array.from({ length: 1000 }, (_, i) => 10 + (i % 10) / 10);
    const slow = Array.from({ length: 100 }, (_, i) => 500 + i);
    const alone = (values: number[]) => {
      const h = newHistogram();
      values.forEach((ms) => recordMs(h, ms));
      const p = percentileMs(h, 99)!;
      h.destroy();
      return p;
    };
    const c = new IntervalRecorder(T0);
    const d = new IntervalRecorder(T0);
    fast.forEach((ms) => request(c, 'sign-in', ms, T0));
    slow.forEach((ms) => request(d, 'sign-in', ms, T0));
    const merged = merge([c, d]);
    const p99 = percentileMs(trendOf(merged.whole, 'http_req_duration', 'sign-in'), 99)!;
    assertWithinPrecision(p99, nearestRank([...fast, ...slow], 99), 'merged p(99)');
    const averaged = (alone(fast) + alone(slow)) / 2;
    assert.ok(Math.abs(p99 - averaged) > 100, `merged p(99) ${p99} must not be the average ${averaged}`);
    merged.destroy();
  });

  test('the compressed base64 encoding round-trips every count', () => {
    const h = newHistogram();
    const samples = latencies(3000, 9);
    samples.forEach((ms) => recordMs(h, ms));
    const back = newHistogram();
    addEncoded(back, encodeHistogram(h));
    addEncoded(back, encodeHistogram(h));
    assert.equal(back.totalCount, 2 * samples.length);
    for (const p of [0, 50, 99, 100]) assert.equal(back.getValueAtPercentile(p), h.getValueAtPercentile(p), `p(${p})`);
    h.destroy();
    back.destroy();
  });

  test('recordMs keeps the histogram’s range: below 1 µs counts as 1 µs, above an hour as an hour', () => {
    const h = newHistogram();
    recordMs(h, 0);
    recordMs(h, -5);
    recordMs(h, 5 * 3_600_000);
    assert.equal(h.totalCount, 3);
    assert.equal(h.minNonZeroValue, 1);
    assertWithinPrecision(percentileMs(h, 100), 3_600_000, 'max');
    const empty = newHistogram();
    assert.equal(percentileMs(empty, 50), null, 'an empty histogram has no percentile');
    h.destroy();
    empty.destroy();
  });

  test('arrival counts and lags add up across threads', () => {
    const a = new IntervalRecorder(T0);
    const b = new IntervalRecorder(T0);
    for (let i = 0; i < 30; i += 1) {
      const r = i % 2 ? a : b;
      const fired = T0 + i * 30 + (i % 4);
      r.sample('schedule_lag', {}, i % 4, fired);
      r.sample(i % 5 !== 0 ? 'iterations_started' : 'dropped_iterations', {}, 1, fired);
      if (i % 5 !== 0) {
        r.sample('iterations', {}, 1, T0 + i * 30 + 40);
        r.sample('iteration_duration', {}, 40, T0 + i * 30 + 40);
      }
    }
    const state = merge([a, b]);
    const w = state.whole;
    assert.deepEqual(
      [w.count('iterations_started'), w.count('dropped_iterations'), w.count('iterations'), trendOf(w, 'schedule_lag').totalCount, trendOf(w, 'iteration_duration').totalCount],
      [24, 6, 24, 30, 24],
    );
    assertWithinPrecision(percentileMs(trendOf(w, 'schedule_lag'), 100), 3, 'lag max');
    state.destroy();
  });
});

interface Run {
  schedule: Schedule;
  whole: SeriesSet;
  timeseries: TimeSeries;
  lags: number[];
  fired: number;
}

/**
 * A constant-rate run, arrival by arrival: `fire` says when arrival i actually fired (ms from
 * the start), or null when it never did. The per-second offered counts are bucketed here.
 */
function simulate(rate: number, seconds: number, fire: (i: number, dueMs: number) => number | null): Run {
  const schedule = buildSchedule({ executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${seconds}s`, maxVUs: 100 });
  const recorder = new IntervalRecorder(T0);
  const offered = new Array<number>(seconds).fill(0);
  const lags: number[] = [];
  for (let i = 0; i < schedule.total; i += 1) {
    const due = schedule.dueMs(i);
    const at = fire(i, due);
    if (at === null) continue;
    lags.push(at - due);
    recorder.sample('schedule_lag', {}, at - due, T0 + at);
    recorder.sample('iterations_started', {}, 1, T0 + at);
    offered[Math.floor(at / 1000)]! += 1;
  }
  const whole = merge([recorder]).whole;
  const timeseries = emptyTimeSeries(seconds, { targetRate: new Array<number>(seconds).fill(rate), offered, started: [...offered] });
  return { schedule, whole, timeseries, lags, fired: lags.length };
}

function judge(run: Run, options: { maxLagP99Ms?: number; ranForMs?: number } = {}) {
  const { schedule } = run;
  return judgeValidity({
    whole: run.whole,
    timeseries: run.timeseries,
    targetArrivals: schedule.total,
    durationMs: schedule.durationMs,
    targetBetween: (a, b) => schedule.arrivalsBetween(a, b),
    minRateRatio: 0.97,
    maxLagP99Ms: options.maxLagP99Ms ?? 50,
    ranForMs: options.ranForMs ?? schedule.durationMs,
  });
}

describe('validity: a run that cannot keep up is invalid', () => {
  test('a generator on schedule (lag of a few ms) makes a valid run', () => {
    const jitter = seededRandom(5);
    const run = simulate(100, 30, (_i, due) => due + jitter() * 3);
    const v = judge(run);
    assert.equal(v.valid, true, v.reasons.join('; '));
    assert.deepEqual(v.reasons, []);
    assert.equal(v.targetRate, 100);
    assert.equal(v.offeredRate, 100);
    assert.deepEqual(
      v.windows.map((w) => [w.startS, w.endS, w.target]),
      [
        [5, 15, 1000],
        [15, 25, 1000],
      ],
    );
    // Offered per window, counted here from the firing times.
    for (const w of v.windows) assert.ok(Math.abs(w.offered - 1000) <= 1, `window ${w.startS}–${w.endS}: ${w.offered}`);
    assert.ok(v.lagMs.p99 <= 3.01, `lag p99 ${v.lagMs.p99}`);
  });

  test('offered arrivals 5 % short in one 10 s window: invalid, naming the window and both rates', () => {
    // Every 20th arrival due in 15–25 s never fires; the run as a whole is still within 97 %.
    const run = simulate(100, 30, (i, due) => (due >= 15_000 && due < 25_000 && i % 20 === 0 ? null : due));
    assert.equal(run.fired, 2950);
    const v = judge(run);
    assert.equal(v.valid, false);
    assert.equal(v.reasons.length, 1, v.reasons.join('; '));
    assert.match(v.reasons[0]!, /generator fell behind in 15–25 s: 95 of 100 arrivals\/s/);
    assert.deepEqual(
      v.windows.map((w) => w.offered),
      [1000, 950],
    );
  });

  test('the 97 % line: 97 of 100 in a window is valid, 96 is not', () => {
    const dip = (missingPerHundred: number) => simulate(100, 30, (i, due) => (due >= 5000 && due < 15_000 && i % 100 < missingPerHundred ? null : due));
    const at97 = judge(dip(3));
    assert.equal(at97.valid, true, at97.reasons.join('; '));
    const at96 = judge(dip(4));
    assert.equal(at96.valid, false);
    assert.match(at96.reasons.join('\n'), /5–15 s: 96 of 100 arrivals\/s/);
  });

  test('a generator that can only fire 92/s of 100/s: invalid over the run, with the rates and the lag', () => {
    // It fires as fast as it can, each arrival no earlier than due, and stops at the end of the run.
    const run = simulate(100, 20, (i, due) => {
      const at = Math.max(due, (i * 1000) / 92);
      return at < 20_000 ? at : null;
    });
    const v = judge(run);
    assert.equal(v.valid, false);
    const exactLagP99 = nearestRank(run.lags, 99);
    assert.ok(Math.abs(v.lagMs.p99 - exactLagP99) <= exactLagP99 / 1000 + 0.002, `lag p99 ${v.lagMs.p99}, exact ${exactLagP99}`);
    const overRun = v.reasons.find((r) => r.includes('over the run'));
    assert.ok(overRun, v.reasons.join('; '));
    assert.match(overRun, /^generator fell behind: 92 of 100 arrivals\/s over the run, lag p99 [\d,]+ ms$/);
    assert.ok(overRun.includes(`lag p99 ${Math.round(v.lagMs.p99).toLocaleString('en-US')} ms`), overRun);
    assert.ok(v.reasons.some((r) => /^schedule lag p99 [\d,]+ ms exceeds 50 ms$/.test(r)), v.reasons.join('; '));
    assert.equal(v.offeredRate, run.fired / 20);
    assert.equal(v.targetRate, 100);
  });

  test('every arrival fired but 5 % of them 240 ms late: invalid on the lag p99 alone', () => {
    const run = simulate(100, 30, (i, due) => (i % 20 === 7 ? due + 240 : due + 1));
    const v = judge(run);
    assert.equal(v.valid, false);
    assert.deepEqual(v.reasons, ['schedule lag p99 240 ms exceeds 50 ms']);
    assertWithinPrecision(v.lagMs.p99, 240, 'lag p99');
    assertWithinPrecision(v.lagMs.max, 240, 'lag max');
    // The same run under a looser bound is valid.
    const loose = judge(simulate(100, 30, (i, due) => (i % 20 === 7 ? due + 240 : due + 1)), { maxLagP99Ms: 300 });
    assert.equal(loose.valid, true, loose.reasons.join('; '));
  });

  test(
    'a 10 s stretch at 94 % is invalid even when it straddles two of the judged windows',
    () => {
      // 6 of every 100 arrivals due in 10–20 s never fire: 5–15 and 15–25 each lose only 30.
      const run = simulate(100, 30, (i, due) => (due >= 10_000 && due < 20_000 && i % 100 < 6 ? null : due));
      const v = judge(run);
      assert.equal(v.valid, false, `judged windows: ${JSON.stringify(v.windows)}`);
    },
  );

  test('an interrupted run is judged on the part that ran', () => {
    // Stopped after 12 s: only arrivals due before then fired.
    const run = simulate(50, 30, (_i, due) => (due < 12_000 ? due : null));
    const v = judge(run, { ranForMs: 12_000 });
    assert.equal(v.valid, true, v.reasons.join('; '));
    assert.equal(v.targetRate, 50);
    assert.equal(v.offeredRate, 50);
    assert.equal(judge(run).valid, false, 'judged against the whole schedule it fell short');
  });
});

describe('token ledger: no token issued twice', () => {
  const t = (digest: string, user: string, second: number) => ({ digest, user, second });

  test('the same token for the same user within one second is allowed', () => {
    const ledger = new TokenLedger();
    assert.equal(ledger.note(t('a', 'u1', 100)), true);
    assert.equal(ledger.note(t('a', 'u1', 100)), true);
    assert.equal(ledger.note(t('a', 'u1', 101)), true);
    assert.equal(ledger.duplicates, 0);
    assert.equal(ledger.tracked, 1);
  });

  test('the same token for another user is a duplicate, even in the same second', () => {
    const ledger = new TokenLedger();
    ledger.note(t('a', 'u1', 100));
    assert.equal(ledger.note(t('a', 'u2', 100)), false);
    assert.equal(ledger.duplicates, 1);
  });

  test('the same token for the same user two or more seconds apart is a duplicate', () => {
    for (const gap of [2, 3, 60]) {
      const ledger = new TokenLedger();
      ledger.note(t('a', 'u1', 100));
      assert.equal(ledger.note(t('a', 'u1', 100 + gap)), false, `${gap} s later`);
      assert.equal(ledger.note(t('a', 'u1', 100 - gap)), false, `${gap} s earlier`);
      assert.equal(ledger.duplicates, 2);
    }
  });

  test('distinct tokens are never duplicates', () => {
    const ledger = new TokenLedger();
    for (let i = 0; i < 500; i += 1) assert.equal(ledger.note(t(`d${i}`, `u${i % 7}`, 100 + (i % 5))), true);
    assert.equal(ledger.duplicates, 0);
    assert.equal(ledger.tracked, 500);
  });

  test('bounded at its limit: it stops tracking, and still catches repeats of what it tracks', () => {
    const ledger = new TokenLedger(3);
    assert.equal(ledger.limit, 3);
    for (const d of ['a', 'b', 'c', 'd', 'e']) ledger.note(t(d, 'u1', 100));
    assert.equal(ledger.tracked, 3);
    assert.equal(ledger.note(t('a', 'u2', 100)), false, 'a tracked token repeated for another user');
    assert.equal(ledger.duplicates, 1);
    ledger.note(t('f', 'u1', 100));
    assert.equal(ledger.tracked, 3, 'no growth past the limit');
  });

  test('tokens from two threads meet in the ledger: a repeat across threads is a failed check', () => {
    const a = new IntervalRecorder(T0);
    const b = new IntervalRecorder(T0);
    const start = 1_700_000_000_000;
    for (let i = 0; i < 10; i += 1) a.token(t(`tok-${i}`, `user-${i}`, 1_700_000_000 + i));
    b.token(t('tok-3', 'user-9', 1_700_000_003));
    b.token(t('tok-4', 'user-4', 1_700_000_004));
    b.token(t('tok-5', 'user-5', 1_700_000_009));
    const ledger = new TokenLedger();
    const fold = new RunFold([], false);
    for (const r of [a, b]) for (const entry of ledger.judge(r.close().notes.tokens, start)) fold.add(entry);
    assert.equal(ledger.duplicates, 2);
    assert.deepEqual(fold.whole.rate('checks', { check: CHECK.tokenUnique }), { passes: 11, fails: 2 });
    fold.destroy();
  });
});
