// The reports page as a reader sees it: generated from stored runs, opened from disk in
// headless Chromium (Debian's, lib/chromium.ts), and checked for what it shows: the contract
// history (a row per run, its verdict and the titles of the tests that failed), a uPlot chart
// with painted pixels for each scenario's latency and throughput, the verdict of each load
// run in the charts and its table, and that clicking a run's point opens that run's report.
// Not one request leaves the file, and nothing is logged as an error. The screenshot is kept
// as reports/reports-page.png for a human look.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from '@playwright/test';
import { launchChromium } from '../lib/chromium.ts';
import { PROJECT_ROOT } from '../lib/config.ts';
import { writeRunReports } from '../load/report/write.ts';
import { recordContractRun, type ContractStatus } from '../reporting/contract-history.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { runFolderName } from '../reporting/load-runs.ts';
import { formatNumber } from '../reporting/page.ts';
import { writeLoadRun } from './fixtures/load-runs.ts';
import { loadSummaryFixture, type LoadSummaryFixtureOptions } from './fixtures/load-summary.ts';

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

// ---------------------------------------------------------------------------------------
// Contract runs: five nightly runs, the fourth failing two tests.

const FAILED_TITLES = ['refuses a reused refresh token', 'locks the account after five wrong passwords'];
const SECRET = 'eyJhbGciOiJFZERTQSJ9.c2VjcmV0.dG9rZW4';

function playwrightReport(startTime: Date, failing: string[]) {
  const spec = (title: string, status: string) => ({ title, ok: status !== 'unexpected', tests: [{ status, results: [{ error: { message: `got ${SECRET}` } }] }] });
  return {
    config: { metadata: { target: 'http://127.0.0.1:8787', targetKind: 'embedded' } },
    suites: [
      { title: 'refresh.spec.ts', file: 'refresh.spec.ts', specs: [spec('rotates the refresh token', 'expected'), ...failing.slice(0, 1).map((t) => spec(t, 'unexpected'))] },
      { title: 'sign-in.spec.ts', file: 'sign-in.spec.ts', specs: [], suites: [{ title: 'lockout', file: 'sign-in.spec.ts', specs: failing.slice(1).map((t) => spec(t, 'unexpected')) }] },
    ],
    errors: [],
    stats: { startTime: startTime.toISOString(), duration: 17_400, expected: 110 - failing.length, unexpected: failing.length, flaky: 0, skipped: 2 },
  };
}

const CONTRACT_RUNS: { at: Date; failing: string[] }[] = [
  { at: day(20, 10), failing: [] },
  { at: day(21, 10), failing: [] },
  { at: day(22, 10), failing: [] },
  { at: day(23, 10), failing: FAILED_TITLES },
  { at: day(24, 10), failing: [] },
];

function writeContractRuns(root: string, runs: typeof CONTRACT_RUNS, history = true): void {
  mkdirSync(join(root, 'contract', 'html'), { recursive: true });
  writeFileSync(join(root, 'contract', 'html', 'index.html'), '<!doctype html><title>Playwright Test Report</title><h1>contract report</h1>');
  for (const run of runs) {
    writeFileSync(join(root, 'contract', 'results.json'), JSON.stringify(playwrightReport(run.at, run.failing)));
    const status: ContractStatus = run.failing.length ? 'failed' : 'passed';
    if (history) assert.ok('recorded' in recordContractRun(root, { status }));
  }
}

// ---------------------------------------------------------------------------------------
// Load runs: a week of nightly `load` runs (one failed, one invalid), four `stress` runs with
// a capacity, all in the suite's full shape with their report.html, and one plain k6 smoke.

interface StoredRun {
  scenario: string;
  at: Date;
  options: LoadSummaryFixtureOptions;
}

const LOAD_RUNS: StoredRun[] = [
  ...[1, 1.05, 0.97, 1.1, 1.02, 1.3, 0.99].map((latencyScale, i) => ({
    scenario: 'load',
    at: day(18 + i),
    options: { latencyScale, rate: 40 + i, ...(i === 3 ? { breached: true } : {}), ...(i === 5 ? { invalid: true } : {}) },
  })),
  ...[0, 2, 4, 6].map((d, i) => ({ scenario: 'stress', at: day(18 + d, 4), options: { stress: true, rate: 30 + i * 4, latencyScale: 1 + i * 0.05 } })),
];
const runId = (r: StoredRun) => runFolderName(r.scenario, r.at);

function writeStoredRuns(root: string): void {
  for (const run of LOAD_RUNS) {
    const summary = loadSummaryFixture({ ...run.options, scenario: run.scenario, startedAt: run.at.toISOString() });
    writeRunReports(join(root, 'load', runId(run)), summary);
  }
  writeLoadRun(root, { scenario: 'smoke', at: day(23, 9), p95Ms: 35, throughputRps: 5, endpointP95Ms: { 'sign-in': 48, refresh: 12 } });
}

function reportsFolder(name: string, fill: (root: string) => void): string {
  const root = join(scratch, name);
  mkdirSync(root, { recursive: true });
  fill(root);
  writeReportsIndex(root, day(24, 11));
  return root;
}

// ---------------------------------------------------------------------------------------

interface Opened {
  page: Page;
  /** Every request the page made that is not a file or inline data. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

async function open(root: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    if (!/^(file|data):/.test(request.url())) requests.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(join(root, 'index.html')).href);
  return { page, requests, errors };
}

/** The little of a canvas these checks use (the project compiles without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getBoundingClientRect(): { width: number; height: number };
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface Element {
  id: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selector: string): ArrayLike<unknown>;
}

interface DrawnChart {
  id: string;
  rendered: string | null;
  canvases: { width: number; height: number; painted: number; colours: Record<string, number> }[];
}

/** Every chart figure: its uPlot canvases, how many pixels are painted and how many carry each colour. */
async function drawnCharts(page: Page, colours: Record<string, [number, number, number]>): Promise<DrawnChart[]> {
  await page.locator('figure.chart[data-rendered]').first().waitFor();
  return page.locator('figure.chart').evaluateAll((nodes, colours) => {
    return nodes.map((node) => {
      const figure = node as unknown as Element;
      return {
        id: figure.id,
        rendered: figure.getAttribute('data-rendered'),
        canvases: Array.from(figure.querySelectorAll('.uplot canvas')).map((c) => {
          const canvas = c as Canvas;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          const counts: Record<string, number> = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3]! === 0) continue;
            painted += 1;
            for (const [name, [r, g, b]] of Object.entries(colours)) {
              if (data[i + 3]! > 200 && Math.abs(data[i]! - r) < 12 && Math.abs(data[i + 1]! - g) < 12 && Math.abs(data[i + 2]! - b) < 12) counts[name]! += 1;
            }
          }
          const box = canvas.getBoundingClientRect();
          return { width: box.width, height: box.height, painted, colours: counts };
        }),
      };
    });
  }, colours);
}

const COLOURS: Record<string, [number, number, number]> = {
  failed: [220, 38, 38],
  invalid: [217, 119, 6],
  passed: [22, 163, 74],
  capacity: [234, 88, 12],
  throughput: [37, 99, 235],
};

const rowsOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((rows) =>
    rows.map((row) => {
      const r = row as unknown as { getAttribute(n: string): string | null; querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
      return {
        run: r.getAttribute('data-run'),
        started: r.getAttribute('data-started'),
        verdict: r.querySelector('.verdict .badge')?.textContent ?? null,
        failedTests: Array.from(r.querySelectorAll('.failed-tests li')).map((li) => li.textContent),
        html: (r as unknown as { innerHTML: string }).innerHTML,
      };
    }),
  );

describe('the reports page in Chromium', () => {
  test('contract history, a uPlot chart per scenario and figure, verdicts, and clicking a point opens its report', async () => {
    const root = reportsFolder('week', (r) => {
      writeContractRuns(r, CONTRACT_RUNS);
      writeStoredRuns(r);
    });
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external script, stylesheet or image');
    assert.doesNotMatch(html, /<svg/, 'no hand-drawn chart');
    assert.ok(!html.includes(SECRET), 'no error message reaches the page');

    const { page, requests, errors } = await open(root);
    try {
      // Contract history: newest first, the failing run with its two titles, the latest linked.
      const contract = await rowsOf(page, 'table.contract-runs tbody tr');
      assert.deepEqual(contract.map((r) => r.started), [...CONTRACT_RUNS].reverse().map((r) => r.at.toISOString()));
      assert.deepEqual(contract.map((r) => r.verdict), ['passed', 'failed', 'passed', 'passed', 'passed']);
      assert.deepEqual(contract[1]!.failedTests, ['refresh.spec.ts › refuses a reused refresh token', 'sign-in.spec.ts › lockout › locks the account after five wrong passwords']);
      assert.match(contract[0]!.html, /<a href="contract\/html\/index\.html">HTML report<\/a>/);
      assert.doesNotMatch(contract[1]!.html, /HTML report/, 'only the latest run has its report folder');
      assert.equal(await page.locator('.strip .cell').count(), 5);

      // Charts: two per scenario, each a uPlot canvas with painted pixels.
      const charts = await drawnCharts(page, COLOURS);
      assert.deepEqual(charts.map((c) => c.id), [
        'trend-1-load-latency', 'trend-1-load-throughput',
        'trend-2-smoke-latency', 'trend-2-smoke-throughput',
        'trend-3-stress-latency', 'trend-3-stress-throughput',
      ]);
      for (const chart of charts) {
        assert.equal(chart.rendered, 'true', `${chart.id} was not drawn`);
        assert.equal(chart.canvases.length, 1, `${chart.id}: one uPlot canvas`);
        const canvas = chart.canvases[0]!;
        assert.ok(canvas.width > 400 && canvas.height > 200, `${chart.id}: canvas is ${canvas.width}×${canvas.height}`);
        assert.ok(canvas.painted > 5_000, `${chart.id}: only ${canvas.painted} pixels painted`);
      }
      const byId = new Map(charts.map((c) => [c.id, c.canvases[0]!.colours]));
      // The failed and the invalid run are marked in their verdict colours; stress charts its capacity.
      assert.ok(byId.get('trend-1-load-throughput')!['failed']! > 30, 'the failed load run is marked red');
      assert.ok(byId.get('trend-1-load-throughput')!['invalid']! > 30, 'the invalid load run is marked amber');
      assert.ok(byId.get('trend-1-load-throughput')!['throughput']! > 200, 'the throughput line');
      assert.ok(byId.get('trend-3-stress-throughput')!['capacity']! > 200, 'the capacity line');
      assert.equal(byId.get('trend-2-smoke-throughput')!['capacity']!, 0, 'no capacity outside stress');

      // The charts hold the runs' figures: p95/p99 per endpoint, throughput, capacity.
      const series = await page.evaluate(() => {
        const { charts } = (globalThis as unknown as { reportsPage: { charts: { id: string; plot: { series: { label: string }[]; data: (number | null)[][] }; runs: { id: string; verdict: string; href: string }[] }[] } }).reportsPage;
        return charts.map((c) => ({ id: c.id, labels: c.plot.series.slice(1).map((s) => s.label), data: c.plot.data, runs: c.runs }));
      });
      const load = series.find((s) => s.id === 'trend-1-load-latency')!;
      assert.deepEqual(load.labels, ['p95 sign-in', 'p99 sign-in', 'p95 refresh', 'p99 refresh', 'p95 chat', 'p99 chat']);
      const loadRuns = LOAD_RUNS.filter((r) => r.scenario === 'load');
      assert.deepEqual(load.runs.map((r) => r.id), loadRuns.map(runId));
      assert.deepEqual(load.runs.map((r) => r.verdict), ['passed', 'passed', 'passed', 'failed', 'passed', 'invalid', 'passed']);
      const summaryOf = (id: string) => JSON.parse(readFileSync(join(root, 'load', id, 'summary.json'), 'utf8')) as ReturnType<typeof loadSummaryFixture>;
      const third = summaryOf(runId(loadRuns[2]!));
      assert.equal(load.data[4]![2], third.puppilot.endpoints['refresh']!.duration['p(99)']);
      assert.deepEqual(load.data[0], loadRuns.map((r) => r.at.getTime() / 1000));
      const stress = series.find((s) => s.id === 'trend-3-stress-throughput')!;
      assert.deepEqual(stress.labels, ['achieved req/s', 'capacity arrivals/s']);
      const firstStress = summaryOf(runId(LOAD_RUNS.find((r) => r.scenario === 'stress')!));
      assert.equal(stress.data[1]![0], firstStress.metrics['http_reqs']!.values['rate']);
      assert.equal(stress.data[2]![0], firstStress.puppilot.capacity!.rate);
      const smoke = series.find((s) => s.id === 'trend-2-smoke-latency')!;
      assert.deepEqual(smoke.labels, ['p95 sign-in', 'p99 sign-in', 'p95 refresh', 'p99 refresh'], 'a plain k6 summary charts what it has');
      assert.equal(smoke.runs[0]!.href, `load/${runFolderName('smoke', day(23, 9))}/summary.json`, 'without report.html, its summary');

      // The load runs tables: newest first, each with its verdict and a link to its report.
      const loadRows = await rowsOf(page, 'section.scenario[data-scenario="load"] table.runs tbody tr');
      assert.deepEqual(loadRows.map((r) => r.run), loadRuns.map(runId).reverse());
      assert.deepEqual(loadRows.map((r) => r.verdict), ['passed', 'invalid', 'passed', 'failed', 'passed', 'passed', 'passed']);
      assert.match(loadRows[0]!.html, new RegExp(`<a href="load/${runId(loadRuns[6]!)}/report\\.html">2026-11-24 02:00:00 UTC</a>`));
      const stressRows = await rowsOf(page, 'section.scenario[data-scenario="stress"] table.runs tbody tr');
      assert.equal(stressRows.length, 4);
      // The capacity column: each run's capacity and the step it was reached at (stress labels a step "step 4: 21/s").
      const stressRuns = LOAD_RUNS.filter((r) => r.scenario === 'stress').reverse();
      assert.deepEqual(stressRows.map((r) => r.run), stressRuns.map(runId));
      for (const [i, run] of stressRuns.entries()) {
        const { rate, step } = summaryOf(runId(run)).puppilot.capacity!;
        assert.ok(rate !== null && step !== null, `${runId(run)} has a capacity`);
        assert.match(stressRows[i]!.html, /<td class="num">\d+(\.\d+)? <span class="muted">\(step \d+: \d+(\.\d+)?\/s\)<\/span><\/td>/, 'the capacity column');
        assert.ok(stressRows[i]!.html.includes(`<td class="num">${formatNumber(rate)} <span class="muted">(${step})</span></td>`), `${runId(run)}: capacity ${rate} at ${step}`);
      }

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = readFileSync(SCREENSHOT);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 1280, 'screenshot width');

      // Hovering a point names its run; clicking it opens that run's report.html.
      const failed = runId(loadRuns[3]!);
      const chart = page.locator('#trend-1-load-latency');
      await chart.scrollIntoViewIfNeeded();
      const at = await page.evaluate((id) => {
        const { charts } = (globalThis as unknown as { reportsPage: { charts: { id: string; plot: { over: { getBoundingClientRect(): { left: number; top: number; height: number } }; valToPos(v: number, s: string): number }; runs: { id: string; t: number }[] }[] } }).reportsPage;
        const c = charts.find((x) => x.id === 'trend-1-load-latency')!;
        const run = c.runs.find((r) => r.id === id)!;
        const box = c.plot.over.getBoundingClientRect();
        return { x: box.left + c.plot.valToPos(run.t, 'x'), y: box.top + box.height / 2 };
      }, failed);
      await page.mouse.move(at.x, at.y, { steps: 4 });
      assert.match((await chart.locator('.chart-run').innerText()).trim(), new RegExp(`^${failed} · failed · click`));
      await Promise.all([page.waitForURL(`**/load/${failed}/report.html`), page.mouse.click(at.x, at.y)]);
      assert.match(await page.title(), /^Load run load: FAILED \(2026-11-21 02:00:00 UTC\)/);

      assert.deepEqual(requests, [], 'the page made a network request');
      assert.deepEqual(errors, [], 'the page logged an error');
    } finally {
      await page.close();
    }
  });

  test('clicking beside a run, between two nights, opens nothing', async () => {
    const root = join(scratch, 'week');
    const { page, errors } = await open(root);
    try {
      type Charts = { charts: { id: string; holder: Element; plot: { over: { addEventListener(type: 'click', listener: () => void): void; getBoundingClientRect(): { left: number; top: number; height: number } }; valToPos(v: number, s: string): number }; runs: { t: number }[] }[] };
      // Scrolled first: the point is measured where it will be clicked.
      await page.locator('figure.chart[data-rendered="true"]').first().scrollIntoViewIfNeeded();
      const at = await page.evaluate(() => {
        const { charts } = (globalThis as unknown as { reportsPage: Charts }).reportsPage;
        const c = charts[0]!;
        // Listeners run in the order they were added: once this one has run, the page's own
        // click handler (which opens a run synchronously) has run too. No wait is needed.
        c.plot.over.addEventListener('click', () => c.holder.setAttribute('data-test-clicked', 'true'));
        const box = c.plot.over.getBoundingClientRect();
        const mid = (c.plot.valToPos(c.runs[0]!.t, 'x') + c.plot.valToPos(c.runs[1]!.t, 'x')) / 2;
        return { id: c.id, x: box.left + mid, y: box.top + box.height / 2 };
      });
      const before = page.url();
      await page.mouse.click(at.x, at.y);
      // Read in one go: had the click opened a run, this page would be on its way out.
      const after = await page.evaluate((id) => {
        const figure = (globalThis as unknown as { document: { getElementById(id: string): Element | null } }).document.getElementById(id)!;
        return { clicked: figure.querySelectorAll('[data-test-clicked]').length, opening: figure.getAttribute('data-opening') };
      }, at.id);
      assert.equal(after.clicked, 1, 'the click did not land on the chart: the check would prove nothing');
      assert.equal(after.opening, null, 'a click between two runs opened one');
      assert.equal(page.url(), before);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('a CI artifact with contract/ alone: the latest run is the one history row; no load run, no chart and no script', async () => {
    const root = reportsFolder('artifact', (r) => writeContractRuns(r, CONTRACT_RUNS.slice(3, 4), false));
    const { page, requests, errors } = await open(root);
    try {
      const rows = await rowsOf(page, 'table.contract-runs tbody tr');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.verdict, 'failed');
      assert.equal(rows[0]!.failedTests.length, 2);
      assert.match(await page.locator('#load').innerText(), /No load run stored in reports\/load\/ yet/);
      assert.equal(await page.locator('figure.chart').count(), 0);
      assert.equal(await page.locator('script').count(), 0);
      await page.getByRole('link', { name: 'HTML report' }).click();
      assert.equal(await page.title(), 'Playwright Test Report');
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
