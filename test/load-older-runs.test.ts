// Run folders written before the interval log existed (test/fixtures/older-run: the
// summary.json a smoke run of the previous release wrote, kept as it came) still show on
// the reports page, in load:compare and as reports; only load:merge refuses them, in one line.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readSummaryFile } from '../load/report/baseline.ts';
import { renderConsoleSummary } from '../load/report/console.ts';
import { renderRunReport } from '../load/report/html.ts';
import { renderJunit } from '../load/report/junit.ts';
import { writeRunReports } from '../load/report/write.ts';
import { readLoadRuns } from '../reporting/load-runs.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { baseEnv, describeRun, runLoadCli } from './fixtures/load-cli.ts';
import { loadSummaryFixture, recordedRunLog } from './fixtures/load-summary.ts';

const OLDER = join(import.meta.dirname, 'fixtures', 'older-run');
const scratch = mkdtempSync(join(tmpdir(), 'load-older-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('an older run renders: console, report, JUnit', () => {
  const older = readSummaryFile(join(OLDER, 'summary.json'));
  assert.equal(older.puppilot.counts?.scheduled, undefined, 'the fixture predates the balance of arrivals');
  assert.match(renderConsoleSummary(older, { color: false }), /PASSED {2}smoke/);
  assert.doesNotMatch(renderConsoleSummary(older, { color: false }), /arrivals \.+:|degradation :/, 'no made-up figures for what it did not record');
  assert.match(renderRunReport(older), /<h1>Load run/);
  assert.match(renderJunit(older), /<testsuite /);
});

test('the reports page lists an older run next to a new one', () => {
  const root = join(scratch, 'reports');
  const load = join(root, 'load');
  mkdirSync(load, { recursive: true });
  cpSync(OLDER, join(load, 'smoke-20261202T000000Z'), { recursive: true });
  const current = loadSummaryFixture({ scenario: 'smoke', startedAt: '2026-12-03T00:00:00.000Z' });
  writeRunReports(join(load, 'smoke-20261203T000000Z'), current, recordedRunLog({ scenario: 'smoke', startedAt: '2026-12-03T00:00:00.000Z' }));
  const { runs, unreadable } = readLoadRuns(load);
  assert.deepEqual(unreadable, []);
  assert.deepEqual(runs.map((r) => r.id).sort(), ['smoke-20261202T000000Z', 'smoke-20261203T000000Z']);
  const page = writeReportsIndex(root);
  assert.deepEqual(page.model.unreadableRuns, []);
  assert.deepEqual(page.model.loadRuns.map((r) => r.id).sort(), ['smoke-20261202T000000Z', 'smoke-20261203T000000Z'], 'both runs are on the page');
  assert.ok(readFileSync(page.path, 'utf8').includes('load/smoke-20261202T000000Z/summary.json'), 'the older run is linked');
});

test('load:compare reads an older run as the baseline; load:merge refuses it in one line', async () => {
  const env = baseEnv(join(scratch, 'cli'));
  const current = join(scratch, 'current');
  writeRunReports(current, loadSummaryFixture({ scenario: 'smoke' }));
  const compare = await runLoadCli(['compare', OLDER, current], env);
  assert.ok([0, 1].includes(compare.status ?? -1), describeRun(compare));
  assert.match(compare.stdout, /p95 sign-in/);
  const merge = await runLoadCli(['merge', OLDER], env);
  assert.equal(merge.status, 2, describeRun(merge));
  assert.match(merge.stderr.trimEnd(), /^USAGE: \S+older-run holds no intervals\.jsonl; it was written by an older version, whose runs cannot be merged exactly$/);
});
