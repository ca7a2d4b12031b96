// Reading stored load runs back (reporting/load-runs.ts): a folder either yields the
// figures k6 wrote or a reason it cannot be charted; nothing in between is guessed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseRunStamp, readLoadRuns, runFolderName, type LoadRun } from '../reporting/load-runs.ts';
import { k6Summary, writeLoadRun } from './fixtures/load-runs.ts';
import { loadSummaryFixture } from './fixtures/load-summary.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-runs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const root = join(scratch, String(n++));
  mkdirSync(join(root, 'load'), { recursive: true });
  return root;
};
const at = (iso: string) => new Date(iso);

describe('run folder names', () => {
  test('a start time becomes a UTC basic-format stamp, and reads back to the same second', () => {
    const date = at('2026-11-28T17:45:09.731Z');
    const name = runFolderName('stress', date);
    assert.equal(name, 'stress-20261128T174509Z');
    assert.equal(parseRunStamp(name.slice('stress-'.length))?.toISOString(), '2026-11-28T17:45:09.000Z');
  });

  test('a stamp naming no real instant is refused, not rolled over into another day', () => {
    assert.equal(parseRunStamp('20261345T000000Z'), undefined);
    assert.equal(parseRunStamp('20260230T120000Z'), undefined);
    assert.equal(parseRunStamp('20261128T246000Z'), undefined);
    assert.equal(parseRunStamp('2026-11-28T17:45:09Z'), undefined);
  });
});

describe('readLoadRuns', () => {
  test('no load folder at all: no runs, nothing unreadable', () => {
    assert.deepEqual(readLoadRuns(join(scratch, 'nowhere')), { runs: [], unreadable: [] });
  });

  test('reads the figures k6 wrote, oldest run first, whatever the folder order', () => {
    const root = freshRoot();
    writeLoadRun(root, { scenario: 'load', at: at('2026-11-21T02:00:00Z'), p95Ms: 140, throughputRps: 50 });
    writeLoadRun(root, { scenario: 'smoke', at: at('2026-11-20T02:00:00Z'), p95Ms: 35.5, throughputRps: 5, durationS: 30 }, { 'junit.xml': '<testsuites/>' });
    const { runs, unreadable } = readLoadRuns(join(root, 'load'));
    assert.deepEqual(unreadable, []);
    assert.deepEqual(runs.map((r) => r.id), ['smoke-20261120T020000Z', 'load-20261121T020000Z']);
    const smoke = runs[0]!;
    assert.equal(smoke.scenario, 'smoke');
    assert.equal(smoke.p95Ms, 35.5);
    assert.equal(smoke.throughputRps, 5);
    assert.equal(smoke.requests, 150);
    assert.equal(smoke.durationMs, 30_012.5);
    assert.equal(smoke.failedRate, 0);
    assert.equal(smoke.checksRate, 1);
    assert.equal(smoke.droppedIterations, 0);
    assert.deepEqual(smoke.files, ['junit.xml', 'summary.json']);
  });

  test('names every breached threshold and counts the ones that held', () => {
    const root = freshRoot();
    writeLoadRun(root, { scenario: 'load', at: at('2026-11-22T02:00:00Z'), p95Ms: 180, throughputRps: 40, thresholds: { 'p(95)<150': false, 'p(99)<900': true } });
    const run = readLoadRuns(join(root, 'load')).runs[0] as LoadRun;
    assert.deepEqual(run.breachedThresholds, ['http_req_duration: p(95)<150']);
    // http_req_duration's two, and http_req_failed's one.
    assert.equal(run.thresholdCount, 3);
  });

  test('takes p95 and p99 per endpoint from the endpoint-tagged submetrics; a plain k6 run has a verdict from its thresholds', () => {
    const root = freshRoot();
    writeLoadRun(root, { scenario: 'mix', at: at('2026-11-22T02:00:00Z'), p95Ms: 90, throughputRps: 40, endpointP95Ms: { 'sign-in': 120, refresh: 20 } });
    writeLoadRun(root, { scenario: 'mix', at: at('2026-11-23T02:00:00Z'), p95Ms: 90, throughputRps: 40, thresholds: { 'p(95)<50': false } });
    const [held, breached] = readLoadRuns(join(root, 'load')).runs as [LoadRun, LoadRun];
    assert.deepEqual(held.endpointP95Ms, { 'sign-in': 120, refresh: 20 });
    // The fixture's p99 is 1.4 × its p95.
    assert.deepEqual(held.endpointP99Ms, { 'sign-in': 168, refresh: 28 });
    assert.deepEqual(held.verdict, { status: 'passed', reasons: [], derived: true });
    assert.deepEqual(breached.verdict, { status: 'failed', reasons: ['threshold breached: http_req_duration: p(95)<50'], derived: true });
    assert.equal(held.capacity, undefined);
    assert.equal(held.valid, undefined);
    assert.equal(held.report, undefined);
  });

  test("a run of the suite's engine: verdict, validity, capacity and per-endpoint p95/p99 from its details", () => {
    const root = freshRoot();
    const write = (id: string, summary: object, report = true) => {
      mkdirSync(join(root, 'load', id));
      writeFileSync(join(root, 'load', id, 'summary.json'), JSON.stringify(summary));
      if (report) writeFileSync(join(root, 'load', id, 'report.html'), '<title>run</title>');
    };
    const stress = loadSummaryFixture({ stress: true, startedAt: '2026-11-22T02:00:00.000Z' });
    const invalid = loadSummaryFixture({ invalid: true, startedAt: '2026-11-23T02:00:00.000Z' });
    write('stress-20261122T020000Z', stress);
    write('load-20261123T020000Z', invalid, false);
    const [s, i] = readLoadRuns(join(root, 'load')).runs as [LoadRun, LoadRun];
    assert.deepEqual(s.capacity, { rate: stress.puppilot.capacity!.rate, step: stress.puppilot.capacity!.step });
    assert.ok(s.capacity && s.capacity.rate !== null && s.capacity.rate > 0, 'the fixture has a capacity');
    assert.deepEqual(s.verdict, { status: stress.puppilot.verdict.status, reasons: stress.puppilot.verdict.reasons, derived: false });
    assert.equal(s.valid, true);
    assert.equal(s.report, 'report.html');
    assert.deepEqual(Object.keys(s.endpointP99Ms), ['sign-in', 'refresh', 'chat']);
    assert.equal(s.endpointP99Ms['chat'], stress.puppilot.endpoints['chat']!.duration['p(99)']);
    assert.equal(s.endpointP95Ms['refresh'], stress.puppilot.endpoints['refresh']!.duration['p(95)']);
    assert.equal(i.verdict.status, 'invalid');
    assert.equal(i.valid, false);
    assert.equal(i.capacity, undefined);
    assert.equal(i.report, undefined);
  });

  test('a malformed engine member is read figure by figure, never making the run unreadable', () => {
    const root = freshRoot();
    const summary = loadSummaryFixture({ stress: true, startedAt: '2026-11-22T02:00:00.000Z' }) as unknown as { puppilot: Record<string, unknown> };
    summary.puppilot.verdict = { status: 'splendid' };
    summary.puppilot.capacity = { rate: 'lots' };
    summary.puppilot.endpoints = { 'sign-in': { duration: null } };
    summary.puppilot.validity = 'yes';
    mkdirSync(join(root, 'load', 'stress-20261122T020000Z'));
    writeFileSync(join(root, 'load', 'stress-20261122T020000Z', 'summary.json'), JSON.stringify(summary));
    const { runs, unreadable } = readLoadRuns(join(root, 'load'));
    assert.deepEqual(unreadable, []);
    const run = runs[0]!;
    assert.equal(run.verdict.derived, true);
    assert.equal(run.capacity, undefined);
    assert.equal(run.valid, undefined);
    // The submetrics still give every endpoint.
    assert.deepEqual(Object.keys(run.endpointP95Ms).sort(), ['chat', 'refresh', 'sign-in']);
  });

  test('a folder it cannot chart is listed with the reason, and charted runs are unaffected', () => {
    const root = freshRoot();
    const load = join(root, 'load');
    writeLoadRun(root, { scenario: 'load', at: at('2026-11-21T02:00:00Z'), p95Ms: 140, throughputRps: 50 });
    const folder = (name: string, summary?: string) => {
      mkdirSync(join(load, name));
      if (summary !== undefined) writeFileSync(join(load, name, 'summary.json'), summary);
    };
    folder('not-a-run');
    folder('smoke-20261121T020000Z');
    folder('soak-20261121T030000Z', '{"metrics": ');
    const noP95 = k6Summary({ scenario: 'x', at: new Date(), p95Ms: 1, throughputRps: 1 }) as { metrics: { http_req_duration: { values: Record<string, number> } } };
    delete noP95.metrics.http_req_duration.values['p(95)'];
    folder('spike-20261121T040000Z', JSON.stringify(noP95));
    folder('stress-20261121T050000Z', JSON.stringify({ metrics: { http_reqs: { values: { count: -1, rate: 2 } }, http_req_duration: { values: { 'p(95)': 3 } } } }));

    const { runs, unreadable } = readLoadRuns(load);
    assert.deepEqual(runs.map((r) => r.id), ['load-20261121T020000Z']);
    assert.deepEqual(
      unreadable.map((u) => [u.id, u.reason]),
      [
        ['not-a-run', 'folder name is not <scenario>-<YYYYMMDDTHHMMSSZ>'],
        ['smoke-20261121T020000Z', 'no summary.json'],
        ['soak-20261121T030000Z', unreadable[2]!.reason],
        ['spike-20261121T040000Z', "summary.json is not a k6 summary: metrics.http_req_duration.values must have required property 'p(95)'"],
        ['stress-20261121T050000Z', 'summary.json is not a k6 summary: metrics.http_reqs.values.count must be >= 0'],
      ],
    );
    assert.match(unreadable[2]!.reason, /^summary\.json is not JSON \(/);
  });
});
