// The contract suite, run as a user runs it (`playwright test`, embedded reference API),
// must pass; then its reports are searched for the passwords it used and every token it
// was issued: Playwright records requests as they are, so keeping secrets out is ours.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, readSeedAccounts } from '../lib/config.ts';
import { scanForSecrets } from '../lib/secret-scan.ts';
import { listContractTests, runContractSuite } from '../selfcheck/run-suite.ts';

test('the contract suite passes against the embedded reference API and its reports hold no secret', async () => {
  const reportDir = join(PROJECT_ROOT, 'reports', 'contract');
  rmSync(reportDir, { recursive: true, force: true });
  const [listed, run] = await Promise.all([listContractTests({}), runContractSuite({ reportDir, env: {} })]);
  assert.equal(run.exitCode, 0, `the suite failed:\n${run.failures.map((f) => `  ${f.title}: ${f.error}`).join('\n')}\n${run.outputTail}`);
  // The embedded target claims every capability: like the self-check's control run, the
  // run executes every test the suite lists and skips none.
  assert.deepEqual(run.skippedTitles, [], 'tests skipped against the embedded reference API');
  assert.equal(run.passed, listed.length, `${run.passed} tests passed of the ${listed.length} the suite lists`);
  assert.ok(run.issuedTokens.length > 0, 'the suite was issued no token: the leak scan would prove nothing');
  const passwords = [...readSeedAccounts().values()].map((a) => a.password);
  const findings = scanForSecrets(reportDir, [...passwords, ...run.issuedTokens]);
  assert.deepEqual(findings, [], 'secrets found in the reports');

  // The console reporter rewrote the reports page beside the contract folder, from this run.
  const page = readFileSync(join(PROJECT_ROOT, 'reports', 'index.html'), 'utf8');
  assert.match(page, /<a href="contract\/html\/index\.html">HTML report<\/a>/);
  // Its row in the contract history: the latest, passed, with this run's counts.
  assert.match(page, new RegExp(`<tr class="tone-good latest"[^>]*>.*?<td class="num">${run.passed}</td><td class="num">0</td>`));
});

test('the leak scan finds a token hidden in the HTML report (it cannot pass vacuously)', async () => {
  // Same scanner, fed a report that holds a secret: guards against a scan that sees nothing.
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { zipSync, strToU8 } = await import('fflate');
  const dir = mkdtempSync(join(tmpdir(), 'scan-'));
  const secret = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4eXoxMjM0NTY3OCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
  const zip = Buffer.from(zipSync({ 'report.json': strToU8(`{"body":"${secret}"}`) })).toString('base64');
  writeFileSync(join(dir, 'index.html'), `<script>window.x="data:application/zip;base64,${zip}"</script>`);
  const findings = scanForSecrets(dir, [secret]);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(findings.map((f) => f.what).sort(), ['a complete JWT', 'secret #1']);
});
