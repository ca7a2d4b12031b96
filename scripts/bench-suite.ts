/**
 * `npm run bench`: the contract suite's wall time and test count, against two targets:
 * - the embedded reference API (both instances started by the run itself, expiry waits on);
 * - an external target: a reference API started on its own beforehand and named by
 *   BASE_URL, with expiry waits off, as a run against staging or another implementation
 *   goes (the start-up of that target is not counted).
 * Figures, not a pass/fail: a timed assertion would flake on a busy machine. Each run's
 * wall time is split into where it went (from its JSON report): the runner's start up to
 * the first test, the tests (the timing check among them, beside the others), the reports.
 *
 * Usage: npm run bench [-- --runs N] [--workers N] [--target embedded|external|both]
 * Without --workers, the suite's own default (CONTRACT_WORKERS, or one per core from 2 to 4).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WORKERS } from '../lib/config.ts';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { referenceTargetEnv, startReference, type RunningReference } from '../lib/reference-process.ts';
import { runContractSuite } from '../selfcheck/run-suite.ts';

const OPTIONS = ['--runs', '--workers', '--target'];
const TARGETS = ['embedded', 'external', 'both'] as const;

function option<T>(argv: string[], name: string, fallback: T, max: number): number | T {
  const i = argv.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new SuiteError('USAGE', `${name} takes a whole number from 1 to ${max}`);
  return value;
}

function targetOption(argv: string[]): (typeof TARGETS)[number] {
  const i = argv.indexOf('--target');
  if (i === -1) return 'both';
  const value = argv[i + 1] as (typeof TARGETS)[number];
  if (!TARGETS.includes(value)) throw new SuiteError('USAGE', `--target takes one of ${TARGETS.join(', ')}`);
  return value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Where one run's wall time went, in seconds, read from its JSON report. */
interface RunPhases {
  /** From starting the runner to its first test: Playwright's start, loading the specs, starting workers. */
  start: number;
  /** From the first test's start to the last test's end. */
  tests: number;
  /** The timing check's own duration (it runs beside the others). */
  timingCheck: number;
  /** From the last test's end to the runner's exit: reports. */
  end: number;
}

interface ReportSuite {
  specs?: Array<{ file: string; tests: Array<{ results: Array<{ startTime: string; duration: number }> }> }>;
  suites?: ReportSuite[];
}

function runPhases(resultsJson: string, wallSeconds: number, startedAt: number): RunPhases | undefined {
  const report = JSON.parse(resultsJson) as { suites: ReportSuite[] };
  const starts: number[] = [];
  const ends: number[] = [];
  let timingCheck = 0;
  const walk = (suite: ReportSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const result of spec.tests.flatMap((t) => t.results)) {
        const start = Date.parse(result.startTime);
        starts.push(start);
        ends.push(start + result.duration);
        if (spec.file.includes('timing')) timingCheck = Math.max(timingCheck, result.duration / 1000);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  report.suites.forEach(walk);
  if (starts.length === 0) return undefined;
  const first = Math.min(...starts);
  const last = Math.max(...ends);
  return { start: (first - startedAt) / 1000, tests: (last - first) / 1000, timingCheck, end: wallSeconds - (last - startedAt) / 1000 };
}

async function measure(label: string, what: string, runs: number, workers: number | undefined, env: Record<string, string>): Promise<void> {
  const times: number[] = [];
  const phases: RunPhases[] = [];
  let tests = 0;
  for (let i = 1; i <= runs; i++) {
    const reportDir = mkdtempSync(join(tmpdir(), 'bench-suite-'));
    try {
      const startedAt = Date.now();
      const run = await runContractSuite({ reportDir, env, workers });
      if (run.exitCode !== 0) throw new SuiteError('USAGE', `${label} run ${i} failed (${run.failed} failed); benchmark figures would mean nothing`, EXIT.failed);
      tests = run.passed + run.skipped;
      const wall = run.durationMs / 1000;
      times.push(wall);
      const phase = runPhases(readFileSync(join(reportDir, 'results.json'), 'utf8'), wall, startedAt);
      if (phase) phases.push(phase);
      const where = phase
        ? ` = start ${phase.start.toFixed(1)} + tests ${phase.tests.toFixed(1)} (timing check ${phase.timingCheck.toFixed(1)}, beside the others) + reports ${phase.end.toFixed(1)}`
        : '';
      process.stdout.write(`${label} run ${i}/${runs}: ${run.passed} passed, ${run.skipped} skipped in ${wall.toFixed(1)} s (wall, ${what})${where}\n`);
    } finally {
      rmSync(reportDir, { recursive: true, force: true });
    }
  }
  const m = median(times);
  const phaseMedians =
    phases.length > 0
      ? `; medians: start ${median(phases.map((p) => p.start)).toFixed(1)} s, tests ${median(phases.map((p) => p.tests)).toFixed(1)} s (timing check ${median(phases.map((p) => p.timingCheck)).toFixed(1)} s), reports ${median(phases.map((p) => p.end)).toFixed(1)} s`
      : '';
  process.stdout.write(
    `contract suite, ${label}: ${tests} tests, wall time median ${m.toFixed(1)} s (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}) over ${runs} runs, ${workers ?? `${DEFAULT_WORKERS} (default)`} workers, ${(tests / m).toFixed(1)} tests/s${phaseMedians}\n`,
  );
}

await runMain(async () => {
  const argv = process.argv.slice(2);
  const unknown = argv.find((a, i) => (a.startsWith('--') ? !OPTIONS.includes(a) : !OPTIONS.includes(argv[i - 1] ?? '')));
  if (unknown !== undefined) throw new SuiteError('USAGE', `unknown argument '${unknown}' (usage: bench [--runs N] [--workers N] [--target embedded|external|both])`);
  const runs = option(argv, '--runs', 3, 20);
  const workers = option(argv, '--workers', undefined, 32);
  const target = targetOption(argv);
  if (target !== 'external') {
    await measure('embedded target', 'including starting the reference API twice', runs, workers, {});
  }
  if (target !== 'embedded') {
    let reference: RunningReference | undefined;
    try {
      reference = await startReference({ PASSWORD_HASH_COST: '14' });
      // No expiry instance: CAP_EXPIRY_WAIT keeps its default for another target, false.
      await measure('external target', 'a reference API started beforehand, expiry waits off', runs, workers, referenceTargetEnv(reference));
    } finally {
      await reference?.stop();
    }
  }
});
