// The reports page's model and markup (reporting/index-page.ts, contract-run.ts), without
// a browser: what it links, what it says when there is nothing yet, and that names it did
// not choose are escaped.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readContractRun } from '../reporting/contract-run.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
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
  assert.doesNotMatch(html, /<svg/);
  assert.match(html, /Generated 2026-11-28 18:00:00 UTC/);
});

test('the latest contract run: its counts, target and links to the files that exist', () => {
  const root = freshRoot();
  writeContractRun(root, stats);
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  assert.match(html, /<span class="badge good">passed<\/span> 2026-11-28 17:00:00 UTC against <code>http:\/\/127\.0\.0\.1:8787<\/code>, 17\.4 s: <strong>110<\/strong> passed, <strong>0<\/strong> failed/);
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
  assert.match(readFileSync(writeReportsIndex(empty).path, 'utf8'), /badge empty">no test passed</);
});

test('a contract results file that is not a Playwright report is named unreadable', () => {
  const root = freshRoot();
  mkdirSync(join(root, 'contract'));
  writeFileSync(join(root, 'contract', 'results.json'), '{"stats": {"expected": "many"}}');
  assert.deepEqual(readContractRun(join(root, 'contract')), { kind: 'unreadable', reason: 'results.json has no test counts (not a Playwright JSON report?)' });
  writeFileSync(join(root, 'contract', 'results.json'), 'not json');
  assert.deepEqual(readContractRun(join(root, 'contract')), { kind: 'unreadable', reason: 'results.json is not JSON' });
});

test('load runs: both charts, a row per run (newest first) linking its files', () => {
  const root = freshRoot();
  const older = writeLoadRun(root, { scenario: 'load', at: new Date('2026-11-20T02:00:00Z'), p95Ms: 120, throughputRps: 48 }, { 'dashboard.html': '<h1>x</h1>' });
  const newer = writeLoadRun(root, { scenario: 'load', at: new Date('2026-11-21T02:00:00Z'), p95Ms: 130, throughputRps: 50 });
  const html = readFileSync(writeReportsIndex(root).path, 'utf8');
  assert.match(html, /<svg class="trend" data-chart="p95"/);
  assert.match(html, /<svg class="trend" data-chart="throughput"/);
  const rows = [...html.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(rows, [newer, older]);
  assert.match(html, new RegExp(`<a href="load/${older}/dashboard\\.html">dashboard\\.html</a>`));
  assert.match(html, /2 load runs stored/);
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

