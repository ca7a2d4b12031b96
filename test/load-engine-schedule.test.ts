/**
 * The load engine's schedule arithmetic (load/engine/executors.ts, duration.ts, segment.ts):
 * when each arrival is due, how many arrivals fall in a stretch of time, and how segments
 * and worker threads split the arrivals between them. Expectations are computed here by
 * brute force or from the rate curve directly, never by calling the function under test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration } from '../load/engine/duration.ts';
import { buildSchedule, peakRate, type Schedule } from '../load/engine/executors.ts';
import { countOwned } from '../load/engine/segment.ts';
import { formatSegment, owns, parseSegment, share, subSegment, WHOLE, type Segment } from '../load/engine/segment.ts';
import type { ExecutorConfig } from '../load/engine/summary-types.ts';
import { configErrorOf, seededRandom } from './fixtures/seeded.ts';

/** How many of the sorted `values` are below `x` (binary search). */
function countBelow(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dueTimes(schedule: Schedule): number[] {
  return Array.from({ length: schedule.total }, (_, i) => schedule.dueMs(i));
}

describe('parseDuration and formatDuration (k6 duration strings)', () => {
  const valid: [string, number][] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0.25m', 15_000],
    ['1s500ms', 1500],
    ['30', 30_000],
    ['2.5', 2500],
    ['  10s  ', 10_000],
    ['0s', 0],
  ];
  for (const [text, ms] of valid) {
    test(`'${text}' is ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  test('malformed durations are ConfigErrors naming the variable they came from', () => {
    for (const text of ['', 's', '5x', '5 s', '1m 30s', '-1s', '1.s', '.5s', '10sec', 'ten seconds', '5m!']) {
      const error = configErrorOf(() => parseDuration(text, 'LOAD_DURATION'));
      assert.equal(error.variable, 'LOAD_DURATION', text);
      assert.ok(error.message.includes(`'${text}'`), `the message quotes the input: ${error.message}`);
    }
    assert.equal(configErrorOf(() => parseDuration('nope')).variable, 'duration');
  });

  test('formatDuration: whole seconds, hours and minutes only when present', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [400, '0s'],
      [1000, '1s'],
      [59_400, '59s'],
      [60_000, '1m'],
      [90_000, '1m30s'],
      [3_600_000, '1h'],
      [3_601_000, '1h1s'],
      [3_661_000, '1h1m1s'],
      [5_400_000, '1h30m'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });

  test('formatDuration output parses back to the same whole seconds', () => {
    for (const ms of [1000, 59_000, 61_000, 3_599_000, 3_600_000, 7_322_000]) assert.equal(parseDuration(formatDuration(ms)), ms);
  });
});

describe('constant-arrival-rate', () => {
  const cases: { rate: number; timeUnit: string; duration: string; perSecond: number; durationMs: number }[] = [
    { rate: 5, timeUnit: '1s', duration: '10s', perSecond: 5, durationMs: 10_000 },
    { rate: 7, timeUnit: '1s', duration: '3s', perSecond: 7, durationMs: 3000 },
    { rate: 3, timeUnit: '1s', duration: '1500ms', perSecond: 3, durationMs: 1500 },
    { rate: 120, timeUnit: '1m', duration: '30s', perSecond: 2, durationMs: 30_000 },
    { rate: 1, timeUnit: '500ms', duration: '2s', perSecond: 2, durationMs: 2000 },
    { rate: 0.5, timeUnit: '1s', duration: '9s', perSecond: 0.5, durationMs: 9000 },
    { rate: 333, timeUnit: '1s', duration: '7s', perSecond: 333, durationMs: 7000 },
  ];
  for (const c of cases) {
    test(`${c.rate} per ${c.timeUnit} for ${c.duration}: arrival i is due at i / rate`, () => {
      const schedule = buildSchedule({ executor: 'constant-arrival-rate', rate: c.rate, timeUnit: c.timeUnit, duration: c.duration, maxVUs: 10 });
      assert.equal(schedule.durationMs, c.durationMs);
      // Brute force: every i whose due time i / rate lies inside the run.
      let expectedTotal = 0;
      while ((expectedTotal * 1000) / c.perSecond < c.durationMs) expectedTotal += 1;
      assert.equal(schedule.total, expectedTotal);
      for (let i = 0; i < schedule.total; i += 1) {
        const expected = (i * 1000) / c.perSecond;
        assert.ok(Math.abs(schedule.dueMs(i) - expected) < 1e-6, `arrival ${i}: ${schedule.dueMs(i)} ms, expected ${expected} ms`);
      }
      assert.equal(schedule.rateAt(0), c.perSecond);
      assert.equal(schedule.rateAt(c.durationMs / 2), c.perSecond);
      assert.ok(Math.abs(schedule.arrivalsBetween(0, c.durationMs) - (c.perSecond * c.durationMs) / 1000) < 1e-9);
      assert.ok(Math.abs(schedule.arrivalsBetween(c.durationMs / 4, c.durationMs / 2) - (c.perSecond * c.durationMs) / 4000) < 1e-9);
      assert.equal(peakRate(schedule), c.perSecond);
    });
  }

  test('a rate of zero schedules no arrival', () => {
    const schedule = buildSchedule({ executor: 'constant-arrival-rate', rate: 0, timeUnit: '1s', duration: '5s', maxVUs: 1 });
    // `===` on purpose: the engine computes Math.ceil(0 - 1e-9), which is -0.
    assert.ok(schedule.total === 0, `total ${schedule.total}`);
    assert.ok(schedule.arrivalsBetween(0, 5000) === 0);
  });
});

describe('ramping-arrival-rate', () => {
  interface Case {
    name: string;
    config: ExecutorConfig;
  }
  const ramp = (startRate: number, stages: { target: number; duration: string }[], timeUnit = '1s'): ExecutorConfig => ({
    executor: 'ramping-arrival-rate',
    startRate,
    timeUnit,
    stages,
    maxVUs: 100,
  });
  const cases: Case[] = [
    { name: 'a ramp from 0 to 50/s over 10 s', config: ramp(0, [{ target: 50, duration: '10s' }]) },
    { name: 'a ramp down from 40/s to 0 over 4 s', config: ramp(40, [{ target: 0, duration: '4s' }]) },
    {
      name: 'the stress steps (ramps and plateaus)',
      config: ramp(
        0,
        [10, 20, 40, 60, 80, 120].flatMap((target) => [
          { target, duration: '2s' },
          { target, duration: '10s' },
        ]),
      ),
    },
    {
      name: 'the spike shape',
      config: ramp(5, [
        { target: 5, duration: '10s' },
        { target: 60, duration: '2s' },
        { target: 60, duration: '10s' },
        { target: 5, duration: '2s' },
        { target: 5, duration: '10s' },
      ]),
    },
    {
      name: 'down to zero, a silent stage, and up again',
      config: ramp(20, [
        { target: 0, duration: '3s' },
        { target: 0, duration: '4s' },
        { target: 30, duration: '2s' },
        { target: 30, duration: '1s' },
      ]),
    },
    { name: 'a silent start before the ramp', config: ramp(0, [{ target: 0, duration: '5s' }, { target: 12, duration: '3s' }]) },
    {
      name: 'fractional rates per minute and odd stage lengths',
      config: ramp(
        90,
        [
          { target: 700, duration: '1730ms' },
          { target: 130, duration: '2.2s' },
          { target: 1111, duration: '3s' },
        ],
        '1m',
      ),
    },
    { name: 'a step made by a zero-length stage', config: ramp(10, [{ target: 10, duration: '2s' }, { target: 40, duration: '0s' }, { target: 40, duration: '2s' }]) },
  ];

  /** The rate curve, rebuilt here from the config: piecewise linear, per second. */
  function curve(config: ExecutorConfig): { start: number; end: number; from: number; to: number }[] {
    const unit = parseDuration(config.timeUnit);
    const perSecond = (r: number) => (r * 1000) / unit;
    let from = perSecond(config.startRate ?? 0);
    let t = 0;
    return (config.stages ?? []).map((s) => {
      const ms = parseDuration(s.duration);
      const piece = { start: t, end: t + ms, from, to: perSecond(s.target) };
      from = piece.to;
      t += ms;
      return piece;
    });
  }

  /** The integral of the rate from 0 to `tMs` by the trapezoid rule (exact for linear pieces). */
  function integral(pieces: ReturnType<typeof curve>, tMs: number): number {
    let sum = 0;
    for (const p of pieces) {
      if (tMs <= p.start) break;
      const until = Math.min(tMs, p.end);
      const len = p.end - p.start;
      const rateAtUntil = len === 0 ? p.to : p.from + ((p.to - p.from) * (until - p.start)) / len;
      sum += ((p.from + rateAtUntil) / 2) * ((until - p.start) / 1000);
    }
    return sum;
  }

  for (const c of cases) {
    test(`${c.name}: due times rise, stay inside the run and follow the integral of the rate`, () => {
      const schedule = buildSchedule(c.config);
      const pieces = curve(c.config);
      const durationMs = pieces.at(-1)!.end;
      assert.equal(schedule.durationMs, durationMs);
      const exactTotal = integral(pieces, durationMs);
      assert.equal(schedule.total, Math.ceil(exactTotal - 1e-9), `total arrivals for an integral of ${exactTotal}`);

      const due = dueTimes(schedule);
      for (let i = 1; i < due.length; i += 1) assert.ok(due[i]! >= due[i - 1]!, `arrival ${i} is due at ${due[i]} ms, before arrival ${i - 1} at ${due[i - 1]} ms`);
      for (const [i, d] of due.entries()) assert.ok(Number.isFinite(d) && d >= 0 && d < durationMs, `arrival ${i} due at ${d} ms, outside [0, ${durationMs})`);

      // Arrival i is due where the integral reaches i: before a time t there are ceil(integral(t)) of them.
      const random = seededRandom(c.name.length * 7919);
      const points = [0, durationMs, ...pieces.flatMap((p) => [p.start, p.end]), ...Array.from({ length: 40 }, () => random() * durationMs)].sort((a, b) => a - b);
      for (const t of points) {
        const expected = Math.min(schedule.total, Math.ceil(integral(pieces, t) - 1e-6));
        const actual = countBelow(due, t);
        assert.ok(Math.abs(actual - expected) <= 1, `before ${t.toFixed(3)} ms: ${actual} arrivals due, the rate integrates to ${integral(pieces, t)}`);
      }

      // The count due in [a, b) matches arrivalsBetween(a, b) within one arrival.
      for (let x = 0; x < points.length; x += 3) {
        for (let y = x + 1; y < points.length; y += 2) {
          const a = points[x]!;
          const b = points[y]!;
          const count = countBelow(due, b) - countBelow(due, a);
          const between = schedule.arrivalsBetween(a, b);
          assert.ok(Math.abs(count - between) <= 1 + 1e-9, `[${a}, ${b}): ${count} due, arrivalsBetween says ${between}`);
          assert.ok(Math.abs(between - (integral(pieces, b) - integral(pieces, a))) < 1e-6, `arrivalsBetween(${a}, ${b}) = ${between}`);
        }
      }

      // Each stage holds the arrivals of its trapezoid, within one.
      for (const p of pieces) {
        const inStage = countBelow(due, p.end) - countBelow(due, p.start);
        const area = ((p.from + p.to) / 2) * ((p.end - p.start) / 1000);
        assert.ok(Math.abs(inStage - area) <= 1, `stage ${p.start}–${p.end} ms: ${inStage} arrivals, area ${area}`);
        if (p.from === 0 && p.to === 0) assert.equal(due.filter((d) => d > p.start && d < p.end).length, 0, 'no arrival inside a silent stage');
      }

      // rateAt follows the curve.
      for (const t of points.filter((t) => t < durationMs)) {
        const p = pieces.find((piece) => t < piece.end)!;
        const len = p.end - p.start;
        const expected = len === 0 ? p.to : p.from + ((p.to - p.from) * (t - p.start)) / len;
        assert.ok(Math.abs(schedule.rateAt(t) - expected) < 1e-9, `rate at ${t} ms: ${schedule.rateAt(t)}, expected ${expected}`);
      }
      assert.equal(peakRate(schedule), Math.max(...pieces.flatMap((p) => [p.from, p.to])));
    });
  }

  test('stages are laid end to end with the arrivals before each', () => {
    const schedule = buildSchedule(ramp(0, [{ target: 10, duration: '2s' }, { target: 10, duration: '3s' }, { target: 0, duration: '1s' }]));
    assert.deepEqual(
      schedule.stages.map((s) => [s.startMs, s.endMs, s.fromRate, s.toRate, s.arrivalsBefore]),
      [
        [0, 2000, 0, 10, 0],
        [2000, 5000, 10, 10, 10],
        [5000, 6000, 10, 0, 40],
      ],
    );
    assert.equal(schedule.total, 45);
    assert.deepEqual(
      schedule.stages.map((s) => s.label),
      ['0→10/s', '10/s', '10→0/s'],
    );
  });
});

describe('executor configuration errors', () => {
  const cases: [string, ExecutorConfig, string][] = [
    ['an unknown executor', { executor: 'per-vu-iterations' as ExecutorConfig['executor'], timeUnit: '1s', maxVUs: 1 }, 'executor'],
    ['constant-arrival-rate without a rate', { executor: 'constant-arrival-rate', timeUnit: '1s', duration: '5s', maxVUs: 1 }, 'executor'],
    ['constant-arrival-rate without a duration', { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', maxVUs: 1 }, 'executor'],
    ['a negative rate', { executor: 'constant-arrival-rate', rate: -1, timeUnit: '1s', duration: '5s', maxVUs: 1 }, 'rate'],
    ['a rate that is not a number', { executor: 'constant-arrival-rate', rate: Number.NaN, timeUnit: '1s', duration: '5s', maxVUs: 1 }, 'rate'],
    ['a timeUnit of zero', { executor: 'constant-arrival-rate', rate: 5, timeUnit: '0s', duration: '5s', maxVUs: 1 }, 'timeUnit'],
    ['a malformed timeUnit', { executor: 'constant-arrival-rate', rate: 5, timeUnit: 'second', duration: '5s', maxVUs: 1 }, 'timeUnit'],
    ['a duration of zero', { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '0s', maxVUs: 1 }, 'duration'],
    ['ramping without stages', { executor: 'ramping-arrival-rate', timeUnit: '1s', stages: [], maxVUs: 1 }, 'stages'],
    ['a negative stage target', { executor: 'ramping-arrival-rate', timeUnit: '1s', stages: [{ target: 5, duration: '1s' }, { target: -2, duration: '1s' }], maxVUs: 1 }, 'stages[1].target'],
    ['a malformed stage duration', { executor: 'ramping-arrival-rate', timeUnit: '1s', stages: [{ target: 5, duration: '1 minute' }], maxVUs: 1 }, 'stages[0].duration'],
    ['a negative startRate', { executor: 'ramping-arrival-rate', startRate: -5, timeUnit: '1s', stages: [{ target: 5, duration: '1s' }], maxVUs: 1 }, 'startRate'],
  ];
  for (const [name, config, variable] of cases) {
    test(`${name} is a ConfigError naming ${variable}`, () => {
      assert.equal(configErrorOf(() => buildSchedule(config)).variable, variable);
    });
  }
});

describe('segments', () => {
  test('parseSegment reads k/n with k counted from 0', () => {
    assert.deepEqual(parseSegment('0/1'), { index: 0, count: 1 });
    assert.deepEqual(parseSegment('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseSegment(' 3/8 '), { index: 3, count: 8 });
    assert.deepEqual(parseSegment('9999/10000'), { index: 9999, count: 10_000 });
    assert.equal(formatSegment(parseSegment('5/7')), '5/7');
    assert.equal(formatSegment(WHOLE), '0/1');
  });

  test('parseSegment refuses k ≥ n, n of zero or above 10000, and anything but k/n', () => {
    for (const text of ['4/4', '5/4', '0/0', '0/10001', '1-2', '-1/2', 'a/b', '1/2/3', '', '1 / 2', '1/2x']) {
      assert.equal(configErrorOf(() => parseSegment(text, 'LOAD_SEGMENT')).variable, 'LOAD_SEGMENT', text);
    }
    assert.equal(configErrorOf(() => parseSegment('3/3')).variable, '--segment');
  });

  test('share keeps the items whose index j has j mod n == k', () => {
    const list = Array.from({ length: 11 }, (_, j) => `item-${j}`);
    assert.deepEqual(share(list, { index: 1, count: 3 }), ['item-1', 'item-4', 'item-7', 'item-10']);
    assert.deepEqual(share(list, WHOLE), list);
    assert.deepEqual(share(list, { index: 11, count: 12 }), []);
  });

  // n segments (machines or processes), W worker threads each, `total` arrivals.
  const splits: [number, number, number][] = [
    [1, 1, 17],
    [1, 4, 37],
    [3, 1, 100],
    [3, 2, 101],
    [4, 3, 1000],
    [5, 7, 34],
    [2, 8, 5],
    [7, 3, 2000],
  ];
  for (const [n, W, total] of splits) {
    test(`${n} segments × ${W} workers over ${total} arrivals: every arrival is owned exactly once`, () => {
      const owners = new Array<number>(total).fill(0);
      const enumerated = new Array<number>(total).fill(0);
      for (let k = 0; k < n; k += 1) {
        const segment: Segment = { index: k, count: n };
        for (let w = 0; w < W; w += 1) {
          const sub = subSegment(segment, w, W);
          for (let i = 0; i < total; i += 1) {
            const mine = owns(sub, i);
            // The documented meaning: i mod n == k, and floor(i / n) mod W == w.
            assert.equal(mine, i % n === k && Math.floor(i / n) % W === w, `arrival ${i}, segment ${k}/${n}, worker ${w}/${W}`);
            if (mine) owners[i]! += 1;
          }
          // The generator walks its arrivals as index, index + count, …: the same set.
          for (let i = sub.index; i < total; i += sub.count) enumerated[i]! += 1;
          assert.equal(countOwned(total, sub.index, sub.count), Array.from({ length: total }, (_, i) => i).filter((i) => owns(sub, i)).length);
        }
        // The workers of a segment together own exactly the segment's arrivals.
        for (let i = 0; i < total; i += 1) {
          const byWorkers = Array.from({ length: W }, (_, w) => owns(subSegment(segment, w, W), i)).filter(Boolean).length;
          assert.equal(byWorkers, owns(segment, i) ? 1 : 0, `arrival ${i} in segment ${k}/${n}`);
        }
      }
      assert.deepEqual(owners, new Array<number>(total).fill(1));
      assert.deepEqual(enumerated, new Array<number>(total).fill(1));
    });
  }

  test('countOwned counts the indices below total with i mod n == k', () => {
    for (const total of [0, 1, 2, 9, 10, 11, 100]) {
      for (const count of [1, 3, 10, 12]) {
        for (let index = 0; index < count; index += 1) {
          let brute = 0;
          for (let i = 0; i < total; i += 1) if (i % count === index) brute += 1;
          assert.equal(countOwned(total, index, count), brute, `${total} arrivals, segment ${index}/${count}`);
        }
      }
    }
  });

  test('segment due times are the whole schedule’s: the union of segment schedules is the schedule', () => {
    const schedule = buildSchedule({ executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ target: 30, duration: '3s' }, { target: 30, duration: '2s' }], maxVUs: 10 });
    const merged: number[] = [];
    for (let k = 0; k < 3; k += 1) {
      for (let w = 0; w < 2; w += 1) {
        const sub = subSegment({ index: k, count: 3 }, w, 2);
        for (let i = sub.index; i < schedule.total; i += sub.count) merged.push(schedule.dueMs(i));
      }
    }
    merged.sort((a, b) => a - b);
    assert.deepEqual(merged, dueTimes(schedule));
  });
});
