// The report side of a load run (load/report/): the JUnit file, the terminal summary, the
// baseline comparison and the HTML page's markup, from the summary fixture. How the page
// looks in a browser is test/load-report-page.test.ts's job.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SuiteError } from '../lib/errors.ts';
import { formatNumber } from '../reporting/page.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { compareWithBaseline, readSummaryFile, renderBaselineMarkdown, renderBaselineTable } from '../load/report/baseline.ts';
import { chartSpecs } from '../load/report/charts.ts';
import { renderConsoleSummary } from '../load/report/console.ts';
import { renderRunReport } from '../load/report/html.ts';
import { escapeXml, renderJunit } from '../load/report/junit.ts';
import { writeRunReports } from '../load/report/write.ts';
import { FIXTURE_ENDPOINTS, loadSummaryFixture } from './fixtures/load-summary.ts';

const HOSTILE = 'x </script><img src=x onerror=alert(1)> & "q" \'s ]]> \u0007bell';
const ANSI = /\u001b\[/;
const scratch = mkdtempSync(join(tmpdir(), 'load-report-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A small well-formedness check for the XML we write: every `<` opens a tag, tags nest and
 * close, attribute values are quoted and hold no raw `<`, every `&` starts an entity.
 * Returns the elements in document order with their attributes, unescaped.
 */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const unescape = (s: string) => s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, n: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[n]!);
  const badAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i;
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const stack: { name: string; index: number }[] = [];
  let pos = 0;
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  for (const m of body.matchAll(/<([^>]*)>/g)) {
    const text = body.slice(pos, m.index);
    assert.ok(!badAmp.test(text), `a bare & in text: ${text}`);
    if (stack.length) elements[stack.at(-1)!.index]!.text += unescape(text);
    else assert.equal(text.trim(), '', `text outside the root: ${text}`);
    pos = m.index + m[0].length;
    const inner = m[1]!;
    if (inner.startsWith('/')) {
      const open = stack.pop();
      assert.equal(open?.name, inner.slice(1), `</${inner.slice(1)}> closes <${open?.name}>`);
      continue;
    }
    const tag = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)$/.exec(inner);
    assert.ok(tag, `malformed tag <${inner}>`);
    const attrs: Record<string, string> = {};
    for (const a of tag[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      assert.ok(!badAmp.test(a[2]!), `a bare & in ${a[1]}="${a[2]}"`);
      attrs[a[1]!] = unescape(a[2]!);
    }
    elements.push({ name: tag[1]!, attrs, text: '' });
    if (!tag[3]) stack.push({ name: tag[1]!, index: elements.length - 1 });
  }
  assert.equal(stack.length, 0, `unclosed: ${stack.map((s) => s.name).join(', ')}`);
  assert.equal(body.slice(pos).trim(), '');
  return elements;
}

const testcases = (xml: string) => {
  const elements = parseXml(xml);
  const cases: { name: string; classname: string; failure?: { message: string; text: string } }[] = [];
  for (const el of elements) {
    if (el.name === 'testcase') cases.push({ name: el.attrs.name!, classname: el.attrs.classname! });
    if (el.name === 'failure') cases.at(-1)!.failure = { message: el.attrs.message!, text: el.text };
  }
  return { elements, cases };
};

describe('junit.xml', () => {
  test('one testcase per threshold, a failure with the actual value where breached', () => {
    const summary = loadSummaryFixture({ breached: true });
    const { elements, cases } = testcases(renderJunit(summary));
    const thresholds = summary.puppilot.thresholds;
    const thresholdCases = cases.filter((c) => c.classname === 'load.load.thresholds');
    assert.deepEqual(thresholdCases.map((c) => c.name), thresholds.map((t) => `${t.metric}: ${t.expression}`));
    const breached = thresholds.filter((t) => !t.ok);
    assert.ok(breached.length >= 1, 'the fixture breaches a threshold');
    for (const [i, th] of thresholds.entries()) {
      const failure = thresholdCases[i]!.failure;
      if (th.ok) assert.equal(failure, undefined, `${th.metric} held but has a failure`);
      else assert.match(failure?.message ?? '', /^breached: actual \d/, `${th.metric} breached without its actual value`);
    }
    assert.match(thresholdCases.find((c) => c.name === 'http_req_duration{endpoint:sign-in}: p(95)<100')!.failure!.message, /actual \d+ ms/);
    // The breached fixture also fails 1 % of its sign-ins: the requests testcase fails, naming them.
    const signIn = summary.puppilot.endpoints['sign-in']!;
    assert.ok(signIn.failed > 0 && Object.entries(summary.puppilot.endpoints).every(([name, e]) => name === 'sign-in' || e.failed === 0), 'only sign-ins failed');
    assert.deepEqual(cases.filter((c) => c.classname === 'load.load').map((c) => [c.name, c.failure === undefined]), [
      ['run validity', true],
      ['requests (0 failed)', false],
      ['contract (0 contract failures)', true],
    ]);
    const requests = cases.find((c) => c.name === 'requests (0 failed)')!.failure!;
    assert.match(requests.message, new RegExp(`^sign-in: ${signIn.failed} of ${signIn.requests} failed: HTTP (503|429) ×\\d+, HTTP (503|429) ×\\d+$`), requests.message);
    const suite = elements.find((e) => e.name === 'testsuite')!;
    assert.equal(Number(suite.attrs.tests), cases.length);
    assert.equal(Number(suite.attrs.failures), cases.filter((c) => c.failure).length);
    assert.equal(Number(suite.attrs.failures), breached.length + 1);
  });

  test('a passing run has no failure element at all', () => {
    const summary = loadSummaryFixture();
    assert.equal(summary.puppilot.verdict.status, 'passed', 'the fixture passes');
    const xml = renderJunit(summary);
    assert.doesNotMatch(xml, /<failure/);
    // The load scenario's seven thresholds, each its own testcase, then validity, requests and contract.
    assert.equal(summary.puppilot.thresholds.length, 7);
    assert.deepEqual(testcases(xml).cases.map((c) => c.name), [
      ...summary.puppilot.thresholds.map((t) => `${t.metric}: ${t.expression}`),
      'run validity',
      'requests (0 failed)',
      'contract (0 contract failures)',
    ]);
  });

  test('validity, contract failures and baseline regressions fail their own testcases', () => {
    const baseline = loadSummaryFixture();
    const current = loadSummaryFixture({ latencyScale: 1.5, contractFailures: true, invalid: true });
    const verdict = compareWithBaseline(current, baseline, { allowedPct: 10, source: 'load/load-20261120T020000Z/summary.json' });
    const { cases } = testcases(renderJunit({ ...current, puppilot: { ...current.puppilot, baseline: verdict } }));
    const byName = new Map(cases.map((c) => [c.name, c]));
    // Every reason the engine gave (validity.ts), in its order, the first that the generator fell behind.
    const reasons = current.puppilot.validity.reasons;
    assert.ok(reasons.length >= 2, `the invalid fixture has its reasons: ${reasons.join('; ')}`);
    assert.equal(byName.get('run validity')!.failure!.message, `invalid: ${reasons.join('; ')}`);
    assert.match(byName.get('run validity')!.failure!.message, /^invalid: generator fell behind: [\d.]+ of 40 arrivals\/s over the run, lag p99 [\d.]+ ms; /);
    const contract = byName.get('contract (0 contract failures)')!.failure!;
    const broken = Object.entries(current.puppilot.endpoints).filter(([, e]) => e.contractFailures > 0);
    const total = broken.reduce((n, [, e]) => n + e.contractFailures, 0);
    assert.ok(total > 1, 'the fixture broke the contract more than once');
    assert.equal(contract.message, `${total} contract failures`);
    for (const [name, e] of broken) assert.ok(contract.text.includes(`${name}: ${e.contractFailures} of ${e.requests} responses broke the contract`), `${name}'s count`);
    const sample = current.puppilot.contractFailureSamples[0]!;
    assert.deepEqual(sample.problems, ['$.reply must be string', '$.usage required']);
    assert.ok(contract.text.includes(`sample ${sample.endpoint} status ${sample.status}: $.reply must be string; $.usage required`), `the sample's problems: ${contract.text}`);
    const baselineCases = cases.filter((c) => c.classname === 'load.load.baseline');
    assert.deepEqual(baselineCases.map((c) => c.name), verdict.comparisons.map((c) => `baseline: ${c.figure}`));
    assert.match(byName.get('baseline: p95 sign-in')!.failure!.message, /^regressed: baseline .* change \+[\d.]+ % \(allowed 10 %\)$/);
    // The invalid run offered 70 % of its arrivals, so its throughput fell as well.
    assert.match(byName.get('baseline: throughput')!.failure!.message, /^regressed: baseline [\d.]+ req\/s, current [\d.]+ req\/s, change -[\d.]+ %/);
  });

  test('a hostile scenario name and description are escaped into well-formed XML', () => {
    const summary = loadSummaryFixture({ description: HOSTILE, scenario: 'load"<x>&' });
    summary.puppilot.thresholds[0]!.expression = 'p(95)<500 && "odd"';
    const xml = renderJunit(summary);
    const { elements, cases } = testcases(xml);
    assert.doesNotMatch(xml, /<img|<\/script|<x>/);
    assert.doesNotMatch(xml, /\u0007/, 'a control character XML forbids');
    assert.equal(elements.find((e) => e.name === 'property' && e.attrs.name === 'description')!.attrs.value, HOSTILE.replace('\u0007', '\uFFFD'));
    assert.equal(elements.find((e) => e.name === 'testsuite')!.attrs.name, 'load.load"<x>&');
    assert.equal(cases[0]!.name, 'http_req_duration{endpoint:sign-in}: p(95)<500 && "odd"');
    assert.ok(xml.includes('name="http_req_duration{endpoint:sign-in}: p(95)&lt;500 &amp;&amp; &quot;odd&quot;"'), 'the expression, escaped in its attribute');
    assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
  });
});

/** A string matched literally inside a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the terminal summary', () => {
  // Slower by a quarter: the upper steps breach sign-in's p95 < 800 ms, the lower ones hold: a capacity.
  const baseline = loadSummaryFixture({ stress: true });
  const current = loadSummaryFixture({ stress: true, latencyScale: 1.25 });
  const verdict = compareWithBaseline(current, baseline, { allowedPct: 10, source: 'load/stress-20261120T020000Z/summary.json' });
  const withBaseline: LoadSummary = { ...current, puppilot: { ...current.puppilot, baseline: verdict } };

  test('verdict first, then target, config, validity, endpoints, thresholds, capacity and baseline; no colour codes', () => {
    const text = renderConsoleSummary(withBaseline, { color: false });
    assert.doesNotMatch(text, ANSI);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^ {2}✗ FAILED {2}stress against http:\/\/127\.0\.0\.1:8787 \(embedded\)$/);
    // Every reason of the verdict, one a line under it, in the engine's order (verdict.ts); among them sign-in's breach.
    const reasons = current.puppilot.verdict.reasons;
    assert.ok(reasons.some((r) => /^threshold breached: http_req_duration\{endpoint:sign-in\}: p\(95\)<800 \(actual [\d.]+\)$/.test(r)), reasons.join('\n'));
    assert.deepEqual(lines.slice(1, 1 + reasons.length), reasons.map((r) => `    - ${r}`));
    assert.equal(lines[1 + reasons.length], '');
    // The fixture's stress: the scenario's six steps scaled to a 40/s peak over 30 s.
    assert.match(text, /^ {2}executor \.+: ramping-arrival-rate, steps 3\.33, 6\.67, 13\.3, 20, 26\.7, 40\/s, each 0\.8s ramp \+ 4\.2s plateau, maxVUs 400$/m);
    assert.match(text, new RegExp(`^ {2}workers \\.+: ${current.puppilot.config.workers}, whole run \\(no segment\\)$`, 'm'));
    const v = current.puppilot.validity;
    assert.ok(v.valid && v.startedRate < v.offeredRate, 'a valid run that dropped arrivals: started below offered');
    const validity = `valid: target ${formatNumber(v.targetRate)}/s, offered ${formatNumber(v.offeredRate)}/s (${formatNumber((v.offeredRate / v.targetRate) * 100)} %), started ${formatNumber(v.startedRate)}/s, lag p99 ${formatNumber(v.lagMs.p99)} ms`;
    assert.match(text, new RegExp(`^ {2}validity \\.+: ${literal(validity)}$`, 'm'));
    assert.match(validity, /^valid: target [\d.]+\/s, offered [\d.]+\/s \([\d.]+ %\), started [\d.]+\/s, lag p99 [\d.]+ ms$/);
    const header = lines.find((l) => l.trim().startsWith('endpoint'))!;
    assert.match(header, /endpoint +reqs +req\/s +failed +contract +p50 +p95 +p99 +p99 corrected/);
    for (const endpoint of FIXTURE_ENDPOINTS) {
      const d = current.puppilot.endpoints[endpoint]!;
      const row = lines.find((l) => l.trimStart().startsWith(`${endpoint} `));
      assert.ok(row, `no row for ${endpoint}`);
      assert.ok(row.includes(d.requests.toLocaleString('en-US')), `${endpoint}: request count`);
    }
    for (const th of current.puppilot.thresholds) {
      const line = lines.find((l) => /^ {4}[✓✗] /.test(l) && l.includes(`${th.metric}: ${th.expression} `));
      assert.ok(line, `threshold ${th.metric}: ${th.expression} missing`);
      assert.match(line, th.ok ? /^ {4}✓ / : /^ {4}✗ /);
      assert.match(line, /actual [\d.]+/);
    }
    const capacity = current.puppilot.capacity!;
    assert.ok(capacity.rate !== null && capacity.step !== null, 'the lower steps held: a capacity');
    assert.ok(capacity.failedRate !== null && capacity.failedRate !== undefined, 'an upper step failed: the knee was reached');
    assert.match(text, /^ {2}capacity \.+: [\d.]+\/s \(step \d+: [\d.]+\/s\), the highest step that held every threshold; the next, [\d.]+\/s, did not: the knee lies between them$/m);
    assert.ok(
      text.includes(`  capacity ....: ${formatNumber(capacity.rate)}/s (${capacity.step}), the highest step that held every threshold; the next, ${formatNumber(capacity.failedRate)}/s, did not`),
      "the summary's capacity",
    );
    const noCapacity = renderConsoleSummary(loadSummaryFixture({ stress: true, breached: true }), { color: false });
    assert.match(noCapacity, /^ {2}capacity \.+: no step held every threshold$/m, 'sign-in p95 < 100 ms breached at every step');
    // A target fast enough at every step: the knee was not reached, and the summary says so.
    const fast = loadSummaryFixture({ stress: true, neverSaturates: true });
    assert.equal(fast.puppilot.capacity!.failedRate, null, 'every step held');
    const top = fast.puppilot.windows.at(-1)!;
    assert.ok(
      renderConsoleSummary(fast, { color: false }).includes(`  capacity ....: not reached: at least ${formatNumber(top.targetRate)}/s (${top.label}), every step held; raise LOAD_RATE to find the knee\n`),
      'the knee not reached',
    );
    assert.match(text, /baseline \.+: REGRESSED against load\/stress-20261120T020000Z\/summary\.json/);
    // A quarter slower, as the histograms keep it (3 significant digits): +25 % within 0.3 points, "+25 %" once written.
    const p95 = verdict.comparisons.find((c) => c.figure === 'p95 sign-in')!;
    assert.ok(p95.regressed && Math.abs(p95.changePct! - 25) < 0.3, `p95 sign-in change ${p95.changePct}`);
    assert.match(text, new RegExp(`^ {4}p95 sign-in +${literal(formatNumber(p95.baseline))} ms +${literal(formatNumber(p95.current))} ms +\\+25 % +REGRESSED$`, 'm'));
    assert.match(text, /^ {4}p95 sign-in +[\d,.]+ ms +[\d,.]+ ms +\+25 % +REGRESSED$/m);
    // In that order (by their line heads: the stress description itself speaks of the capacity).
    const at = ['✗ FAILED', '\n  executor ....: ', '\n  validity ....: ', '\n  endpoint ', '\n  thresholds\n', '\n  capacity ....: ', '\n  baseline ....: '].map((head) => text.indexOf(head));
    assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!)), `the sections out of order: ${at.join(', ')}`);
  });

  test('colour only when asked', () => {
    const text = renderConsoleSummary(withBaseline, { color: true });
    assert.match(text, /\u001b\[31m/, 'red for the failure');
    assert.match(text, /\u001b\[32m✓\u001b\[39m/, 'a green tick');
    assert.equal(text.replace(/\u001b\[\d+m/g, ''), renderConsoleSummary(withBaseline, { color: false }), 'the same text once the codes are gone');
  });

  test('a soak run shows its drift, a passing run says PASSED, and names cannot inject escape codes', () => {
    const soakSummary = loadSummaryFixture({ soak: true, description: `evil \u001b[2J${HOSTILE}` });
    const soak = renderConsoleSummary(soakSummary, { color: false });
    assert.match(soak.split('\n')[0]!, /^ {2}✓ PASSED {2}soak /);
    assert.match(soak, /drift \.+: p95 [\d.]+ ms → [\d.]+ ms \(\+[\d.]+ %\), failed [\d.]+ % → [\d.]+ %/);
    const drift = soakSummary.puppilot.drift!;
    assert.ok(drift.p95LastMs! > drift.p95FirstMs! && drift.p95ChangePct! > 0, 'latency drifted up');
    assert.ok(
      soak.includes(`  drift .......: p95 ${formatNumber(drift.p95FirstMs)} ms → ${formatNumber(drift.p95LastMs)} ms (+${formatNumber(drift.p95ChangePct)} %), failed ${formatNumber(drift.failedRateFirst * 100)} % → ${formatNumber(drift.failedRateLast * 100)} %\n`),
      "the summary's drift",
    );
    assert.doesNotMatch(soak, /capacity/);
    assert.doesNotMatch(soak, ANSI);
    assert.doesNotMatch(soak, /\u0007/);
    const invalidSummary = loadSummaryFixture({ invalid: true });
    const invalid = renderConsoleSummary(invalidSummary, { color: false });
    assert.match(invalid.split('\n')[0]!, /^ {2}! INVALID /);
    // The validity line with the offered share, then each of the engine's reasons (validity.ts) under it.
    const v = invalidSummary.puppilot.validity;
    assert.ok(v.reasons.length >= 2 && v.offeredRate < 0.95 * v.targetRate, 'the generator fell behind');
    const validity = `INVALID: target ${formatNumber(v.targetRate)}/s, offered ${formatNumber(v.offeredRate)}/s (${formatNumber((v.offeredRate / v.targetRate) * 100)} %), started ${formatNumber(v.startedRate)}/s, lag p99 ${formatNumber(v.lagMs.p99)} ms`;
    assert.ok(invalid.includes(`  validity ....: ${validity}\n${v.reasons.map((r) => `    - ${r}\n`).join('')}`), `the validity line and its reasons:\n${invalid}`);
    assert.match(invalid, /validity \.+: INVALID: target [\d.]+\/s, offered [\d.]+\/s \([\d.]+ %\), .*\n +- generator fell behind: [\d.]+ of [\d.]+ arrivals\/s over the run/);
  });
});

describe('the baseline comparison', () => {
  const baseline = loadSummaryFixture({ stress: true });

  test('a figure worse by more than the allowed percentage regresses; within it does not', () => {
    const slowerRun = loadSummaryFixture({ stress: true, latencyScale: 1.2 });
    const slower = compareWithBaseline(slowerRun, baseline, { allowedPct: 10, source: 'b' });
    const p95 = slower.comparisons.find((c) => c.figure === 'p95 sign-in')!;
    assert.equal(p95.unit, 'ms');
    assert.equal(p95.baseline, baseline.puppilot.endpoints['sign-in']!.duration['p(95)']);
    assert.equal(p95.current, slowerRun.puppilot.endpoints['sign-in']!.duration['p(95)']);
    assert.equal(p95.changePct, ((p95.current! - p95.baseline!) / p95.baseline!) * 100);
    // Every latency 1.2 times as long; the histograms keep 3 significant digits (each figure
    // within 0.1 %), so the change is +20 % within 0.3 points.
    assert.ok(Math.abs(p95.changePct! - 20) < 0.3, `change ${p95.changePct}`);
    assert.equal(p95.regressed, true);
    assert.equal(slower.regressed, true);

    const within = compareWithBaseline(loadSummaryFixture({ stress: true, latencyScale: 1.2 }), baseline, { allowedPct: 25, source: 'b' });
    assert.equal(within.regressed, false);
    assert.ok(within.comparisons.every((c) => !c.regressed));

    const faster = compareWithBaseline(loadSummaryFixture({ stress: true, latencyScale: 0.5 }), baseline, { allowedPct: 0, source: 'b' });
    assert.equal(faster.comparisons.find((c) => c.figure === 'p99 chat')!.regressed, false, 'faster is not a regression');
    assert.deepEqual(
      slower.comparisons.map((c) => c.figure),
      ['p95 sign-in', 'p99 sign-in', 'p95 refresh', 'p99 refresh', 'p95 chat', 'p99 chat', 'throughput', 'capacity'],
    );
  });

  test('exactly the allowed percentage holds; throughput and capacity regress when lower', () => {
    const current = structuredClone(baseline);
    current.puppilot.endpoints['sign-in']!.duration['p(95)'] = baseline.puppilot.endpoints['sign-in']!.duration['p(95)'] * 1.1;
    current.metrics.http_reqs!.values.rate = baseline.metrics.http_reqs!.values.rate! * 0.85;
    // The capacity one step lower than the baseline's: a real step of the run.
    const knee = baseline.puppilot.windows.findIndex((w) => w.label === baseline.puppilot.capacity!.step);
    assert.ok(knee >= 1, `the baseline's capacity is above the first step: ${baseline.puppilot.capacity!.step}`);
    const lower = baseline.puppilot.windows[knee - 1]!;
    const baseRate = baseline.puppilot.capacity!.rate!;
    current.puppilot.capacity = { rate: lower.targetRate, step: lower.label };
    const verdict = compareWithBaseline(current, baseline, { allowedPct: 10, source: 'b' });
    const by = new Map(verdict.comparisons.map((c) => [c.figure, c]));
    assert.equal(by.get('p95 sign-in')!.regressed, false, '+10 % with 10 % allowed holds');
    assert.equal(by.get('throughput')!.regressed, true);
    assert.ok(Math.abs(by.get('throughput')!.changePct! + 15) < 1e-6);
    assert.equal(by.get('throughput')!.unit, 'req/s');
    assert.deepEqual([by.get('capacity')!.baseline, by.get('capacity')!.current, by.get('capacity')!.regressed], [baseRate, lower.targetRate, true]);
    assert.ok(lower.targetRate < baseRate * 0.9, 'more than 10 % lower');
    assert.ok(Math.abs(by.get('capacity')!.changePct! - ((lower.targetRate - baseRate) / baseRate) * 100) < 1e-9);
    assert.equal(by.get('capacity')!.unit, 'req/s');

    current.metrics.http_reqs!.values.rate = baseline.metrics.http_reqs!.values.rate! * 3;
    assert.equal(compareWithBaseline(current, baseline, { allowedPct: 10, source: 'b' }).comparisons.find((c) => c.figure === 'throughput')!.regressed, false);
  });

  test('missing figures compare as null and never regress', () => {
    const current = structuredClone(baseline);
    current.puppilot.capacity = { rate: null, step: null };
    delete (current.metrics as Record<string, unknown>).http_reqs;
    current.puppilot.endpoints['sign-in']!.duration['p(99)'] = Number.NaN;
    delete current.puppilot.endpoints.chat;
    current.puppilot.endpoints.extra = structuredClone(baseline.puppilot.endpoints.refresh!);
    const verdict = compareWithBaseline(current, baseline, { allowedPct: 0, source: 'b' });
    const by = new Map(verdict.comparisons.map((c) => [c.figure, c]));
    assert.ok(typeof baseline.puppilot.capacity!.rate === 'number', 'the baseline has a capacity');
    assert.deepEqual(by.get('capacity'), { figure: 'capacity', unit: 'req/s', baseline: baseline.puppilot.capacity!.rate, current: null, changePct: null, regressed: false });
    assert.deepEqual(by.get('throughput')!.current, null);
    assert.equal(by.get('throughput')!.regressed, false);
    assert.deepEqual([by.get('p99 sign-in')!.current, by.get('p99 sign-in')!.changePct, by.get('p99 sign-in')!.regressed], [null, null, false]);
    assert.ok(!by.has('p95 chat') && !by.has('p95 extra'), 'only endpoints both runs have are compared');
    assert.equal(verdict.regressed, false);

    const noCapacity = structuredClone(baseline);
    delete noCapacity.puppilot.capacity;
    assert.ok(!compareWithBaseline(noCapacity, baseline, { allowedPct: 0, source: 'b' }).comparisons.some((c) => c.figure === 'capacity'));
    assert.throws(() => compareWithBaseline(baseline, baseline, { allowedPct: -1, source: 'b' }), (e: unknown) => e instanceof SuiteError && e.code === 'USAGE');
  });

  test('the text and Markdown tables', () => {
    const current = structuredClone(baseline);
    current.puppilot.endpoints['sign-in']!.duration['p(95)'] *= 1.5;
    const verdict = compareWithBaseline(current, baseline, { allowedPct: 10, source: 'runs/a|b`c' });
    const table = renderBaselineTable(verdict).split('\n');
    const p95 = baseline.puppilot.endpoints['sign-in']!.duration['p(95)'];
    const p99 = baseline.puppilot.endpoints['sign-in']!.duration['p(99)'];
    assert.ok(p95 >= 1000 && p99 >= 1000, 'figures of four digits, written with a thousands separator');
    assert.match(table[0]!, /^figure +baseline +current +change +result$/);
    assert.match(table[1]!, /^p95 sign-in +[\d,.]+ ms +[\d,.]+ ms +\+50 % +REGRESSED$/);
    assert.match(table[1]!, new RegExp(`^p95 sign-in +${literal(formatNumber(p95))} ms +${literal(formatNumber(p95 * 1.5))} ms `));
    assert.match(table[2]!, /^p99 sign-in +[\d,.]+ ms +[\d,.]+ ms +0 % +ok$/);
    assert.match(table[2]!, new RegExp(`^p99 sign-in +${literal(formatNumber(p99))} ms +${literal(formatNumber(p99))} ms `));

    const verdictWithNull = { ...verdict, comparisons: [...verdict.comparisons, { figure: 'p95 a|b <i>', unit: 'ms' as const, baseline: null, current: 3, changePct: null, regressed: false }] };
    const md = renderBaselineMarkdown(verdictWithNull).split('\n');
    assert.match(md[0]!, /^\*\*Regressed\*\* against the baseline `runs\/a\|bc` \(started 2026-11-28 17:45:00 UTC\), allowed 10 % worse\.$/);
    assert.equal(md[2], '| figure | baseline | current | change | result |');
    assert.equal(md[3], '| --- | ---: | ---: | ---: | --- |');
    assert.equal(md[4], `| p95 sign-in | ${formatNumber(p95)} ms | ${formatNumber(p95 * 1.5)} ms | +50 % | ❌ regressed |`);
    assert.match(md[4]!, /^\| p95 sign-in \| [\d,.]+ ms \| [\d,.]+ ms \| \+50 % \| ❌ regressed \|$/);
    assert.equal(md.at(-2), '| p95 a\\|b &lt;i&gt; | – | 3 ms | – | not compared |');
    for (const row of md.slice(2, -1)) assert.equal(row.replace(/\\\|/g, '').split('|').length, 7, `a row with the wrong column count: ${row}`);
  });

  test('readSummaryFile reads a summary and names the file and the problem otherwise', () => {
    const good = join(scratch, 'good.json');
    writeFileSync(good, JSON.stringify(baseline));
    assert.deepEqual(readSummaryFile(good), baseline);
    const cases: [string, string | null, string, RegExp][] = [
      ['missing.json', null, 'USAGE', /missing\.json: no such file$/],
      ['not-json.json', '{"metrics": ', 'CONFIG_INVALID', /not-json\.json: not JSON \(/],
      ['array.json', '[]', 'CONFIG_INVALID', /array\.json: not a JSON object$/],
      ['no-metrics.json', '{"puppilot": {"formatVersion": 1}}', 'CONFIG_INVALID', /no-metrics\.json: no "metrics" object/],
      ['k6-only.json', '{"metrics": {}}', 'CONFIG_INVALID', /k6-only\.json: no "puppilot" member/],
      ['v2.json', '{"metrics": {}, "puppilot": {"formatVersion": 2}}', 'CONFIG_INVALID', /v2\.json: puppilot\.formatVersion is 2, this version reads 1$/],
    ];
    for (const [name, content, code, message] of cases) {
      const path = join(scratch, name);
      if (content !== null) writeFileSync(path, content);
      assert.throws(
        () => readSummaryFile(path),
        (e: unknown) => e instanceof SuiteError && e.code === code && message.test(e.message) && !e.message.includes('\n') && e.message.includes(path),
        name,
      );
    }
    assert.throws(() => readSummaryFile(scratch), (e: unknown) => e instanceof SuiteError && e.code === 'USAGE' && /is a folder/.test(e.message));
  });
});

describe('report.html markup', () => {
  test('a hostile description produces no tag: text is escaped and the inline data cannot close its script', () => {
    const summary = loadSummaryFixture({ description: HOSTILE, endpoints: ['sign-in', '</script><img src=x onerror=alert(2)>'] });
    const html = renderRunReport(summary);
    assert.doesNotMatch(html, /<img/i, 'an <img> tag reached the page');
    assert.equal(html.match(/<script/g)?.length, 3, 'the data, uPlot and the chart script: three script elements');
    assert.equal(html.match(/<\/script>/g)?.length, 3);
    assert.ok(html.includes('x &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;s'), 'the description, escaped');
    const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    assert.ok(data, 'the inline JSON holds no "<" at all');
    const parsed = JSON.parse(data[1]!) as { charts: { endpoint?: string }[] };
    assert.equal(parsed.charts[2]!.endpoint, '</script><img src=x onerror=alert(2)>', 'the data round-trips');
  });

  test('one self-contained page: uPlot inline, no external reference, a chart figure per spec', () => {
    const summary = loadSummaryFixture({ stress: true, breached: true });
    const html = renderRunReport(summary);
    assert.ok(html.includes('var uPlot=function'), 'uPlot is inline');
    assert.ok(html.includes('.u-legend'), "uPlot's stylesheet is inline");
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /@import|@font-face|url\(\s*['"]?https?:/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    const specs = chartSpecs(summary);
    assert.equal(specs.length, FIXTURE_ENDPOINTS.length + 2);
    for (const spec of specs) {
      assert.ok(html.includes(`<figure class="chart" id="${spec.id}" data-chart="${spec.kind}"`), `no figure for ${spec.id}`);
      for (const column of spec.data) assert.equal(column.length, summary.puppilot.timeseries.t.length, `${spec.id}: a column of the wrong length`);
    }
    // Sign-in's p95 < 100 ms breaks every one of the six steps: no capacity, no knee, every row breached.
    assert.equal(summary.puppilot.capacity!.rate, null);
    assert.ok(html.includes('<p class="capacity bad" id="capacity"><strong>Capacity:</strong> no step held every threshold.</p>'), 'no capacity');
    assert.equal(summary.puppilot.windows.length, 6);
    assert.deepEqual(html.match(/<tr class="[^"]*"><td>step \d+: /g), Array.from({ length: 6 }, (_, i) => `<tr class="breached"><td>step ${i + 1}: `));

    // Without it the lower steps hold: the capacity is the highest of them, its row the knee.
    const held = loadSummaryFixture({ stress: true });
    const page = renderRunReport(held);
    const { rate, step, failedRate } = held.puppilot.capacity!;
    assert.ok(rate !== null && step !== null && typeof failedRate === 'number', 'the lower steps held, an upper one did not');
    assert.match(page, /<p class="capacity" id="capacity"><strong>Capacity:<\/strong> [\d.]+\/s \(step \d+: [\d.]+\/s\), the highest step that held every threshold; the next, [\d.]+\/s, did not: the knee lies between them\.<\/p>/);
    assert.ok(
      page.includes(`<strong>Capacity:</strong> ${formatNumber(rate)}/s (${step}), the highest step that held every threshold; the next, ${formatNumber(failedRate)}/s, did not`),
      "the summary's capacity",
    );
    const rows = [...page.matchAll(/<tr class="([^"]*)"><td>(step \d+: [^<]*)<\/td>/g)].map((m) => [m[2], m[1]]);
    assert.deepEqual(rows, held.puppilot.windows.map((w) => [w.label, `${w.thresholdsHeld ? 'ok' : 'breached'}${w.label === step ? ' knee' : ''}`]));
    assert.equal(rows.filter(([, c]) => c!.endsWith(' knee')).length, 1, 'one knee');
    assert.ok(rows.some(([, c]) => c === 'ok') && rows.some(([, c]) => c === 'breached'), 'steps that held and steps that did not');
  });

  test('writeRunReports writes summary.json, report.html and junit.xml into a new folder', () => {
    const summary = loadSummaryFixture({ soak: true });
    const dir = join(scratch, 'runs', 'soak-20261128T174500Z');
    const { files } = writeRunReports(dir, summary);
    assert.deepEqual(files, ['summary.json', 'report.html', 'junit.xml'].map((f) => join(dir, f)));
    assert.deepEqual(readSummaryFile(files[0]!), summary);
    assert.match(readFileSync(files[0]!, 'utf8'), /^\{\n {2}"root_group": \{/);
    assert.equal(readFileSync(files[1]!, 'utf8'), renderRunReport(summary));
    assert.equal(readFileSync(files[2]!, 'utf8'), renderJunit(summary));
  });
});
