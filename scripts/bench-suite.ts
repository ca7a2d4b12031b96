/**
 * `npm run bench`: the contract suite's wall time and test count against the embedded
 * reference API (target: seconds, not minutes, on 2 cores). Figures, not a pass/fail: a
 * timed assertion would flake on a busy machine.
 *
 * Usage: npm run bench [-- --runs N] [--workers N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { runContractSuite } from '../selfcheck/run-suite.ts';

function option(argv: string[], name: string, fallback: number, max: number): number {
  const i = argv.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new SuiteError('USAGE', `${name} takes a whole number from 1 to ${max}`);
  return value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await runMain(async () => {
  const argv = process.argv.slice(2);
  const unknown = argv.find((a, i) => a.startsWith('--') ? !['--runs', '--workers'].includes(a) : !['--runs', '--workers'].includes(argv[i - 1] ?? ''));
  if (unknown !== undefined) throw new SuiteError('USAGE', `unknown argument '${unknown}' (usage: bench [--runs N] [--workers N])`);
  const runs = option(argv, '--runs', 3, 20);
  const workers = option(argv, '--workers', 4, 32);
  const times: number[] = [];
  let tests = 0;
  for (let i = 1; i <= runs; i++) {
    const reportDir = mkdtempSync(join(tmpdir(), 'bench-suite-'));
    try {
      const run = await runContractSuite({ reportDir, env: {}, workers });
      if (run.exitCode !== 0) throw new SuiteError('USAGE', `run ${i} failed (${run.failed} failed); benchmark figures would mean nothing`, EXIT.failed);
      tests = run.passed + run.skipped;
      times.push(run.durationMs / 1000);
      process.stdout.write(`run ${i}/${runs}: ${run.passed} passed, ${run.skipped} skipped in ${(run.durationMs / 1000).toFixed(1)} s (wall, including starting the reference API twice)\n`);
    } finally {
      rmSync(reportDir, { recursive: true, force: true });
    }
  }
  const m = median(times);
  process.stdout.write(
    `contract suite: ${tests} tests, wall time median ${m.toFixed(1)} s (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}) over ${runs} runs, ${workers} workers, ${(tests / m).toFixed(1)} tests/s\n`,
  );
});
