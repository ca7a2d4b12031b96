// Scale-out in one place: two segments of one run as two processes against one reference
// API, then load:merge. Together they must make exactly the whole run: every arrival once,
// counts adding up, histograms merged (not percentiles averaged), thresholds judged once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startReference, type RunningReference } from '../lib/reference-process.ts';
import { addEncoded, newHistogram, percentileMs } from '../load/engine/histogram.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { accountsFile, baseEnv, describeRun, readSummary, runLoadCli } from './fixtures/load-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-merge-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** p99 of an endpoint over several summaries, from their histograms added together. */
function p99Of(summaries: LoadSummary[], endpoint: string): number | null {
  const h = newHistogram();
  for (const s of summaries) addEncoded(h, s.puppilot.endpoints[endpoint]!.histograms.duration);
  const p = percentileMs(h, 99);
  h.destroy();
  return p;
}

describe('two segments of the smoke, merged', () => {
  let reference: RunningReference;
  let env: Record<string, string>;
  const dirs = { a: join(scratch, 'segment-0'), b: join(scratch, 'segment-1'), merged: join(scratch, 'merged') };
  let parts: LoadSummary[] = [];
  let merged: LoadSummary;

  before(async () => {
    reference = await startReference({ PASSWORD_HASH_COST: '12' });
    // Two generators, the reference API and the test share the cores: this test is about the
    // merge's arithmetic, so the lag bound is relaxed (test/load-run.test.ts keeps the default).
    env = {
      ...baseEnv(scratch),
      BASE_URL: reference.url,
      LOAD_ACCOUNTS_FILE: accountsFile(scratch),
      LOAD_RATE: '10',
      LOAD_DURATION: '5s',
      LOAD_MAX_LAG_P99_MS: '1000',
    };
    const runs = await Promise.all([
      runLoadCli(['run', 'smoke', '--segment', '0/2', '--out-dir', dirs.a, '--quiet'], env),
      runLoadCli(['run', 'smoke', '--segment', '1/2', '--out-dir', dirs.b, '--quiet'], env),
    ]);
    for (const run of runs) assert.equal(run.status, 0, describeRun(run));
    parts = [readSummary(dirs.a), readSummary(dirs.b)];
    const merge = await runLoadCli(['merge', dirs.a, dirs.b, '--out-dir', dirs.merged], env);
    assert.equal(merge.status, 0, describeRun(merge));
    merged = readSummary(dirs.merged);
  });
  after(() => reference.stop());

  test('each segment fired its half of the schedule, with its own half of the accounts', () => {
    for (const [k, part] of parts.entries()) {
      assert.deepEqual(part.puppilot.config.segment, { index: k, count: 2 });
      assert.equal(part.puppilot.counts?.offered, 25, `segment ${k}/2: 50 arrivals in all, every second one`);
      assert.equal(part.puppilot.config.accounts, 20, 'the file is read whole; the segment takes its share');
    }
  });

  test('the merge is the whole run: counts add up, nothing twice', () => {
    const d = merged.puppilot;
    assert.equal(d.config.segment, null);
    assert.equal(d.counts?.offered, 50);
    assert.equal(merged.metrics.http_reqs!.values.count, parts.reduce((n, p) => n + (p.metrics.http_reqs?.values.count ?? 0), 0));
    for (const endpoint of ['sign-in', 'refresh', 'chat']) {
      assert.equal(d.endpoints[endpoint]!.requests, parts.reduce((n, p) => n + (p.puppilot.endpoints[endpoint]?.requests ?? 0), 0), endpoint);
    }
    assert.equal(d.invariants.tokensTracked, parts.reduce((n, p) => n + p.puppilot.invariants.tokensTracked, 0));
    assert.deepEqual(d.mergedFrom, [dirs.a, dirs.b]);
  });

  test('percentiles come from the merged histograms, and thresholds are judged once on them', () => {
    const d = merged.puppilot;
    for (const endpoint of ['sign-in', 'chat']) assert.equal(d.endpoints[endpoint]!.duration['p(99)'], p99Of(parts, endpoint), endpoint);
    assert.equal(d.thresholds.length, 7);
    const signIn = d.thresholds.find((t) => t.metric === 'http_req_duration{endpoint:sign-in}')!;
    assert.equal(signIn.actual, merged.metrics['http_req_duration{endpoint:sign-in}']!.values['p(95)']);
    assert.equal(d.verdict.status, 'passed', d.verdict.reasons.join('; '));
    assert.equal(d.validity.valid, true, d.validity.reasons.join('; '));
  });

  test('a segment given twice, or a missing folder: exit 2, one line', async () => {
    const twice = await runLoadCli(['merge', dirs.a, dirs.a, '--out-dir', join(scratch, 'twice')], env);
    assert.equal(twice.status, 2, describeRun(twice));
    assert.match(twice.stderr.trimEnd(), /^USAGE: segment 0\/2 is given twice$/);
    const missing = await runLoadCli(['merge', join(scratch, 'nowhere')], env);
    assert.equal(missing.status, 2, describeRun(missing));
    assert.match(missing.stderr.trimEnd(), /^USAGE: \S+nowhere holds no summary\.json; usage: load:merge [^\n]+$/);
  });

  test('half of the segments merged is said to be half, and fails', async () => {
    const half = await runLoadCli(['merge', dirs.b, '--out-dir', join(scratch, 'half')], env);
    assert.equal(half.status, 1, describeRun(half));
    assert.ok(readSummary(join(scratch, 'half')).puppilot.verdict.reasons.includes('segment 0/2 missing: the merge covers 1 of 2'));
  });
});
