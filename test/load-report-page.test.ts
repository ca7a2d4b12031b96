// A load run's report.html as a reader sees it: written for the fixture run, opened from disk
// in headless Chromium (Debian's, lib/chromium.ts), and checked for what it draws: a uPlot
// chart with a painted canvas for the arrivals, for each endpoint and for the failures; the
// thresholds table; and not one request beyond the file itself. The screenshot is kept as
// reports/load-report.png for a human look.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from '@playwright/test';
import { launchChromium } from '../lib/chromium.ts';
import { PROJECT_ROOT } from '../lib/config.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { compareWithBaseline } from '../load/report/baseline.ts';
import { writeRunReports } from '../load/report/write.ts';
import { formatNumber } from '../reporting/page.ts';
import { loadSummaryFixture } from './fixtures/load-summary.ts';

const SCREENSHOT = join(PROJECT_ROOT, 'reports', 'load-report.png');
const scratch = mkdtempSync(join(tmpdir(), 'load-report-page-'));
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A stress run that breached a threshold in its upper steps (sign-in's p95 < 800 ms) and broke
 * the contract, compared with a faster baseline. A 90/s peak: enough requests each second for
 * an endpoint's p95 to part from its p99 (at a few a second both are the slowest request, and
 * the p99 line covers the p95 one), and the lower steps, contract failures and all, still hold.
 */
const STRESS = { stress: true, rate: 90 } as const;
function stressRun(): LoadSummary {
  const baseline = loadSummaryFixture({ ...STRESS, startedAt: '2026-11-20T02:00:00.000Z' });
  const current = loadSummaryFixture({ ...STRESS, latencyScale: 1.2, contractFailures: true });
  const verdict = compareWithBaseline(current, baseline, { allowedPct: 10, source: 'load/stress-20261120T020000Z/summary.json' });
  return loadSummaryFixture({ ...STRESS, latencyScale: 1.2, contractFailures: true, baseline: verdict, description: 'Climb in six steps </script><img src=x onerror=alert(1)> to find the knee' });
}

interface Opened {
  page: Page;
  /** Every request the page made that is not the file itself or inline data. */
  requests: string[];
  errors: string[];
}

async function open(summary: LoadSummary, name: string): Promise<Opened> {
  const dir = join(scratch, name);
  writeRunReports(dir, summary);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    if (!/^(file|data):/.test(request.url())) requests.push(request.url());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
  return { page, requests, errors };
}

/** The little of a canvas element these checks use (the project compiles without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
  getBoundingClientRect(): { width: number; height: number };
}

interface DrawnChart {
  id: string;
  kind: string | null;
  endpoint: string | null;
  label: string | null;
  rendered: string | null;
  canvases: { width: number; height: number; painted: boolean }[];
}

/** Each chart figure, with its uPlot canvas: its size and whether any pixel was painted. */
function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.locator('figure.chart').evaluateAll((figures) =>
    figures.map((figure) => ({
      id: figure.id,
      kind: figure.getAttribute('data-chart'),
      endpoint: figure.getAttribute('data-endpoint'),
      label: figure.getAttribute('aria-label'),
      rendered: figure.getAttribute('data-rendered'),
      canvases: [...figure.querySelectorAll('.uplot canvas')].map((node) => {
        const canvas = node as unknown as Canvas;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = false;
        for (let i = 3; i < pixels.length; i += 4) {
          if (pixels[i]! > 0) {
            painted = true;
            break;
          }
        }
        return { width: canvas.getBoundingClientRect().width, height: canvas.getBoundingClientRect().height, painted };
      }),
    })),
  );
}

/** How many pixels of a chart's canvas carry a series' colour (r, g, b within a small tolerance). */
function pixelsOfColour(page: Page, chartId: string, rgb: [number, number, number]): Promise<number> {
  return page.locator(`#${chartId} .uplot canvas`).evaluate((node, [r, g, b]) => {
    const canvas = node as unknown as Canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && Math.abs(data[i]! - r) < 24 && Math.abs(data[i + 1]! - g) < 24 && Math.abs(data[i + 2]! - b) < 24) count += 1;
    }
    return count;
  }, rgb);
}

describe('a load run report in Chromium', () => {
  test('every chart is drawn by uPlot, one per endpoint, the tables are there, and nothing is fetched', async () => {
    const summary = stressRun();
    const capacity = summary.puppilot.capacity!;
    assert.ok(capacity.rate !== null && capacity.step !== null, 'the lower steps held: a capacity');
    assert.ok(summary.puppilot.contractFailureSamples.length > 0, 'the run broke the contract');
    const { page, requests, errors } = await open(summary, 'stress');
    try {
      await page.locator('figure.chart[data-rendered]').first().waitFor({ state: 'attached' });
      const endpoints = Object.keys(summary.puppilot.endpoints);
      const charts = await drawnCharts(page);
      assert.deepEqual(
        charts.map((c) => [c.id, c.kind, c.endpoint]),
        [['chart-arrivals', 'arrivals', null], ...endpoints.map((e, i) => [`chart-latency-${i + 1}`, 'latency', e]), ['chart-failures', 'failures', null]],
        'an arrivals chart, a latency chart per endpoint, a failures chart',
      );
      for (const chart of charts) {
        assert.equal(chart.rendered, 'true', `${chart.id} was not drawn`);
        assert.ok(chart.label && chart.label.length > 20, `${chart.id} has no aria-label`);
        assert.equal(chart.canvases.length, 1, `${chart.id}: one uPlot canvas`);
        const canvas = chart.canvases[0]!;
        assert.ok(canvas.width > 300 && canvas.height > 100, `${chart.id}: canvas is ${canvas.width}×${canvas.height}`);
        assert.ok(canvas.painted, `${chart.id}: the canvas is blank`);
      }
      // The series are on the canvas, not only the axes: each chart holds its lines' colours.
      assert.ok((await pixelsOfColour(page, 'chart-arrivals', [37, 99, 235])) > 200, 'the offered line (blue)');
      assert.ok((await pixelsOfColour(page, 'chart-arrivals', [220, 38, 38])) > 100, 'the dropped line (red)');
      for (let i = 1; i <= endpoints.length; i += 1) {
        assert.ok((await pixelsOfColour(page, `chart-latency-${i}`, [217, 119, 6])) > 100, `chart-latency-${i}: the p95 line (amber)`);
        assert.ok((await pixelsOfColour(page, `chart-latency-${i}`, [124, 58, 237])) > 50, `chart-latency-${i}: the corrected p99 line (violet)`);
      }
      assert.ok((await pixelsOfColour(page, 'chart-failures', [220, 38, 38])) > 100, 'the failed requests line (red)');
      assert.deepEqual(await page.locator('#chart-latency-1 .u-legend .u-series th').allInnerTexts(), ['second', 'p50', 'p95', 'p99', 'p99 corrected']);

      const thresholdRows = page.locator('table.thresholds tbody tr');
      assert.equal(await thresholdRows.count(), summary.puppilot.thresholds.length);
      assert.deepEqual(
        await thresholdRows.evaluateAll((rows) => rows.map((r) => [r.querySelector('td')!.textContent, r.className])),
        summary.puppilot.thresholds.map((t) => [t.metric, t.ok ? 'ok' : 'breached']),
      );
      assert.equal(await page.locator('table.endpoints tbody tr').count(), endpoints.length);
      // The six steps, the capacity's the knee.
      assert.equal(summary.puppilot.windows.length, 6);
      assert.deepEqual(await page.locator('table.windows tbody tr td:first-child').allInnerTexts(), summary.puppilot.windows.map((w) => w.label));
      assert.equal(await page.locator('table.windows tr.knee').count(), 1);
      assert.equal(await page.locator('table.windows tr.knee td').first().innerText(), capacity.step);
      const capacityText = await page.locator('#capacity').innerText();
      assert.match(capacityText, /^Capacity: [\d.]+\/s \(step \d+: [\d.]+\/s\), the highest step that held every threshold; the next, [\d.]+\/s, did not: the knee lies between them\.$/);
      assert.equal(
        capacityText,
        `Capacity: ${formatNumber(capacity.rate)}/s (${capacity.step}), the highest step that held every threshold; the next, ${formatNumber(capacity.failedRate!)}/s, did not: the knee lies between them.`,
      );
      assert.equal(await page.locator('table.contract-samples tbody tr').count(), summary.puppilot.contractFailureSamples.length, 'the contract failure samples');
      assert.equal(await page.locator('table.baseline tbody tr').count(), summary.puppilot.baseline!.comparisons.length);
      assert.match(await page.locator('#verdict').innerText(), /Verdict\s+FAILED[\s\S]*threshold breached/);
      assert.equal(await page.locator('.description').innerText(), 'Climb in six steps </script><img src=x onerror=alert(1)> to find the knee');
      assert.equal(await page.locator('img').count(), 0, 'the description made no <img>');

      assert.deepEqual(requests, [], 'the page made a network request');
      assert.deepEqual(errors, [], 'the page reported an error');

      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = readFileSync(SCREENSHOT);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 1280, 'screenshot width');
    } finally {
      await page.close();
    }
  });

  test('a run with one endpoint and gaps in its series draws one latency chart and still fetches nothing', async () => {
    const summary = loadSummaryFixture({ endpoints: ['sign-in'], soak: true });
    // No request of sign-in ended in seconds 10–12: those points are gaps, not zeros.
    for (const series of [summary.puppilot.timeseries.p50, summary.puppilot.timeseries.p95, summary.puppilot.timeseries.p99]) {
      for (const s of [10, 11, 12]) series['sign-in']![s] = null;
    }
    const { page, requests, errors } = await open(summary, 'soak');
    try {
      const charts = await drawnCharts(page);
      assert.deepEqual(charts.map((c) => c.id), ['chart-arrivals', 'chart-latency-1', 'chart-failures']);
      assert.ok(charts.every((c) => c.rendered === 'true' && c.canvases[0]?.painted));
      assert.match(await page.locator('#drift').innerText(), /Drift: p95 [\d.]+ ms in the first window/);
      assert.equal(await page.locator('#baseline').count(), 0, 'no baseline section without a baseline');
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
