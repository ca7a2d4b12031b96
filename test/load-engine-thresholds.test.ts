/**
 * Thresholds in k6's syntax (load/engine/thresholds.ts): parsed before anything is sent,
 * evaluated on series folded the way a run folds them: samples into an IntervalRecorder in
 * each generator thread, closed into interval entries, folded (fold.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunFold } from '../load/engine/fold.ts';
import { IntervalRecorder } from '../load/engine/interval-recorder.ts';
import type { SeriesSet } from '../load/engine/series.ts';
import { evaluateThresholds, parseThresholdOverride, parseThresholds, type ThresholdMap } from '../load/engine/thresholds.ts';
import { configErrorOf } from './fixtures/seeded.ts';

const T0 = 1_700_000_000_000;

/** Records into one or more recorders (threads), then folds every closed interval. */
function stateFrom(...fill: ((recorder: IntervalRecorder) => void)[]): SeriesSet & { destroy(): void } {
  const fold = new RunFold([], false);
  for (const f of fill) {
    const recorder = new IntervalRecorder(T0);
    f(recorder);
    for (const entry of recorder.close().entries) fold.add(entry);
  }
  return fold.whole;
}

/** The samples a request emits, as the client emits them. */
function request(r: IntervalRecorder, endpoint: string, durationMs: number, at: number, extra: { status?: number; failed?: boolean; contractFailure?: boolean } = {}): void {
  r.sample('http_reqs', { endpoint, status: String(extra.status ?? 200) }, 1, at);
  r.sample('http_req_failed', { endpoint }, extra.failed ? 1 : 0, at);
  r.sample('http_req_duration', { endpoint }, durationMs, at);
  r.sample('http_req_duration_corrected', { endpoint }, durationMs, at);
  if (extra.contractFailure) r.sample('contract_failures', { endpoint }, 1, at);
}

const check = (r: IntervalRecorder, name: string, ok: boolean, at: number) => r.sample('checks', { check: name }, ok ? 1 : 0, at);

/** An arrival as the generator records it: its lag, started or dropped. */
function arrival(r: IntervalRecorder, due: number, fired: number, started: boolean): void {
  r.sample('schedule_lag', {}, fired - due, fired);
  r.sample(started ? 'iterations_started' : 'dropped_iterations', {}, 1, fired);
}

function iterationEnded(r: IntervalRecorder, start: number, end: number): void {
  r.sample('iterations', {}, 1, end);
  r.sample('iteration_duration', {}, end - start, end);
}

/** Nearest-rank percentile, the definition HdrHistogram uses. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function results(map: ThresholdMap, state: SeriesSet, seconds: number) {
  return evaluateThresholds(parseThresholds(map), state, seconds);
}

describe('parseThresholds', () => {
  test('reads the metric, its tags, the aggregation, the operator and the number', () => {
    const parsed = parseThresholds({
      'http_req_duration{endpoint:sign-in}': ['p(95) < 400', 'p(99.9)<=1500'],
      http_req_failed: ['rate<0.01'],
      checks: [{ threshold: 'rate==1', abortOnFail: true, delayAbortEval: '10s' }],
      'checks{check:refresh: a spent refresh token is refused}': ['rate===1'],
      ' http_reqs{ endpoint : chat } ': ['count>=-1e3'],
      dropped_iterations: ['count!=3'],
      schedule_lag: ['max>2.5'],
    });
    assert.deepEqual(
      parsed.map((t) => [t.key, t.metric, t.tags, t.expression, t.aggregation, t.operator, t.value, t.abortOnFail, t.delayAbortEvalMs]),
      [
        ['http_req_duration{endpoint:sign-in}', 'http_req_duration', { endpoint: 'sign-in' }, 'p(95)<400', 'p(95)', '<', 400, false, 0],
        ['http_req_duration{endpoint:sign-in}', 'http_req_duration', { endpoint: 'sign-in' }, 'p(99.9)<=1500', 'p(99.9)', '<=', 1500, false, 0],
        ['http_req_failed', 'http_req_failed', {}, 'rate<0.01', 'rate', '<', 0.01, false, 0],
        ['checks', 'checks', {}, 'rate==1', 'rate', '==', 1, true, 10_000],
        ['checks{check:refresh: a spent refresh token is refused}', 'checks', { check: 'refresh: a spent refresh token is refused' }, 'rate===1', 'rate', '===', 1, false, 0],
        ['http_reqs{ endpoint : chat }', 'http_reqs', { endpoint: 'chat' }, 'count>=-1e3', 'count', '>=', -1000, false, 0],
        ['dropped_iterations', 'dropped_iterations', {}, 'count!=3', 'count', '!=', 3, false, 0],
        ['schedule_lag', 'schedule_lag', {}, 'max>2.5', 'max', '>', 2.5, false, 0],
      ],
    );
  });

  const refused: [string, ThresholdMap, RegExp][] = [
    ['an unknown metric', { http_req_latency: ['p(95)<1'] }, /unknown metric 'http_req_latency'/],
    ['a metric name that is not one', { 'Http Reqs': ['count>1'] }, /'Http Reqs' is not a metric name/],
    ['a tag the metric cannot be narrowed by', { 'http_req_duration{check:x}': ['p(95)<1'] }, /cannot be narrowed by 'check'/],
    ['a tag on a metric without tags', { 'iterations{endpoint:chat}': ['count>1'] }, /it has no tags/],
    ['a tag without a value', { 'http_req_duration{endpoint}': ['p(95)<1'] }, /expected tag:value/],
    ['a percentile on a rate', { http_req_failed: ['p(95)<1'] }, /p\(95\) does not apply to a rate metric/],
    ['a rate on a trend', { http_req_duration: ['rate<1'] }, /rate does not apply to a trend metric/],
    ['a count on a rate', { checks: ['count==0'] }, /count does not apply to a rate metric/],
    ['an average on a counter', { http_reqs: ['avg>1'] }, /avg does not apply to a counter metric/],
    ['an unknown aggregation', { http_req_duration: ['mean<1'] }, /mean does not apply to a trend metric/],
    ['a percentile above 100', { http_req_duration: ['p(101)<1'] }, /percentile 101 is outside 0\.\.100/],
    ['a percentile without parentheses', { http_req_duration: ['p95<1'] }, /is not <aggregation><operator><number>/],
    ['an expression without a number', { http_req_duration: ['p(95)<'] }, /is not <aggregation><operator><number>/],
    ['an expression without an aggregation', { http_req_duration: ['<400'] }, /is not <aggregation><operator><number>/],
    ['an unknown operator', { http_req_duration: ['p(95)=>4'] }, /is not <aggregation><operator><number>/],
    ['expressions that are not a list', { http_req_duration: 'p(95)<1' as unknown as string[] }, /expected a list of expressions/],
    ['a malformed delayAbortEval', { checks: [{ threshold: 'rate==1', delayAbortEval: 'soon' }] }, /soon/],
  ];
  for (const [name, map, message] of refused) {
    test(`${name} is a configuration error`, () => {
      const error = configErrorOf(() => parseThresholds(map));
      assert.match(error.message, message);
      assert.equal(error.code, 'CONFIG_INVALID');
    });
  }

  test(
    'a list entry that is neither a string nor {threshold} is a configuration error, not a crash',
    () => {
      for (const entry of [null, 42, { abortOnFail: true }, { threshold: 7 }]) {
        const map = { checks: [entry] } as unknown as ThresholdMap;
        const error = configErrorOf(() => parseThresholds(map));
        assert.match(error.message, /checks/);
      }
    },
  );
});

describe('parseThresholdOverride (LOAD_THRESHOLDS)', () => {
  test('unset or blank is no override', () => {
    assert.equal(parseThresholdOverride(undefined), undefined);
    assert.equal(parseThresholdOverride('  '), undefined);
  });

  test('a JSON object is the override', () => {
    assert.deepEqual(parseThresholdOverride('{"http_req_duration{endpoint:sign-in}":["p(95)<400"]}'), { 'http_req_duration{endpoint:sign-in}': ['p(95)<400'] });
  });

  test('anything but a JSON object is a ConfigError naming LOAD_THRESHOLDS', () => {
    for (const json of ['{', "{'checks':['rate==1']}", '[]', '"checks"', '42', 'null']) {
      assert.equal(configErrorOf(() => parseThresholdOverride(json)).variable, 'LOAD_THRESHOLDS', json);
    }
  });
});

describe('evaluateThresholds on recorded intervals', () => {
  // Sign-ins of 1..100 ms, two of them failed; chats of 5 ms, one breaking the contract;
  // recorded by two threads over three seconds.
  const signIns = Array.from({ length: 100 }, (_, i) => i + 1);
  const chats = Array.from({ length: 50 }, () => 5);
  const state = stateFrom(
    (r) => {
      signIns.forEach((ms, i) => {
        if (i % 2 === 0) request(r, 'sign-in', ms, T0 + (i % 3) * 1000 + 10, i === 10 || i === 20 ? { failed: true, status: 500 } : {});
      });
      chats.forEach((ms, i) => request(r, 'chat', ms, T0 + 1500, i === 7 ? { contractFailure: true } : {}));
      check(r, 'chat: response matches the contract', true, T0 + 100);
      check(r, 'chat: response matches the contract', false, T0 + 1100);
      check(r, 'sign-in: expected status', true, T0 + 2100);
      arrival(r, T0, T0 + 3, true);
      arrival(r, T0 + 1000, T0 + 1040, false);
      iterationEnded(r, T0, T0 + 250);
    },
    (r) => {
      signIns.forEach((ms, i) => {
        if (i % 2 === 1) request(r, 'sign-in', ms, T0 + 2000 + i);
      });
      check(r, 'sign-in: expected status', true, T0 + 2200);
      arrival(r, T0 + 2000, T0 + 2001, true);
      iterationEnded(r, T0 + 2000, T0 + 2750);
    },
  );
  const seconds = 10;
  const total = signIns.length + chats.length;

  test('the state holds what both threads recorded', () => {
    assert.equal(state.count('http_reqs'), total);
    assert.equal(state.count('http_reqs', { endpoint: 'sign-in' }), 100);
    assert.equal(state.trend('http_req_duration', { endpoint: 'sign-in' }).histogram.totalCount, 100);
    assert.equal(state.rate('http_req_failed').passes, 2);
    assert.equal(state.count('contract_failures'), 1);
    assert.deepEqual([200, 500].map((status) => state.count('http_reqs', { endpoint: 'sign-in', status: String(status) })), [98, 2]);
    assert.deepEqual([state.count('iterations_started'), state.count('dropped_iterations'), state.count('iterations')], [2, 1, 2]);
  });

  test('a trend percentile is judged on either side of the nearest-rank value', () => {
    const p95 = nearestRank(signIns, 95);
    const above = Math.round(p95 * 1.002 * 1000) / 1000;
    const below = Math.round(p95 * 0.998 * 1000) / 1000;
    const [held, breached] = results({ 'http_req_duration{endpoint:sign-in}': [`p(95)<${above}`, `p(95)<${below}`] }, state, seconds);
    assert.equal(held!.ok, true, `p(95) ${held!.actual} < ${above}`);
    assert.equal(breached!.ok, false, `p(95) ${breached!.actual} is not < ${below}`);
    assert.ok(Math.abs(held!.actual! - p95) <= p95 / 1000 + 0.002, `reported p(95) ${held!.actual}, exact ${p95}`);
  });

  test('untagged trends merge every endpoint; tagged ones see one', () => {
    const all = [...signIns, ...chats];
    const [p50, max, min, chatMax, chatAvg] = results(
      {
        http_req_duration: ['p(50)>0', 'max>0', 'min>0'],
        'http_req_duration{endpoint:chat}': ['max>0', 'avg>0'],
      },
      state,
      seconds,
    );
    const close = (actual: number | null, exact: number) => assert.ok(actual !== null && Math.abs(actual - exact) <= exact / 1000 + 0.002, `${actual} vs ${exact}`);
    close(p50!.actual, nearestRank(all, 50));
    close(max!.actual, Math.max(...all));
    close(min!.actual, Math.min(...all));
    close(chatMax!.actual, 5);
    close(chatAvg!.actual, 5);
  });

  test('http_req_failed is failed / requests, overall and per endpoint', () => {
    const [overallHeld, overallBreached, signInOnly, chatOnly] = results(
      { http_req_failed: ['rate<0.02', 'rate<0.01'], 'http_req_failed{endpoint:sign-in}': ['rate<=0.02'], 'http_req_failed{endpoint:chat}': ['rate==0'] },
      state,
      seconds,
    );
    assert.equal(overallHeld!.actual, Math.round((2 / total) * 10000) / 10000);
    assert.deepEqual([overallHeld!.ok, overallBreached!.ok, signInOnly!.ok, chatOnly!.ok], [true, false, true, true]);
    assert.equal(signInOnly!.actual, 0.02);
  });

  test('counters: count, and rate per second of the elapsed time', () => {
    const [count, rate, rateBreached, contract, dropped, iterations] = results(
      { http_reqs: ['count==150', 'rate>=15', 'rate>15'], contract_failures: ['count==0'], dropped_iterations: ['count==0'], iterations: ['count==2'] },
      state,
      seconds,
    );
    assert.deepEqual([count!.ok, rate!.ok, rateBreached!.ok], [true, true, false]);
    assert.equal(rate!.actual, total / seconds);
    assert.deepEqual([contract!.ok, contract!.actual], [false, 1]);
    assert.deepEqual([dropped!.ok, dropped!.actual], [false, 1]);
    assert.equal(iterations!.ok, true);
  });

  test('every operator compares as written', () => {
    const map: ThresholdMap = { http_reqs: ['count<151', 'count<=150', 'count>149', 'count>=150', 'count==150', 'count===150', 'count!=149', 'count<150', 'count<=149', 'count>150', 'count>=151', 'count==149', 'count!=150'] };
    assert.deepEqual(
      results(map, state, seconds).map((r) => r.ok),
      [true, true, true, true, true, true, true, false, false, false, false, false, false],
    );
  });

  test('checks: the pass rate over all checks or one named check', () => {
    const [all, signIn, contract, unknown] = results(
      { checks: ['rate==1'], 'checks{check:sign-in: expected status}': ['rate==1'], 'checks{check:chat: response matches the contract}': ['rate>=0.5'], 'checks{check:no such check}': ['rate==1'] },
      state,
      seconds,
    );
    assert.deepEqual([all!.ok, all!.actual], [false, 0.75]);
    assert.deepEqual([signIn!.ok, signIn!.actual], [true, 1]);
    assert.deepEqual([contract!.ok, contract!.actual], [true, 0.5]);
    assert.deepEqual([unknown!.ok, unknown!.actual], [false, null], 'a check that never ran has no data and fails');
  });

  test('schedule lag and iteration duration are trends of what was recorded', () => {
    const [lagMax, lagMin, iterationMax] = results({ schedule_lag: ['max<41', 'min<2'], iteration_duration: ['max<760'] }, state, seconds);
    assert.ok(lagMax!.ok && Math.abs(lagMax!.actual! - 40) <= 0.05, `lag max ${lagMax!.actual}`);
    assert.ok(lagMin!.ok && Math.abs(lagMin!.actual! - 1) <= 0.002, `lag min ${lagMin!.actual}`);
    assert.ok(iterationMax!.ok && Math.abs(iterationMax!.actual! - 750) <= 0.75, `iteration max ${iterationMax!.actual}`);
  });

  test('an endpoint that saw no request: trends and rates have no data and fail, counters are zero', () => {
    const [trend, rate, counter] = results(
      { 'http_req_duration{endpoint:refresh}': ['p(95)<100000'], 'http_req_failed{endpoint:refresh}': ['rate<1'], 'http_reqs{endpoint:refresh}': ['count==0'] },
      state,
      seconds,
    );
    assert.deepEqual([trend!.ok, trend!.actual], [false, null]);
    assert.deepEqual([rate!.ok, rate!.actual], [false, null]);
    assert.deepEqual([counter!.ok, counter!.actual], [true, 0]);
  });

  test('an empty state: a run that measured nothing has shown nothing', () => {
    const empty = stateFrom();
    const out = results({ http_req_duration: ['p(95)<1000'], checks: ['rate==1'], http_req_failed: ['rate<0.01'], contract_failures: ['count==0'], http_reqs: ['rate>=0'] }, empty, 0);
    assert.deepEqual(
      out.map((r) => [r.ok, r.actual]),
      [
        [false, null],
        [false, null],
        [false, null],
        [true, 0],
        [true, 0],
      ],
    );
    empty.destroy();
  });

  test('results carry the key as written, the expression without spaces and abortOnFail', () => {
    const [r] = results({ 'http_req_duration{endpoint:chat}': [{ threshold: 'p(99) < 6', abortOnFail: true }] }, state, seconds);
    assert.deepEqual({ ...r!, actual: undefined }, { metric: 'http_req_duration{endpoint:chat}', expression: 'p(99)<6', ok: true, actual: undefined, abortOnFail: true });
  });

  test('the actual value is rounded to four decimals, the comparison is not', () => {
    // 1 failure in 3 requests: 0.33333…; shown as 0.3333, yet not below 0.33334 when compared exactly.
    const small = stateFrom((r) => {
      request(r, 'sign-in', 1, T0, { failed: true });
      request(r, 'sign-in', 1, T0);
      request(r, 'sign-in', 1, T0);
    });
    const [shown, exact] = results({ http_req_failed: ['rate>0.3333', 'rate<0.33333'] }, small, 1);
    assert.equal(shown!.actual, 0.3333);
    assert.equal(shown!.ok, true);
    assert.equal(exact!.ok, false);
    small.destroy();
  });
});

describe('http_reqs narrowed by status', () => {
  test('counts the answers of that status, across endpoints or for one', () => {
    const state = stateFrom((r) => {
      for (let i = 0; i < 10; i += 1) request(r, 'sign-in', 1, T0, { status: i < 7 ? 200 : 429 });
      for (let i = 0; i < 4; i += 1) request(r, 'chat', 1, T0, { status: i < 3 ? 200 : 429 });
    });
    const results = evaluateThresholds(
      parseThresholds({ 'http_reqs{status:429}': ['count==4'], 'http_reqs{endpoint:sign-in,status:200}': ['count==7'], 'http_reqs{status:503}': ['count==0'] }),
      state,
      10,
    );
    assert.deepEqual(results.map((r) => [r.metric, r.actual, r.ok]), [
      ['http_reqs{status:429}', 4, true],
      ['http_reqs{endpoint:sign-in,status:200}', 7, true],
      ['http_reqs{status:503}', 0, true],
    ]);
    state.destroy();
  });

  test('a trend cannot be narrowed by status: a configuration error', () => {
    assert.match(configErrorOf(() => parseThresholds({ 'http_req_duration{status:200}': ['p(95)<100'] })).message, /cannot be narrowed by 'status'/);
  });
});
