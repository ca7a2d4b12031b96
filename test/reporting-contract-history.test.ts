// The contract history (reporting/contract-history.ts, contract-run.ts): one small entry per
// run, derived from Playwright's results.json, with the titles of the failed tests and never
// their messages; the newest entries kept; a broken entry named and skipped, never fatal.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { contractRuns, HISTORY_DIR, MAX_FAILED_TITLES, readContractHistory, recordContractRun } from '../reporting/contract-history.ts';
import { failedTestTitles, readContractRun, safeTarget } from '../reporting/contract-run.ts';

const scratch = mkdtempSync(join(tmpdir(), 'contract-history-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const root = join(scratch, String(n++));
  mkdirSync(join(root, 'contract'), { recursive: true });
  return root;
};

const SECRET_MESSAGE = 'expected 401, got 200 {"access_token":"eyJhbGciOiJFZERTQSJ9.secret.token"}';

const spec = (title: string, status: string) => ({
  title,
  ok: status !== 'unexpected',
  tests: [{ status, results: [{ status: status === 'unexpected' ? 'failed' : 'passed', error: { message: SECRET_MESSAGE }, errors: [{ message: SECRET_MESSAGE }] }] }],
});

/** A Playwright JSON report: two files, one describe, `failing` titles failed in sign-in.spec.ts. */
function results(startTime: string, failing: string[] = [], metadata: object = { target: 'http://127.0.0.1:8787', targetKind: 'embedded' }) {
  return {
    config: { metadata },
    suites: [
      {
        title: 'sign-in.spec.ts',
        file: 'sign-in.spec.ts',
        specs: [spec('accepts the right password', 'expected'), ...failing.map((t) => spec(t, 'unexpected'))],
        suites: [{ title: 'lockout', file: 'sign-in.spec.ts', specs: [spec('locks after five failures', 'flaky')] }],
      },
      { title: 'refresh.spec.ts', file: 'refresh.spec.ts', specs: [spec('rotates the refresh token', 'skipped')] },
    ],
    errors: [{ message: SECRET_MESSAGE }],
    stats: { startTime, duration: 17_400, expected: 110, unexpected: failing.length, flaky: 1, skipped: 2 },
  };
}

function contractRun(root: string, report: object): void {
  writeFileSync(join(root, 'contract', 'results.json'), JSON.stringify(report));
}

const historyFiles = (root: string) => readdirSync(join(root, HISTORY_DIR)).sort();

describe('reading a contract run', () => {
  test('failed tests are named file › describe › title; flaky, skipped and passed ones are not', () => {
    const report = results('2026-11-28T17:00:00.000Z', ['refuses a wrong password']);
    report.suites[0]!.suites![0]!.specs.push(spec('unlocks after the window', 'unexpected'));
    assert.deepEqual(failedTestTitles(report.suites), [
      'sign-in.spec.ts › refuses a wrong password',
      'sign-in.spec.ts › lockout › unlocks after the window',
    ]);
    assert.deepEqual(failedTestTitles(undefined), []);
    assert.deepEqual(failedTestTitles([{ specs: 'nope' }, null, { title: 'x.spec.ts', specs: [{ title: 't', tests: [{ status: 'unexpected' }] }] }]), ['x.spec.ts › t']);
  });

  test('the target keeps origin and path only', () => {
    assert.equal(safeTarget('https://user:pw@staging.example.com/api/?token=abc#x'), 'https://staging.example.com/api/');
    assert.equal(safeTarget('http://127.0.0.1:8787'), 'http://127.0.0.1:8787');
    assert.equal(safeTarget('not a url'), 'not a url');
  });
});

describe('recording a run', () => {
  test("one entry per run named by its start, with counts, target, status and failed titles, and no message", () => {
    const root = freshRoot();
    contractRun(root, results('2026-11-28T17:00:09.731Z', ['refuses a wrong password', 'refuses an expired token']));
    const result = recordContractRun(root, { status: 'failed' });
    assert.ok('recorded' in result);
    assert.deepEqual(historyFiles(root), ['20261128T170009Z.json']);
    const text = readFileSync(join(root, HISTORY_DIR, '20261128T170009Z.json'), 'utf8');
    assert.deepEqual(JSON.parse(text), {
      formatVersion: 1,
      startedAt: '2026-11-28T17:00:09.731Z',
      durationMs: 17_400,
      status: 'failed',
      counts: { passed: 110, failed: 2, skipped: 2, flaky: 1 },
      target: 'http://127.0.0.1:8787',
      targetKind: 'embedded',
      failedTests: ['sign-in.spec.ts › refuses a wrong password', 'sign-in.spec.ts › refuses an expired token'],
    });
    assert.doesNotMatch(text, /access_token|secret|expected 401/);
  });

  test('without Playwright’s status, the counts decide; a timed-out run keeps its status', () => {
    const root = freshRoot();
    contractRun(root, results('2026-11-28T17:00:00.000Z', ['a']));
    recordContractRun(root);
    contractRun(root, results('2026-11-28T18:00:00.000Z'));
    recordContractRun(root);
    contractRun(root, results('2026-11-28T19:00:00.000Z'));
    recordContractRun(root, { status: 'timedout' });
    assert.deepEqual(readContractHistory(root).entries.map((e) => e.status), ['timedout', 'passed', 'failed']);
  });

  test('many failures: the first titles are kept and the rest counted', () => {
    const root = freshRoot();
    const titles = Array.from({ length: MAX_FAILED_TITLES + 7 }, (_, i) => `fails ${i}`);
    contractRun(root, results('2026-11-28T17:00:00.000Z', titles));
    recordContractRun(root);
    const [entry] = readContractHistory(root).entries;
    assert.equal(entry!.failedTests.length, MAX_FAILED_TITLES);
    assert.equal(entry!.failedTestsOmitted, 7);
  });

  test('retention: the newest entries are kept, the oldest removed', () => {
    const root = freshRoot();
    for (let hour = 0; hour < 6; hour += 1) {
      contractRun(root, results(new Date(Date.UTC(2026, 10, 28, hour)).toISOString()));
      recordContractRun(root, { limit: 4 });
    }
    assert.deepEqual(historyFiles(root), ['20261128T020000Z.json', '20261128T030000Z.json', '20261128T040000Z.json', '20261128T050000Z.json']);
  });

  test('nothing to record: no results.json, or one that is not a Playwright report', () => {
    const root = freshRoot();
    assert.deepEqual(recordContractRun(root), { skipped: 'no contract/results.json' });
    writeFileSync(join(root, 'contract', 'results.json'), '{"stats": {}}');
    assert.deepEqual(recordContractRun(root), { skipped: 'results.json has no test counts (not a Playwright JSON report?)' });
  });
});

describe('reading the history', () => {
  test('a corrupt or foreign entry is named and skipped; the others are read, newest first', () => {
    const root = freshRoot();
    contractRun(root, results('2026-11-27T17:00:00.000Z'));
    recordContractRun(root);
    contractRun(root, results('2026-11-28T17:00:00.000Z', ['x']));
    recordContractRun(root);
    const dir = join(root, HISTORY_DIR);
    writeFileSync(join(dir, '20261126T170000Z.json'), '{"startedAt": ');
    writeFileSync(join(dir, '20261125T170000Z.json'), JSON.stringify({ startedAt: '2026-11-25T17:00:00Z', durationMs: 1, status: 'great', counts: {} }));
    writeFileSync(join(dir, 'notes.txt'), 'not an entry');
    const { entries, unreadable } = readContractHistory(root);
    assert.deepEqual(entries.map((e) => [e.startedAt, e.status]), [['2026-11-28T17:00:00.000Z', 'failed'], ['2026-11-27T17:00:00.000Z', 'passed']]);
    assert.deepEqual(unreadable, [
      { file: '20261125T170000Z.json', reason: 'status is not one of passed, failed, timedout, interrupted' },
      { file: '20261126T170000Z.json', reason: 'not JSON' },
    ]);
  });

  test('no history folder: the run in contract/ is the one row; once recorded it is not listed twice', () => {
    const root = freshRoot();
    assert.deepEqual(contractRuns(root), { runs: [], unreadable: [] });
    contractRun(root, results('2026-11-28T17:00:00.000Z', ['refuses a wrong password']));
    const alone = contractRuns(root);
    assert.equal(alone.runs.length, 1);
    assert.equal(alone.latestStartedAt, '2026-11-28T17:00:00.000Z');
    assert.deepEqual(alone.runs[0]!.failedTests, ['sign-in.spec.ts › refuses a wrong password']);
    recordContractRun(root, { status: 'failed' });
    assert.equal(contractRuns(root).runs.length, 1);
    const run = readContractRun(join(root, 'contract'));
    assert.equal(run.kind === 'run' && run.targetKind, 'embedded');
  });
});
