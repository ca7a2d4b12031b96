// The load suite end to end, through its command line: the smoke against the embedded
// reference API, a target that breaks the contract on a fraction of responses, a target
// that stalls (coordinated omission must not hide it), and refused targets.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../lib/chromium.ts';
import { startReference } from '../lib/reference-process.ts';
import { loadConfig, seedLoadAccounts } from '../load/cli/config.ts';
import { planFor } from '../load/cli/run-command.ts';
import { foldLogs } from '../load/engine/fold.ts';
import { readLogFile } from '../load/engine/interval-log.ts';
import { runLoad } from '../load/engine/run.ts';
import { summarize } from '../load/engine/summary.ts';
import { PAUSE_MS, pausingScenario } from './fixtures/pausing-generator.ts';
import { accountsFile, baseEnv, describeRun, LAG_NOT_UNDER_TEST, readSummary, runLoadCli } from './fixtures/load-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-run-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const runFolders = (root: string) => (existsSync(root) ? readdirSync(root).filter((n) => n !== 'index.html') : []);

describe('npm run load:smoke against the embedded reference API', () => {
  test('passes, valid, with requests made, every threshold evaluated and no contract failure', async () => {
    const env: Record<string, string> = { ...baseEnv(join(scratch, 'smoke')), ...LAG_NOT_UNDER_TEST, LOAD_DURATION: '5s' };
    const run = await runLoadCli(['run', 'smoke'], env);
    assert.equal(run.status, 0, describeRun(run));
    const folders = runFolders(env.LOAD_REPORT_DIR!);
    assert.equal(folders.length, 1, `one run folder, got ${folders.join(', ')}`);
    assert.match(folders[0]!, /^smoke-\d{8}T\d{6}Z$/);
    const dir = join(env.LOAD_REPORT_DIR!, folders[0]!);
    const summary = readSummary(dir);
    const d = summary.puppilot;

    assert.equal(d.verdict.status, 'passed', d.verdict.reasons.join('; '));
    assert.equal(d.validity.valid, true, d.validity.reasons.join('; '));
    assert.equal(d.target.kind, 'embedded');
    // 5 arrivals/s for 5 s, each a sign-in, a chat, a refresh and a chat.
    assert.equal(d.counts?.offered, 25);
    assert.equal(summary.metrics.http_reqs!.values.count, 100);
    assert.deepEqual(Object.keys(d.endpoints).sort(), ['chat', 'refresh', 'sign-in']);
    assert.equal(summary.metrics.contract_failures!.values.count, 0);
    assert.equal(summary.metrics.checks!.values.rate, 1);
    // Every threshold of the scenario was judged and sits on its metric, as k6 writes it.
    assert.equal(d.thresholds.length, 7);
    assert.ok(d.thresholds.every((t) => t.ok && t.actual !== null));
    assert.deepEqual(summary.metrics['http_req_duration{endpoint:sign-in}']!.thresholds, { 'p(95)<1000': { ok: true } });
    // Every issued token was tracked, none twice; every refresh answered for its user.
    assert.equal(d.invariants.tokensTracked, 100);
    assert.equal(d.invariants.duplicateTokens, 0);
    assert.equal(d.checks['refresh: answers for the same user']?.passes, 25);

    // The run's record is its interval log: the summary is a fold over it, rebuilt from it alone.
    const folded = foldLogs([readLogFile(join(dir, 'intervals.jsonl'))]);
    assert.deepEqual(JSON.parse(JSON.stringify(summarize(folded))), summary, 'the summary rebuilt from intervals.jsonl differs');
    folded.fold.destroy();

    assert.ok(existsSync(join(dir, 'report.html')));
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<testcase [^>]*name="http_req_duration\{endpoint:sign-in\}: p\(95\)&lt;1000"/);
    assert.match(run.stdout, /PASSED/);
    assert.ok(existsSync(join(env.LOAD_REPORT_DIR!, '..', 'index.html')), 'the reports page is refreshed');
    // Nothing a user gave leaks: no password of the accounts in the console or the files.
    const written = [run.stdout, run.stderr, ...['intervals.jsonl', 'summary.json', 'report.html', 'junit.xml'].map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
    for (const account of seedLoadAccounts()) assert.ok(!written.includes(account.password), 'a password was written');

    // The real run on the reports page and in its own report, as a person would open them.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (request) => {
        if (!/^(file|data):/.test(request.url())) external.push(request.url());
      });
      await page.goto(pathToFileURL(join(env.LOAD_REPORT_DIR!, '..', 'index.html')).href);
      const scenario = page.locator('section.scenario[data-scenario="smoke"]');
      await scenario.locator('.uplot canvas').first().waitFor();
      assert.ok((await scenario.locator('.uplot canvas').count()) >= 2, 'the smoke trend charts are drawn');
      assert.equal(await scenario.locator(`a[href="load/${folders[0]}/report.html"]`).count() > 0, true, 'the run links to its report');
      await page.goto(pathToFileURL(join(dir, 'report.html')).href);
      await page.locator('#chart-arrivals .uplot canvas').waitFor();
      assert.equal(await page.locator('figure.chart .uplot canvas').count(), await page.locator('figure.chart').count(), 'every chart of the run report is drawn');
      assert.deepEqual(external, [], 'the pages asked the network for something');
    } finally {
      await browser.close();
    }
  });
});

describe('against a reference API with one defect or variation', () => {
  // A contract broken now and then under load is the load self-check's (test/load-selfcheck.test.ts).
  test('a 500 ms stall every 5 s shows in p99 while p50 stays low, and the run stays valid', async (t) => {
    const reference = await startReference({ PASSWORD_HASH_COST: '12', REFERENCE_FAULT: 'periodic-stall' });
    t.after(() => reference.stop());
    const dir = join(scratch, 'stall', 'run');
    // Validity is the point here (the stall is the target's, not the generator's): the
    // default lag limit stays.
    // 6 s hold at least one stall whatever the phase of the clock. Their thirds are 2 s, so
    // the clock's phase decides whether the last third holds a stall the first does not:
    // the degradation rule (load/README.md) is not what this test is about, and its margin
    // is raised above the stall.
    const env = {
      ...baseEnv(join(scratch, 'stall')),
      BASE_URL: reference.url,
      LOAD_ACCOUNTS_FILE: accountsFile(scratch),
      LOAD_RATE: '10',
      LOAD_DURATION: '6s',
      LOAD_DEGRADATION_MARGIN_MS: '1000',
    };
    const run = await runLoadCli(['run', 'load', '--out-dir', dir], env);
    assert.equal(run.status, 0, describeRun(run));
    const d = readSummary(dir).puppilot;
    assert.equal(d.validity.valid, true, d.validity.reasons.join('; '));
    // An iteration's first request is its sign-in: about one arrival in ten comes during a
    // stall and waits up to 500 ms for its end. (Later requests of such an iteration are
    // sent after the stall, so they do not show it.)
    const signIn = d.endpoints['sign-in']!;
    assert.ok(signIn.duration['p(99)'] >= 250, `sign-in p99 ${signIn.duration['p(99)']} ms hides the stall`);
    assert.ok(signIn.duration.med < 150, `sign-in p50 ${signIn.duration.med} ms: the stall leaked into the median`);
  });
});

describe('latency from the intended start', () => {
  test('a generator that stops for 400 ms: the corrected latency shows the wait, the run is invalid', async (t) => {
    const reference = await startReference({ PASSWORD_HASH_COST: '12' });
    t.after(() => reference.stop());
    const accounts = seedLoadAccounts();
    const env = { BASE_URL: reference.url, TEST_USER_EMAIL: accounts[0]!.email, TEST_USER_PASSWORD: accounts[0]!.password, LOAD_RATE: '50', LOAD_DURATION: '3s' };
    const config = loadConfig(pausingScenario, env);
    const { summary } = await runLoad(planFor(config, { origin: reference.url, kind: 'external', accounts }), {
      workerUrl: new URL('../load/cli/worker-bootstrap.mjs', import.meta.url),
      workerEntry: new URL('./fixtures/pausing-generator.ts', import.meta.url).href,
      observers: [],
    });
    const d = summary.puppilot;
    const chat = d.endpoints.chat!;
    // The target answered as fast as ever: the plain p99 is the server's. The arrivals due
    // during the pause (about 20 of 150) were sent up to 400 ms late, and their users waited.
    assert.ok(chat.duration['p(99)'] < 100, `plain p99 ${chat.duration['p(99)']} ms`);
    assert.ok(chat.corrected['p(99)'] - chat.duration['p(99)'] >= PAUSE_MS / 2, `corrected p99 ${chat.corrected['p(99)']} ms, plain ${chat.duration['p(99)']} ms`);
    assert.equal(d.verdict.status, 'invalid', d.verdict.reasons.join('; '));
    assert.ok(d.validity.reasons.some((r) => /schedule lag p99/.test(r)), d.validity.reasons.join('; '));
  });
});

describe('stopped by a signal', () => {
  test('SIGTERM stops arrivals, drains, and still writes the summary, marked interrupted (exit 1)', async (t) => {
    const reference = await startReference({ PASSWORD_HASH_COST: '12' });
    t.after(() => reference.stop());
    const dir = join(scratch, 'interrupted', 'run');
    const env = { ...baseEnv(join(scratch, 'interrupted')), BASE_URL: reference.url, LOAD_ACCOUNTS_FILE: accountsFile(scratch), LOAD_DURATION: '60s' };
    const { spawn } = await import('node:child_process');
    const { PROJECT_ROOT } = await import('../lib/config.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', 'load/cli/main.ts', 'run', 'smoke', '--out-dir', dir], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The run has started once it names its target.
    await new Promise<void>((resolve) => child.stderr.on('data', () => /smoke against/.test(stderr) && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.kill('SIGTERM');
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(status, 1, stderr);
    assert.match(stderr, /SIGTERM: stopping arrivals, draining in-flight requests/);
    const d = readSummary(dir).puppilot;
    assert.equal(d.interrupted, true);
    assert.equal(d.verdict.status, 'interrupted');
    assert.ok(d.counts!.offered > 0 && d.counts!.offered < 300, `offered ${d.counts!.offered}: arrivals stopped early`);
    assert.equal(d.counts!.completed, d.counts!.started, 'every started iteration finished within the grace period');
  });
});

describe('refused before anything is sent', () => {
  test('a target that is not a loopback address without LOAD_ALLOW_HOST: exit 2, one line', async () => {
    const env = { ...baseEnv(join(scratch, 'refused')), BASE_URL: 'http://10.20.30.40:8080', TEST_USER_EMAIL: 'a@b.test', TEST_USER_PASSWORD: 'x' };
    const run = await runLoadCli(['run', 'smoke'], env);
    assert.equal(run.status, 2, describeRun(run));
    assert.deepEqual(run.stderr.trimEnd().split('\n'), [
      "TARGET_REFUSED: BASE_URL host '10.20.30.40' is not a loopback address; set LOAD_ALLOW_HOST=10.20.30.40 to allow load against it",
    ]);
    assert.equal(run.stdout, '');
  });

  test('a schedule above LOAD_MAX_RATE: exit 2, one line naming the cap', async () => {
    const run = await runLoadCli(['run', 'smoke'], { ...baseEnv(join(scratch, 'capped')), LOAD_RATE: '50', LOAD_MAX_RATE: '20' });
    assert.equal(run.status, 2, describeRun(run));
    assert.match(run.stderr.trimEnd(), /^CONFIG_INVALID: LOAD_MAX_RATE: smoke would reach 50 arrivals\/s, above the cap of 20\/s; [^\n]+$/);
  });

  test('an unknown scenario or option: exit 2, one line', async () => {
    const env = baseEnv(join(scratch, 'usage'));
    const unknown = await runLoadCli(['run', 'soakk'], env);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr.trimEnd(), /^USAGE: unknown scenario 'soakk' \(known: smoke, load, stress, spike, soak, mix\)$/);
    const option = await runLoadCli(['run', 'smoke', '--segmnet', '0/2'], env);
    assert.equal(option.status, 2);
    assert.match(option.stderr.trimEnd(), /^USAGE: unknown option --segmnet; usage: [^\n]+$/);
  });
});
