// The suite proves its own power: run whole against the reference API with each fault of
// the catalogue switched on, it must fail on every fault and pass on every harmless
// variation (and on the control run). The table is printed and kept under reports/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import {
  formatTable,
  isExpected,
  runSelfcheck,
  SELFCHECK_CASES,
  SELFCHECK_JOBS,
  summarize,
  writeSelfcheckReports,
  type Case,
} from '../selfcheck/main.ts';

test('the fault catalogue is wide enough to mean something', () => {
  const faults = SELFCHECK_CASES.filter((c) => !c.harmless);
  const harmless = SELFCHECK_CASES.filter((c) => c.harmless);
  assert.ok(faults.length >= 25, `${faults.length} faults`);
  assert.ok(harmless.length >= 5, `${harmless.length} harmless variations`);
  const areas = new Set(faults.map((f) => f.area));
  for (const area of ['shape', 'credentials', 'timing', 'errors', 'tokens', 'expiry', 'refresh', 'protected', 'headers']) {
    assert.ok(areas.has(area), `no fault in area ${area}`);
  }
});

/**
 * Looks harmless and passes: its refresh tokens outlive EXPIRY_WAIT_MAX_SECONDS, so the
 * refresh-expiry test skips itself instead of failing. A self-check that counted a pass as
 * a pass would take it; it must fail, because the run checked less than the control's.
 */
const HIDES_A_TEST: Case = {
  name: 'refresh-outlives-the-expiry-wait',
  area: 'expiry',
  harmless: true,
  description: 'the short-TTL instance issues refresh tokens that live 60 s: the refresh-expiry test skips',
  expiryEnv: { REFRESH_TOKEN_TTL: '60' },
};

test('the suite catches every fault and passes every harmless variation, running all the control runs', { timeout: 60 * 60_000 }, async () => {
  const reportRoot = join(PROJECT_ROOT, 'reports', 'selfcheck');
  const cases = [...SELFCHECK_CASES, HIDES_A_TEST];
  const results = await runSelfcheck(cases, {
    jobs: SELFCHECK_JOBS,
    reportRoot,
    // stderr reaches the console as it is written (the runner holds diagnostics until the
    // file ends): a run of several minutes shows its progress.
    onResult: (r, done) => process.stderr.write(`selfcheck [${done}/${cases.length}] ${r.name}: ${r.verdict} (${(r.run.durationMs / 1000).toFixed(1)} s)\n`),
  });
  const catalogue = results.filter((r) => r.name !== HIDES_A_TEST.name);
  const table = formatTable(catalogue);
  writeSelfcheckReports(reportRoot, catalogue, `${table}\n\n${summarize(catalogue)}\n`);
  process.stdout.write(`\n${table}\n\n${summarize(catalogue)}\n`);
  const wrong = catalogue.filter((r) => !isExpected(r)).map((r) => `${r.name}: ${r.verdict}${r.leaks.length ? ` (${r.leaks.join('; ')})` : ''}`);
  assert.deepEqual(wrong, []);

  const hider = results.find((r) => r.name === HIDES_A_TEST.name)!;
  assert.equal(hider.run.exitCode, 0, 'the variation was meant to pass the suite (it only skips)');
  assert.equal(hider.verdict, 'skipped-tests');
  assert.deepEqual(hider.skippedBeyondControl, ['refresh.expiry.spec.ts › expiry on the expiry target › an expired refresh token is rejected with 401']);
});
