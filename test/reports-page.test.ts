// The reports page as a reader sees it: generated from stored runs, opened from disk in
// headless Chromium (Debian's, lib/chromium.ts), and checked for what the chart shows:
// a visible point for every run, at a height that orders runs by their value. The
// screenshot is kept as reports/reports-page.png for a human look.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from '@playwright/test';
import { launchChromium } from '../lib/chromium.ts';
import { PROJECT_ROOT } from '../lib/config.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { runFolderName } from '../reporting/load-runs.ts';
import { writeLoadRun, type FixtureRun } from './fixtures/load-runs.ts';

const SCREENSHOT = join(PROJECT_ROOT, 'reports', 'reports-page.png');
const scratch = mkdtempSync(join(tmpdir(), 'reports-page-'));
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const day = (n: number, hour = 2) => new Date(Date.UTC(2026, 10, n, hour));

/** A week of nightly load runs with one regression, and two smoke runs from CI. */
const RUNS: FixtureRun[] = [
  { scenario: 'load', at: day(20), p95Ms: 120, throughputRps: 48, endpointP95Ms: { 'sign-in': 150, refresh: 40 } },
  { scenario: 'smoke', at: day(20, 9), p95Ms: 35, throughputRps: 5 },
  { scenario: 'load', at: day(21), p95Ms: 132, throughputRps: 49.5 },
  { scenario: 'load', at: day(22), p95Ms: 118, throughputRps: 50 },
  { scenario: 'load', at: day(23), p95Ms: 171, throughputRps: 41, thresholds: { 'p(95)<150': false } },
  { scenario: 'smoke', at: day(23, 9), p95Ms: 38, throughputRps: 5 },
  { scenario: 'load', at: day(24), p95Ms: 139, throughputRps: 52.25 },
];

function reportsFolder(name: string, runs: FixtureRun[]): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'contract', 'html'), { recursive: true });
  writeFileSync(join(root, 'contract', 'html', 'index.html'), '<!doctype html><title>Playwright Test Report</title><h1>contract report</h1>');
  writeFileSync(
    join(root, 'contract', 'results.json'),
    JSON.stringify({ config: { metadata: { target: 'http://127.0.0.1:8787' } }, stats: { startTime: day(24, 10).toISOString(), duration: 17_400, expected: 110, unexpected: 0, flaky: 0, skipped: 2 } }),
  );
  for (const run of runs) writeLoadRun(root, run, { 'junit.xml': '<testsuites/>' });
  writeReportsIndex(root, day(24, 11));
  return root;
}

async function open(root: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(join(root, 'index.html')).href);
  return page;
}

interface DrawnPoint {
  run: string;
  value: number;
  centreX: number;
  centreY: number;
}

/** Every point of one chart as laid out on screen, each checked to be visible inside its chart. */
async function drawnPoints(chart: Locator): Promise<DrawnPoint[]> {
  await chart.waitFor({ state: 'visible' });
  const area = (await chart.boundingBox())!;
  const points: DrawnPoint[] = [];
  for (const point of await chart.locator('circle.point').all()) {
    assert.ok(await point.isVisible(), 'a point is not visible');
    const box = (await point.boundingBox())!;
    assert.ok(box.width > 3 && box.height > 3, `a point is ${box.width}×${box.height} px`);
    const centreX = box.x + box.width / 2;
    const centreY = box.y + box.height / 2;
    assert.ok(centreX > area.x && centreX < area.x + area.width && centreY > area.y && centreY < area.y + area.height, 'a point lies outside its chart');
    points.push({ run: (await point.getAttribute('data-run'))!, value: Number(await point.getAttribute('data-value')), centreX, centreY });
  }
  return points;
}

function assertChartShows(points: DrawnPoint[], expected: Map<string, number>, metric: string): void {
  assert.deepEqual(new Map(points.map((p) => [p.run, p.value])), expected, `${metric}: the chart's points are not the runs' values`);
  // On screen, y grows downwards: the larger the value, the higher the point.
  for (const a of points) {
    for (const b of points) {
      if (a.value > b.value) assert.ok(a.centreY < b.centreY, `${metric}: ${a.run} (${a.value}) is drawn below ${b.run} (${b.value})`);
    }
  }
}

describe('the reports page in Chromium', () => {
  test('the trend charts show a point per stored run at its p95 and its throughput', async () => {
    const root = reportsFolder('week', RUNS);
    const page = await open(root);
    try {
      const ids = RUNS.map((r) => runFolderName(r.scenario, r.at));
      const p95 = await drawnPoints(page.locator('svg[data-chart="p95"]'));
      assertChartShows(p95, new Map(RUNS.map((r, i) => [ids[i]!, r.p95Ms])), 'p95');
      const throughput = await drawnPoints(page.locator('svg[data-chart="throughput"]'));
      assertChartShows(throughput, new Map(RUNS.map((r, i) => [ids[i]!, r.throughputRps])), 'throughput');

      // Runs go left to right in time order, in both charts alike.
      const xOrder = (points: DrawnPoint[]) => [...points].sort((a, b) => a.centreX - b.centreX).map((p) => p.run);
      assert.deepEqual(xOrder(p95), ids);
      assert.deepEqual(xOrder(throughput), ids);

      // Each scenario's runs are joined by a line; the legend names both scenarios and the ring.
      await assert.doesNotReject(page.locator('svg[data-chart="p95"] polyline[data-scenario="load"]').waitFor({ state: 'visible' }));
      assert.deepEqual(await page.locator('.legend-item').allInnerTexts(), ['load', 'smoke', 'thresholds breached']);
      assert.deepEqual(await page.locator('svg[data-chart="p95"] circle.breached').evaluateAll((els) => els.map((e) => e.getAttribute('data-run'))), [ids[4]]);

      // The table lists the runs newest first.
      assert.deepEqual(await page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))), [...ids].reverse());

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = readFileSync(SCREENSHOT);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 1280, 'screenshot width');
      assert.ok(png.readUInt32BE(20) > 900, 'a full-page screenshot is taller than the viewport');
    } finally {
      await page.close();
    }
  });

  test("the links reach the contract report and each run's files", async () => {
    const root = reportsFolder('links', RUNS.slice(0, 2));
    const page = await open(root);
    try {
      await page.getByRole('link', { name: 'HTML report' }).click();
      assert.equal(await page.title(), 'Playwright Test Report');
      await page.goBack();
      const summaries = page.getByRole('link', { name: 'summary.json' });
      assert.equal(await summaries.count(), 2);
      await summaries.first().click();
      const summary = JSON.parse((await page.locator('body').innerText()).trim()) as { metrics: { http_req_duration: { values: Record<string, number> } } };
      assert.equal(summary.metrics.http_req_duration.values['p(95)'], RUNS[1]!.p95Ms, 'the newest run is linked first');
    } finally {
      await page.close();
    }
  });

  test('without load runs the page says so and draws no chart', async () => {
    const root = reportsFolder('empty', []);
    const page = await open(root);
    try {
      assert.match(await page.locator('#load').innerText(), /No load run stored in reports\/load\/ yet/);
      assert.equal(await page.locator('svg.trend').count(), 0);
      assert.match(await page.locator('#contract').innerText(), /passed .*110 passed, 0 failed/);
    } finally {
      await page.close();
    }
  });
});
