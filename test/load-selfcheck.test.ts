// The load suite's self-check: with each load fault of the catalogue switched on, a short
// `mix` run must fail, by the check meant to notice it; with each harmless variation, and
// with none (the control), it must pass. The table is printed and kept under reports/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import { CONTROL, EXPECTED, LOAD_SELFCHECK_CASES } from '../load/selfcheck/cases.ts';
import { factsOf, judge } from '../load/selfcheck/judge.ts';
import { formatTable, isExpected, JOBS, runLoadSelfcheck, summarize, writeReports } from '../load/selfcheck/main.ts';
import { FAULTS } from '../reference-api/src/faults.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';

test('every fault of the load suite is a case, with the check that must notice it', () => {
  const faults = LOAD_SELFCHECK_CASES.filter((c) => !c.harmless);
  const loadFaults = FAULTS.filter((f) => f.suite === 'load' && !f.harmless).map((f) => f.name);
  assert.deepEqual(faults.map((c) => c.name).sort(), [...loadFaults].sort());
  for (const c of faults) assert.ok(c.expect !== undefined && EXPECTED[c.fault!] === c.expect, `${c.name} has no expected check`);
  assert.equal(LOAD_SELFCHECK_CASES[0], CONTROL);
  assert.ok(LOAD_SELFCHECK_CASES.filter((c) => c.harmless).length >= 5, 'the control and at least four harmless variations');
});

test('a fault caught only by a check other than the expected one is not counted as caught', () => {
  const summary = {
    metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 10 } } },
    puppilot: {
      endpoints: {},
      contractFailureSamples: [],
      thresholds: [{ metric: 'http_req_failed', expression: 'rate<0.01', ok: false, actual: 0.1, abortOnFail: false }],
      invariants: { tokensTracked: 0, tokenLimit: 0, duplicateTokens: 0, refreshUserMismatches: 0, reuseProbes: { sent: 0, refused: 0, accepted: 0 } },
      failures: [{ endpoint: 'chat', requests: 10, failed: 1, reasons: [{ reason: '500', count: 1 }] }],
      validity: { valid: true, reasons: [] },
      interrupted: false,
      verdict: { status: 'failed' },
    },
  } as unknown as LoadSummary;
  const facts = factsOf(summary);
  assert.deepEqual(facts.map((f) => f.check), ['http_req_failed', 'threshold']);
  assert.equal(judge(false, { check: 'http_req_failed', detail: '500' }, 'failed', facts), 'caught');
  assert.equal(judge(false, { check: 'http_req_failed', detail: 'reset' }, 'failed', facts), 'caught-otherwise');
  assert.equal(judge(true, undefined, 'failed', facts), 'false-alarm');
  assert.equal(judge(false, undefined, 'invalid', facts), 'no-verdict');
});

test('the load suite catches every load fault and passes every harmless variation and the control', { timeout: 10 * 60_000 }, async () => {
  const reportRoot = join(PROJECT_ROOT, 'reports', 'load-selfcheck');
  const started = Date.now();
  const results = await runLoadSelfcheck(LOAD_SELFCHECK_CASES, { jobs: JOBS, reportRoot });
  const text = `${formatTable(results)}\n\n${summarize(results, Date.now() - started)}\n`;
  writeReports(reportRoot, results, text);
  process.stdout.write(`\n${text}`);
  const wrong = results.filter((r) => !isExpected(r)).map((r) => `${r.name}: ${r.result} (${r.facts.map((f) => f.check).join(', ') || 'no fact'})`);
  assert.deepEqual(wrong, []);
});
