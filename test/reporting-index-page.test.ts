// The reports page's model and markup (reporting/index-page.ts, contract-run.ts), without
// a browser: what it links, what it says when there is nothing yet, that it is one file
// with uPlot inline and a CSP forbidding any fetch, and that names it did not choose are
// escaped. The page in a browser: reports-page.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readContractRun } from '../reporting/contract-run.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { recordContractRun } from '../reporting/contract-history.ts';
import { chartAssets } from '../reporting/page.ts';
import { writeLoadRun } from './fixtures/load-runs.ts';

const scratch = mkdtempSync(join(tmpdir(), 'index-page-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const root = join(scratch, String(n++));
  mkdirSync(root);
  return root;
};

function writeContractRun(root: string, stats: object, metadata: object = { target: 'http://127.0.0.1:8787' }) {
  mkdirSync(join(root, 'contract', 'html'), { recursive: true });
  writeFileSync(join(root, 'contract', 'html', 'index.html'), '<title>report</title>');
  writeFileSync(join(root, 'contract', 'results.json'), JSON.stringify({ config: { metadata }, suites: [], errors: [], stats }));
}

const stats = { startTime: '2026-11-28T17:00:00.000Z', duration: 17_400, expected: 110, skipped: 2, unexpected: 0, flaky: 0 };

test('an empty reports folder: the page says how to fill it, and draws no chart', () => {
  const root = freshRoot();
  const { path, model } = writeReportsIndex(root, new Date('2026-11-28T18:00:00Z'));
  assert.equal(path, join(root, 'index.html'));
  assert.deepEqual(model.contract, { kind: 'none' });
  const html = readFileSync(path, 'utf8');
  assert.match(html, /No contract run stored yet/);
  assert.match(html, /No load run stored in <code>reports\/load\/<\/code> yet/);
  assert.doesNotMatch(html, /<svg|<script|<figure/);
  assert.match(html, /Generated 2026-11-28 18:00:00 UTC/);
});

test('the latest contract run: its counts, target and links to the files that exist', () => {
  const root = freshRoot();
  writeContractRun(root, stats);
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  const row = /<tr class="tone-good latest" data-started="2026-11-28T17:00:00.000Z">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
  assert.match(row, /<td class="when">2026-11-28 17:00:00 UTC <span class="muted">\(latest\)<\/span><\/td><td class="verdict"><span class="badge good">passed<\/span><\/td><td><code>http:\/\/127\.0\.0\.1:8787<\/code><\/td><td class="num">17\.4 s<\/td><td class="num">110<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">2<\/td>/);
  assert.match(html, /<a href="contract\/html\/index\.html">HTML report<\/a>/);
  assert.match(html, /<a href="contract\/results\.json">JSON results<\/a>/);
  assert.doesNotMatch(html, /junit\.xml/, 'no link to a file that does not exist');
});

test('a failed contract run is marked failed, and a run with no passing test is not called passed', () => {
  const failed = freshRoot();
  writeContractRun(failed, { ...stats, expected: 100, unexpected: 3 });
  assert.match(readFileSync(writeReportsIndex(failed).path, 'utf8'), /badge bad">failed</);
  const empty = freshRoot();
  writeContractRun(empty, { ...stats, expected: 0, skipped: 112 });
  assert.match(readFileSync(writeReportsIndex(empty).path, 'utf8'), /badge neutral">no test passed</);
});

test('the contract history: every recorded run, newest first, failed titles escaped, only the latest linked', () => {
  const root = freshRoot();
  writeContractRun(root, { ...stats, startTime: '2026-11-27T17:00:00.000Z', expected: 108, unexpected: 2 });
  const report = JSON.parse(readFileSync(join(root, 'contract', 'results.json'), 'utf8')) as Record<string, unknown>;
  report.suites = [{ title: 'a.spec.ts', specs: [{ title: 'refuses <script>alert(1)</script>', tests: [{ status: 'unexpected' }] }] }];
  writeFileSync(join(root, 'contract', 'results.json'), JSON.stringify(report));
  recordContractRun(root, { status: 'failed' });
  writeContractRun(root, stats);
  recordContractRun(root, { status: 'passed' });
  writeFileSync(join(root, 'contract-history', '20261126T170000Z.json'), 'garbage');
  const { path, model } = writeReportsIndex(root);
  const html = readFileSync(path, 'utf8');
  assert.deepEqual(model.contractHistory.map((r) => r.status), ['passed', 'failed']);
  const rows = [...html.matchAll(/<tr class="(tone-[a-z]+)( latest)?" data-started="([^"]+)">(.*?)<\/tr>/g)];
  assert.deepEqual(rows.map((r) => [r[1], r[3]]), [['tone-good', '2026-11-28T17:00:00.000Z'], ['tone-bad', '2026-11-27T17:00:00.000Z']]);
  assert.match(rows[1]![4]!, /<ul class="failed-tests"><li>a\.spec\.ts › refuses &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/li><\/ul>/);
  assert.doesNotMatch(rows[1]![4]!, /HTML report/);
  assert.match(rows[0]![4]!, /HTML report/);
  assert.match(html, /<code>contract-history\/20261126T170000Z\.json<\/code> \(not JSON\)/);
  assert.match(html, /2 contract runs and 0 load runs stored/);
});

test('a contract results file that is not a Playwright report is named unreadable', () => {
  const root = freshRoot();
  mkdirSync(join(root, 'contract'));
  writeFileSync(join(root, 'contract', 'results.json'), '{"stats": {"expected": "many"}}');
  assert.deepEqual(readContractRun(join(root, 'contract')), { kind: 'unreadable', reason: 'results.json has no test counts (not a Playwright JSON report?)' });
  writeFileSync(join(root, 'contract', 'results.json'), 'not json');
  assert.deepEqual(readContractRun(join(root, 'contract')), { kind: 'unreadable', reason: 'results.json is not JSON' });
});

test('load runs: one self-contained page with uPlot inline, a CSP, two charts per scenario and a row per run', () => {
  const root = freshRoot();
  const older = writeLoadRun(root, { scenario: 'load', at: new Date('2026-11-20T02:00:00Z'), p95Ms: 120, throughputRps: 48 }, { 'dashboard.html': '<h1>x</h1>' });
  const newer = writeLoadRun(root, { scenario: 'load', at: new Date('2026-11-21T02:00:00Z'), p95Ms: 130, throughputRps: 50, thresholds: { 'p(95)<100': false } });
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:;/);
  assert.ok(html.includes(chartAssets().script.slice(0, 200)), 'uPlot is inline');
  assert.doesNotMatch(html, /<svg|<(script|link|img|iframe)[^>]+(src|href)=/i);
  assert.match(html, /<figure class="chart" id="trend-1-load-latency" data-chart="latency"/);
  assert.match(html, /<figure class="chart" id="trend-1-load-throughput" data-chart="throughput"/);
  const rows = [...html.matchAll(/<tr data-run="([^"]+)" data-verdict="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(rows, [[newer, 'failed'], [older, 'passed']]);
  assert.match(html, new RegExp(`<a href="load/${older}/dashboard\\.html">dashboard\\.html</a>`));
  // Without report.html, a run's date and its point open its summary.
  assert.match(html, new RegExp(`<a href="load/${older}/summary\\.json">2026-11-20 02:00:00 UTC</a>`));
  assert.match(html, /0 contract runs and 2 load runs stored/);
});

test('a folder name it did not choose is escaped, in text and in links', () => {
  const root = freshRoot();
  mkdirSync(join(root, 'load', '<img src=x onerror=alert(1)>'), { recursive: true });
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /<code>load\/&lt;img src=x onerror=alert\(1\)&gt;<\/code>: folder name is not/);
});

test('the self-check: its summary line and a link to its table', () => {
  const root = freshRoot();
  mkdirSync(join(root, 'selfcheck'));
  writeFileSync(join(root, 'selfcheck', 'table.txt'), 'variation  result\n---\nx  caught\n\n39/39 faults caught, 9/9 harmless variations passed (control run included), 786 s\n');
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  assert.match(html, /reference API: 39\/39 faults caught, 9\/9 harmless variations passed \(control run included\), 786 s\. <a href="selfcheck\/table\.txt">The table<\/a>/);
});

