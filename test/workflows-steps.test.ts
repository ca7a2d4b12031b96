// What the workflows run, checked without GitHub: every `npm run` verb they call exists in
// package.json, and the nightly's comparison step, run here as the runner would run it
// (bash, the step's own script and env), turns two stored summaries into the verdict
// table in the job summary and fails on a regression; its Prometheus step says whether
// and where the run pushed its figures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../lib/config.ts';
import { loadSummaryFixture } from './fixtures/load-summary.ts';

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

const WORKFLOWS_DIR = join(PROJECT_ROOT, '.github', 'workflows');
const workflows = readdirSync(WORKFLOWS_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => ({ name, doc: parse(readFileSync(join(WORKFLOWS_DIR, name), 'utf8')) as Workflow }));
const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const scratch = mkdtempSync(join(tmpdir(), 'workflow-steps-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('every npm run verb in a workflow is a script of package.json', () => {
  const used: string[] = [];
  for (const { name, doc } of workflows) {
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps) {
        for (const match of (step.run ?? '').matchAll(/\bnpm run(?:\s+-\S+)*\s+([^\s"';|&]+)/g)) {
          used.push(match[1]!);
          assert.ok(Object.hasOwn(scripts, match[1]!), `${name}, step "${step.name}": npm run ${match[1]} is not in package.json`);
        }
      }
    }
  }
  // The check reads what it should: the gate's contract suite and load smoke, the nightly's run and compare.
  for (const verb of ['contract', 'load:smoke', 'load:run', 'load:compare']) assert.ok(used.includes(verb), `no workflow runs npm run ${verb}`);
});

describe("the nightly's comparison step, run locally", () => {
  const nightly = workflows.find((w) => w.name === 'load-nightly.yml')!.doc.jobs.load!;
  const step = nightly.steps.find((s) => s.name === 'Compare with the previous nightly')!;

  /** Runs the step's script with bash in the project, PREVIOUS and CURRENT pointing at `runs`. */
  function runStep(previous: object | null, current: object, name: string) {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'current'), { recursive: true });
    const previousFile = join(dir, 'previous.json');
    if (previous) writeFileSync(previousFile, JSON.stringify(previous));
    writeFileSync(join(dir, 'current', 'summary.json'), JSON.stringify(current));
    const summaryFile = join(dir, 'step-summary.md');
    writeFileSync(summaryFile, '');
    const emptyEnv = join(dir, 'empty.env');
    writeFileSync(emptyEnv, '');
    const result = spawnSync('bash', ['-e', '-c', step.run!], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ENV_FILE: emptyEnv,
        SCENARIO: 'mix',
        PREVIOUS: previousFile,
        CURRENT: join(dir, 'current', 'summary.json'),
        GITHUB_STEP_SUMMARY: summaryFile,
      },
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, jobSummary: readFileSync(summaryFile, 'utf8') };
  }

  const baseline = loadSummaryFixture({ scenario: 'mix', startedAt: '2026-11-27T03:47:00.000Z' });

  test('a regression: the verdict table in the job summary, exit 1', () => {
    const slower = loadSummaryFixture({ scenario: 'mix', latencyScale: 1.6, startedAt: '2026-11-28T03:47:00.000Z' });
    const r = runStep(baseline, slower, 'regressed');
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.jobSummary, /^### Load: mix against the previous run$/m);
    assert.match(r.jobSummary, /\*\*Regression\*\*/);
    assert.match(r.jobSummary, /^\| figure \| baseline \| current \| change \| result \|$/m);
    for (const endpoint of ['sign-in', 'refresh', 'chat']) {
      assert.match(r.jobSummary, new RegExp(`^\\| p95 ${endpoint} \\|.*\\| \\+60(\\.\\d)? ?% \\|`, 'm'), `p95 ${endpoint} row:\n${r.jobSummary}`);
      assert.match(r.jobSummary, new RegExp(`^\\| p99 ${endpoint} \\|`, 'm'));
    }
    assert.match(r.jobSummary, /^\| throughput \|/m);
    assert.match(r.stdout, /REGRESSION/);
  });

  test('no regression: the table, exit 0', () => {
    const same = loadSummaryFixture({ scenario: 'mix', startedAt: '2026-11-28T03:47:00.000Z' });
    const r = runStep(baseline, same, 'same');
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.jobSummary, /\*\*No regression\*\*/);
  });

  test('no previous run: says so and passes', () => {
    const r = runStep(null, baseline, 'first');
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.jobSummary, /No previous run of mix against this target/);
  });
});

describe("the nightly's Prometheus line in the job summary, run locally", () => {
  const nightly = workflows.find((w) => w.name === 'load-nightly.yml')!.doc.jobs.load!;
  const step = nightly.steps.find((s) => s.name === 'Say where the figures went')!;
  const run = nightly.steps.find((s) => s.name === 'Load run')!;

  function runStep(pushed: boolean, outputs: object | undefined, name: string) {
    const dir = join(scratch, `prometheus-${name}`, 'mix-20261128T034700Z');
    mkdirSync(dir, { recursive: true });
    const summary = loadSummaryFixture({ scenario: 'mix', startedAt: '2026-11-28T03:47:00.000Z' }) as unknown as { puppilot: Record<string, unknown> };
    if (outputs) summary.puppilot.outputs = outputs;
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const summaryFile = join(dir, '..', 'step-summary.md');
    writeFileSync(summaryFile, '');
    const result = spawnSync('bash', ['-e', '-c', step.run!], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CURRENT: join(dir, 'summary.json'), PUSHED: String(pushed), GITHUB_STEP_SUMMARY: summaryFile },
      timeout: 30_000,
    });
    return { status: result.status, stderr: result.stderr, jobSummary: readFileSync(summaryFile, 'utf8') };
  }

  test('the run gets the remote-write URL and credentials from secrets only', () => {
    for (const name of ['LOAD_PROMETHEUS_RW_URL', 'LOAD_PROMETHEUS_USER', 'LOAD_PROMETHEUS_PASSWORD', 'LOAD_PROMETHEUS_BEARER_TOKEN']) {
      assert.equal(run.env?.[name], `\${{ secrets.${name} }}`);
    }
  });

  test('without the secret: says nothing was pushed', () => {
    const r = runStep(false, undefined, 'off');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.jobSummary, 'Prometheus: not pushed (the secret LOAD_PROMETHEUS_RW_URL is not set).\n');
  });

  test('with it: says where, under which testid, and what was dropped', () => {
    const rw = { url: 'https://prometheus.example/api/v1/write', batchesSent: 12, batchesDropped: 1, samplesSent: 3400, samplesDropped: 280, lastError: 'HTTP 503' };
    const r = runStep(true, { 'prometheus-rw': rw }, 'on');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.jobSummary, 'Prometheus: pushed to https://prometheus.example/api/v1/write with testid="mix-20261128T034700Z": 12 batches sent (3400 samples), 1 dropped (last error: HTTP 503).\n');
  });
});
