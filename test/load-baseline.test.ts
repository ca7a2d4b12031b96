// Baselines: load:baseline stores a run as its scenario's baseline, a later run of the
// scenario is compared with it and fails past LOAD_REGRESSION_PCT, with the verdict in the
// console, the JUnit file and the HTML report; load:compare does the same for two stored runs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runFolderName } from '../reporting/load-runs.ts';
import { baseEnv, describeRun, LAG_NOT_UNDER_TEST, readSummary, runLoadCli } from './fixtures/load-cli.ts';
import { loadSummaryFixture } from './fixtures/load-summary.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-baseline-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Stores `summary` as a run folder under the env's report folder. */
function storeRun(env: Record<string, string>, summary: ReturnType<typeof loadSummaryFixture>): string {
  const dir = join(env.LOAD_REPORT_DIR!, runFolderName(summary.puppilot.scenario, new Date(summary.puppilot.startedAt)));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

describe('load:baseline', () => {
  test('stores the newest run of the scenario as its baseline', async () => {
    const env = baseEnv(join(scratch, 'store'));
    storeRun(env, loadSummaryFixture({ scenario: 'smoke', startedAt: '2026-11-27T03:00:00.000Z' }));
    const newest = storeRun(env, loadSummaryFixture({ scenario: 'smoke', startedAt: '2026-11-28T03:00:00.000Z' }));
    const run = await runLoadCli(['baseline', 'smoke'], env);
    assert.equal(run.status, 0, describeRun(run));
    assert.deepEqual(readdirSync(env.LOAD_BASELINE_DIR!), ['smoke.json']);
    assert.equal(readFileSync(join(env.LOAD_BASELINE_DIR!, 'smoke.json'), 'utf8'), readFileSync(join(newest, 'summary.json'), 'utf8'));
  });

  test('refuses an invalid run, a scenario without runs and a wrong call: exit 2, one line', async () => {
    const env = baseEnv(join(scratch, 'refuse'));
    const invalid = storeRun(env, loadSummaryFixture({ scenario: 'mix', invalid: true }));
    const r1 = await runLoadCli(['baseline', invalid], env);
    assert.equal(r1.status, 2, describeRun(r1));
    assert.match(r1.stderr.trimEnd(), /^USAGE: \S+ was invalid; only a valid, complete run can be a baseline$/);
    const r2 = await runLoadCli(['baseline', 'soak'], env);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr.trimEnd(), /^USAGE: no stored run of 'soak' in [^\n]+; run npm run load:soak first$/);
    const r3 = await runLoadCli(['baseline'], env);
    assert.equal(r3.status, 2);
    assert.match(r3.stderr.trimEnd(), /^USAGE: name one scenario or run folder; usage: load:baseline/);
    assert.ok(!existsSync(env.LOAD_BASELINE_DIR!), 'nothing was stored');
  });
});

describe('a run compared with its baseline', () => {
  test('worse by more than LOAD_REGRESSION_PCT: exit 1, the verdict in the console, JUnit and HTML', async () => {
    const env: Record<string, string> = { ...baseEnv(join(scratch, 'regress')), ...LAG_NOT_UNDER_TEST, LOAD_REGRESSION_PCT: '25', LOAD_DURATION: '3s' };
    // A baseline a hundred times faster than any real run: every latency regresses.
    mkdirSync(env.LOAD_BASELINE_DIR!, { recursive: true });
    writeFileSync(join(env.LOAD_BASELINE_DIR!, 'smoke.json'), JSON.stringify(loadSummaryFixture({ scenario: 'smoke', latencyScale: 0.01 })));
    const dir = join(scratch, 'regress', 'run');
    const run = await runLoadCli(['run', 'smoke', '--out-dir', dir], env);
    assert.equal(run.status, 1, describeRun(run));
    const d = readSummary(dir).puppilot;
    assert.equal(d.validity.valid, true, d.validity.reasons.join('; '));
    assert.ok(d.thresholds.every((t) => t.ok), 'the thresholds held: the regression alone fails the run');
    assert.equal(d.baseline?.regressed, true);
    assert.equal(d.baseline?.allowedPct, 25);
    assert.ok(d.verdict.reasons.some((r) => /^regression against the baseline \(more than 25% worse\): p95 sign-in/.test(r)), d.verdict.reasons.join('; '));
    assert.match(run.stdout, /p95 sign-in/);
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<testcase [^>]*name="baseline: p95 sign-in[^"]*"[^>]*>\s*<failure/);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /p95 sign-in/);
  });

  test('load:compare: two stored runs of different scenarios are refused (exit 2)', async () => {
    const env = baseEnv(join(scratch, 'compare'));
    const a = storeRun(env, loadSummaryFixture({ scenario: 'mix' }));
    const b = storeRun(env, loadSummaryFixture({ scenario: 'soak' }));
    const r = await runLoadCli(['compare', a, b], env);
    assert.equal(r.status, 2, describeRun(r));
    assert.match(r.stderr.trimEnd(), /^USAGE: the runs are of different scenarios \(mix, soak\); compare a scenario with itself$/);
  });
});
