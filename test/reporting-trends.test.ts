// What the reports page charts per scenario (reporting/trends.ts), without a browser: the
// runs in time order with their verdicts and links, p95/p99 series per endpoint (or for all
// requests when a plain k6 summary has no endpoint), and capacity only where stress has it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readLoadRuns } from '../reporting/load-runs.ts';
import { scenarioTrends } from '../reporting/trends.ts';
import { writeLoadRun } from './fixtures/load-runs.ts';
import { loadSummaryFixture } from './fixtures/load-summary.ts';

const root = mkdtempSync(join(tmpdir(), 'trends-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('per scenario: runs oldest first, p95/p99 per endpoint or for all requests, capacity for stress only', () => {
  writeLoadRun(root, { scenario: 'smoke', at: new Date('2026-11-21T02:00:00Z'), p95Ms: 40, throughputRps: 5 });
  writeLoadRun(root, { scenario: 'smoke', at: new Date('2026-11-20T02:00:00Z'), p95Ms: 30, throughputRps: 4, thresholds: { 'p(95)<35': true } });
  const stress = loadSummaryFixture({ stress: true, startedAt: '2026-11-22T04:00:00.000Z' });
  mkdirSync(join(root, 'load', 'stress-20261122T040000Z'), { recursive: true });
  writeFileSync(join(root, 'load', 'stress-20261122T040000Z', 'summary.json'), JSON.stringify(stress));
  writeFileSync(join(root, 'load', 'stress-20261122T040000Z', 'report.html'), '<title>r</title>');

  const [smoke, st] = scenarioTrends(readLoadRuns(join(root, 'load')).runs);
  assert.equal(smoke!.scenario, 'smoke');
  assert.deepEqual(smoke!.runs.map((r) => [r.id, r.verdict, r.href]), [
    ['smoke-20261120T020000Z', 'passed', 'load/smoke-20261120T020000Z/summary.json'],
    ['smoke-20261121T020000Z', 'passed', 'load/smoke-20261121T020000Z/summary.json'],
  ]);
  const [latency, throughput] = smoke!.charts;
  assert.deepEqual(latency!.series.map((s) => s.label), ['p95 all requests', 'p99 all requests']);
  assert.deepEqual(latency!.data, [[Date.parse('2026-11-20T02:00:00Z') / 1000, Date.parse('2026-11-21T02:00:00Z') / 1000], [30, 40], [42, 56]]);
  assert.deepEqual(throughput!.series.map((s) => s.label), ['achieved req/s']);
  assert.equal(throughput!.unit2, undefined);

  assert.deepEqual(st!.runs.map((r) => [r.verdict, r.href]), [[stress.puppilot.verdict.status, 'load/stress-20261122T040000Z/report.html']]);
  assert.deepEqual(st!.charts[0]!.series.map((s) => s.label), ['p95 sign-in', 'p99 sign-in', 'p95 refresh', 'p99 refresh', 'p95 chat', 'p99 chat']);
  assert.deepEqual(st!.charts[1]!.series.map((s) => [s.label, s.scale]), [['achieved req/s', 'y'], ['capacity arrivals/s', 'capacity']]);
  assert.deepEqual(st!.charts[1]!.data[2], [stress.puppilot.capacity!.rate]);
});
