// The suite proves its own power: run whole against the reference API with each fault of
// the catalogue switched on, it must fail on every fault and pass on every harmless
// variation (and on the control run). The table is printed and kept under reports/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import { formatTable, isExpected, runSelfcheck, SELFCHECK_CASES, summarize, writeSelfcheckReports } from '../selfcheck/main.ts';

test('the fault catalogue is wide enough to mean something', () => {
  const faults = SELFCHECK_CASES.filter((c) => !c.harmless);
  const harmless = SELFCHECK_CASES.filter((c) => c.harmless);
  assert.ok(faults.length >= 25, `${faults.length} faults`);
  assert.ok(harmless.length >= 5, `${harmless.length} harmless variations`);
  const areas = new Set(faults.map((f) => f.area));
  for (const area of ['shape', 'credentials', 'errors', 'tokens', 'expiry', 'refresh', 'protected', 'headers']) {
    assert.ok(areas.has(area), `no fault in area ${area}`);
  }
});

test('the suite catches every fault and passes every harmless variation', { timeout: 60 * 60_000 }, async () => {
  const reportRoot = join(PROJECT_ROOT, 'reports', 'selfcheck');
  const results = await runSelfcheck(SELFCHECK_CASES, {
    reportRoot,
    // stderr reaches the console as it is written (the runner holds diagnostics until the
    // file ends): a run of about fifteen minutes shows its progress.
    onResult: (r, done) => process.stderr.write(`selfcheck [${done}/${SELFCHECK_CASES.length}] ${r.name}: ${r.verdict} (${(r.run.durationMs / 1000).toFixed(1)} s)\n`),
  });
  const table = formatTable(results);
  writeSelfcheckReports(reportRoot, results, `${table}\n\n${summarize(results)}\n`);
  process.stdout.write(`\n${table}\n\n${summarize(results)}\n`);
  const wrong = results.filter((r) => !isExpected(r)).map((r) => `${r.name}: ${r.verdict}${r.leaks.length ? ` (${r.leaks.join('; ')})` : ''}`);
  assert.deepEqual(wrong, []);
});
