// Scale-out in one place. Segments of one run, merged, must be exactly the whole run:
// every arrival once, counts adding up, and every percentile (of the run, of each second,
// of each window) that of every sample, as one process running the whole schedule would
// report it. First on recorded samples (bit for bit), then for real: two segment processes
// and one whole-run process against the same loopback target, then load:merge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startReference, type RunningReference } from '../lib/reference-process.ts';
import { loadConfig, seedLoadAccounts } from '../load/cli/config.ts';
import { planFor } from '../load/cli/run-command.ts';
import { foldLogs } from '../load/engine/fold.ts';
import { IntervalRecorder } from '../load/engine/interval-recorder.ts';
import { LOG_FORMAT_VERSION, type LogLine } from '../load/engine/interval-log.ts';
import type { Segment } from '../load/engine/segment.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { summarize } from '../load/engine/summary.ts';
import smoke from '../load/scenarios/smoke.ts';
import { startLatencyProxy, type LatencyProxy } from './fixtures/latency-proxy.ts';
import { accountsFile, baseEnv, describeRun, readSummary, runLoadCli } from './fixtures/load-cli.ts';
import { seededRandom } from './fixtures/seeded.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-merge-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const T0 = Date.parse('2026-01-05T10:00:00Z');

/** A smoke run's log as the engine writes it, for `segment`, with `fill` recording its samples. */
function recordedLog(segment: Segment | null, fill: (recorder: IntervalRecorder) => void): LogLine[] {
  const config = loadConfig(smoke, {});
  const plan = planFor({ ...config, segment: segment ?? config.segment }, { origin: 'http://127.0.0.1:9', kind: 'external', accounts: seedLoadAccounts() });
  const recorder = new IntervalRecorder(T0);
  fill(recorder);
  return [
    { type: 'run', formatVersion: LOG_FORMAT_VERSION, ...plan.header, startedAt: new Date(T0).toISOString() },
    ...recorder.close().entries,
    { type: 'end', endedAt: new Date(T0 + 10_000).toISOString(), ranForMs: 10_000, interrupted: false, aborted: null, flowErrors: [], tokens: { tracked: 0, limit: 1 }, peakRssBytes: 80_000_000 },
  ];
}

function summaryOf(logs: LogLine[][], mergedFrom?: string[]): LoadSummary {
  const folded = foldLogs(logs);
  try {
    return summarize(folded, { mergedFrom });
  } finally {
    folded.fold.destroy();
  }
}

describe('merging interval logs is exact', () => {
  test('two segments folded together give, second by second, what one process gives', () => {
    // 10 s of sign-ins: segment 0's are fast, segment 1's slow and spread: no percentile of
    // one segment is that of the whole, so only merged histograms give the right answer.
    const random = seededRandom(7);
    const samples = Array.from({ length: 400 }, (_, i) => ({ segment: i % 2, ms: i % 2 ? 50 + random() * 900 : 2 + random() * 20, at: T0 + (i / 400) * 10_000 }));
    const emit = (r: IntervalRecorder, s: (typeof samples)[number]) => {
      r.sample('schedule_lag', {}, 0.5, s.at);
      r.sample('iterations_started', {}, 1, s.at);
      r.sample('http_reqs', { endpoint: 'sign-in', status: '200' }, 1, s.at);
      r.sample('http_req_failed', { endpoint: 'sign-in' }, 0, s.at);
      r.sample('http_req_duration', { endpoint: 'sign-in' }, s.ms, s.at);
      r.sample('http_req_duration_corrected', { endpoint: 'sign-in' }, s.ms + 1, s.at);
    };
    const whole = summaryOf([recordedLog(null, (r) => samples.forEach((s) => emit(r, s)))]);
    const parts = [0, 1].map((k) => recordedLog({ index: k, count: 2 }, (r) => samples.filter((s) => s.segment === k).forEach((s) => emit(r, s))));
    const merged = summaryOf(parts, ['a', 'b']);
    const [w, m] = [whole.puppilot, merged.puppilot];
    for (const series of ['p50', 'p95', 'p99', 'correctedP99'] as const) assert.deepEqual(m.timeseries[series], w.timeseries[series], series);
    assert.deepEqual(m.timeseries.requests, w.timeseries.requests);
    assert.deepEqual(m.timeseries.offered, w.timeseries.offered);
    assert.deepEqual(m.endpoints, w.endpoints);
    assert.deepEqual(m.counts, w.counts);
    assert.deepEqual(m.thresholds, w.thresholds);
    // The segments alone do not have the whole's percentiles: the test above could fail.
    const alone = summaryOf([parts[1]!]).puppilot.timeseries.p50['sign-in']!;
    assert.ok(alone.some((p, s) => p !== w.timeseries.p50['sign-in']![s]), 'a segment alone would have passed for the whole');
  });

  test('a merge that lacks a segment says which, and fails', () => {
    const part = recordedLog({ index: 1, count: 2 }, () => undefined);
    const d = summaryOf([part], ['only-b']).puppilot;
    assert.ok(d.verdict.reasons.includes('segment 0/2 missing from the merge'), d.verdict.reasons.join('; '));
    assert.equal(d.verdict.exitCode, 1);
  });
});

/** Accounts whose index is 1 mod 4 are slow: all in segment 1 of 2, half of its accounts. */
const SLOW_MS = 300;
const slowAccounts = new Set(seedLoadAccounts().filter((_, j) => j % 4 === 1).map((a) => a.email));

describe('two segments of the smoke and the whole smoke, against a target of known latency', () => {
  let reference: RunningReference;
  let proxy: LatencyProxy;
  let env: Record<string, string>;
  const dirs = { a: join(scratch, 'segment-0'), b: join(scratch, 'segment-1'), merged: join(scratch, 'merged'), whole: join(scratch, 'whole') };
  let parts: LoadSummary[] = [];
  let merged: LoadSummary;
  let whole: LoadSummary;

  before(async () => {
    reference = await startReference({ PASSWORD_HASH_COST: '12' });
    proxy = await startLatencyProxy(reference.url, (email) => (slowAccounts.has(email) ? SLOW_MS : 0));
    // Several generators, the reference API and the test share the cores: this test is about
    // the merge, so the lag bound is relaxed (test/load-run.test.ts keeps the default).
    env = {
      ...baseEnv(scratch),
      BASE_URL: proxy.url,
      LOAD_ACCOUNTS_FILE: accountsFile(scratch),
      LOAD_RATE: '10',
      LOAD_DURATION: '5s',
      LOAD_MAX_LAG_P99_MS: '1000',
    };
    // The whole run goes at the same time as the segments: the target is the same for all.
    const runs = await Promise.all([
      runLoadCli(['run', 'smoke', '--segment', '0/2', '--out-dir', dirs.a, '--quiet'], env),
      runLoadCli(['run', 'smoke', '--segment', '1/2', '--out-dir', dirs.b, '--quiet'], env),
      runLoadCli(['run', 'smoke', '--out-dir', dirs.whole, '--quiet'], env),
    ]);
    for (const run of runs) assert.equal(run.status, 0, describeRun(run));
    parts = [readSummary(dirs.a), readSummary(dirs.b)];
    whole = readSummary(dirs.whole);
    const merge = await runLoadCli(['merge', dirs.a, dirs.b, '--out-dir', dirs.merged], env);
    assert.equal(merge.status, 0, describeRun(merge));
    merged = readSummary(dirs.merged);
  });
  after(async () => {
    await proxy.close();
    await reference.stop();
  });

  test('each segment fired its half of the schedule, with its own half of the accounts', () => {
    for (const [k, part] of parts.entries()) {
      assert.deepEqual(part.puppilot.config.segment, { index: k, count: 2 });
      assert.equal(part.puppilot.counts?.offered, 25, `segment ${k}/2: 50 arrivals in all, every second one`);
      assert.equal(part.puppilot.config.accounts, 20, 'the file is read whole; the segment takes its share');
    }
  });

  test('the merge is the whole run: counts equal to the one-process run, nothing twice', () => {
    const d = merged.puppilot;
    assert.equal(d.config.segment, null);
    assert.deepEqual(d.counts, whole.puppilot.counts);
    for (const endpoint of ['sign-in', 'refresh', 'chat']) {
      assert.equal(d.endpoints[endpoint]!.requests, whole.puppilot.endpoints[endpoint]!.requests, endpoint);
      assert.equal(d.endpoints[endpoint]!.requests, parts.reduce((n, p) => n + (p.puppilot.endpoints[endpoint]?.requests ?? 0), 0), endpoint);
    }
    assert.equal(d.invariants.tokensTracked, parts.reduce((n, p) => n + p.puppilot.invariants.tokensTracked, 0));
    assert.deepEqual(d.mergedFrom, [dirs.a, dirs.b]);
  });

  test('per-second sign-in percentiles of the merge are those of the one-process run', () => {
    // A quarter of the sign-ins wait 300 ms at the target: in each second the median is a
    // fast one and the p99 a slow one, for the whole run and for the merge alike. (Segment 1
    // alone, half slow, has slow medians: a merge that combined percentiles would too.)
    const seconds = (s: LoadSummary, p: 'p50' | 'p99') => s.puppilot.timeseries[p]['sign-in']!;
    for (const run of [whole, merged]) {
      const label = run === whole ? 'one process' : 'merged';
      const busy = run.puppilot.timeseries.requests['sign-in']!.map((n, s) => (n >= 8 ? s : -1)).filter((s) => s >= 0);
      assert.ok(busy.length >= 3, `${label}: seconds with 8 or more sign-ins: ${busy.join(', ')}`);
      for (const s of busy) {
        assert.ok(seconds(run, 'p50')[s]! < SLOW_MS, `${label}, second ${s}: p50 ${seconds(run, 'p50')[s]} ms is a slow sign-in`);
        assert.ok(seconds(run, 'p99')[s]! >= SLOW_MS, `${label}, second ${s}: p99 ${seconds(run, 'p99')[s]} ms misses the slow sign-ins`);
      }
    }
    const d = merged.puppilot;
    assert.ok(d.endpoints['sign-in']!.duration['p(99)'] >= SLOW_MS && d.endpoints['sign-in']!.duration.med < SLOW_MS);
    assert.equal(d.thresholds.length, 7);
    assert.equal(d.verdict.status, 'passed', d.verdict.reasons.join('; '));
  });

  test('a segment given twice, a missing folder, a folder of an older version: exit 2, one line', async () => {
    const twice = await runLoadCli(['merge', dirs.a, dirs.a, '--out-dir', join(scratch, 'twice')], env);
    assert.equal(twice.status, 2, describeRun(twice));
    assert.match(twice.stderr.trimEnd(), /^USAGE: segment 0\/2 is given twice$/);
    const missing = await runLoadCli(['merge', join(scratch, 'nowhere')], env);
    assert.equal(missing.status, 2, describeRun(missing));
    assert.match(missing.stderr.trimEnd(), /^USAGE: \S+nowhere holds no intervals\.jsonl; usage: load:merge [^\n]+$/);
    rmSync(join(dirs.whole, 'intervals.jsonl'));
    const older = await runLoadCli(['merge', dirs.whole], env);
    assert.equal(older.status, 2, describeRun(older));
    assert.match(older.stderr.trimEnd(), /^USAGE: \S+whole holds no intervals\.jsonl; it was written by an older version, whose runs cannot be merged exactly$/);
  });
});
