// The trend chart (reporting/trend-chart.ts) is plain SVG markup; these tests read the
// coordinates it writes. How it looks in a browser is test/reports-page.test.ts's job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { niceStep, scenarioColors, trendChart, type TrendPoint } from '../reporting/trend-chart.ts';

const point = (runId: string, scenario: string, value: number, day: number): TrendPoint => ({
  runId,
  scenario,
  value,
  at: new Date(Date.UTC(2026, 10, day, 2)),
});

/** Every drawn point: its data attributes and centre. */
function drawnPoints(svg: string) {
  return [...svg.matchAll(/<circle class="point[^"]*" data-run="([^"]+)" data-scenario="([^"]+)" data-value="([^"]+)" cx="([\d.]+)" cy="([\d.]+)"/g)].map(
    ([, run, scenario, value, cx, cy]) => ({ run, scenario, value: Number(value), cx: Number(cx), cy: Number(cy) }),
  );
}

test('tick steps are 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(160), 50);
  assert.equal(niceStep(53), 20);
  assert.equal(niceStep(4), 1);
  assert.equal(niceStep(0.3), 0.1);
  assert.equal(niceStep(0), 1);
});

test('one point per run, higher values drawn higher, runs left to right in time order', () => {
  const points = [point('a', 'load', 120, 20), point('b', 'smoke', 35, 20), point('c', 'load', 160, 21), point('d', 'load', 90, 22)];
  const svg = trendChart({ id: 'p95', title: 'p95', unit: 'ms', points, runOrder: ['a', 'b', 'c', 'd'], colors: scenarioColors(['load', 'smoke']) });
  const drawn = drawnPoints(svg);
  assert.deepEqual(drawn.map((p) => [p.run, p.value]).sort(), [['a', 120], ['b', 35], ['c', 160], ['d', 90]]);
  const byRun = new Map(drawn.map((p) => [p.run, p]));
  // SVG y grows downwards: a larger value has a smaller cy.
  const heights = [...drawn].sort((p, q) => q.value - p.value).map((p) => p.cy);
  assert.deepEqual(heights, [...heights].sort((p, q) => p - q));
  assert.ok(byRun.get('a')!.cx < byRun.get('b')!.cx && byRun.get('b')!.cx < byRun.get('c')!.cx && byRun.get('c')!.cx < byRun.get('d')!.cx);
  // The load scenario's three runs are joined by one line; smoke's single run is a lone point.
  assert.equal((svg.match(/<polyline class="series"/g) ?? []).length, 1);
});

test('the y axis starts at zero and ends above the highest value', () => {
  const svg = trendChart({ id: 't', title: 'rate', unit: 'req/s', points: [point('a', 'load', 48, 20), point('b', 'load', 53, 21)], runOrder: ['a', 'b'], colors: scenarioColors(['load']) });
  const labels = [...svg.matchAll(/class="y-label"[^>]*>([^<]+)</g)].map((m) => Number(m[1]));
  assert.equal(labels[0], 0);
  assert.ok(labels.at(-1)! >= 53, `top label ${labels.at(-1)} is below the highest value`);
});

test('a breached run is ringed and says so in its tooltip', () => {
  const svg = trendChart({ id: 't', title: 'p95', unit: 'ms', points: [{ ...point('a', 'load', 200, 20), flagged: true }], runOrder: ['a'], colors: scenarioColors(['load']) });
  assert.match(svg, /<circle class="point breached" data-run="a"/);
  assert.match(svg, /<title>load · 11-20 02:00 UTC · 200 ms · thresholds breached<\/title>/);
});

test('scenario colours do not depend on the order scenarios come in', () => {
  assert.deepEqual([...scenarioColors(['smoke', 'load', 'smoke'])], [...scenarioColors(['load', 'smoke'])]);
});
