/**
 * Runs the contract suite (`playwright test`) as a child process against a given target
 * and reads what happened from its JSON report: the one way the self-check, the project's
 * tests and the benchmark run the suite, so they all see it as a user would.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config.ts';

export interface FailedTest {
  /** `file › describe › title` */
  title: string;
  /** The first line of the error, as the suite reported it (already redacted by the suite). */
  error: string;
  /** The whole error message, colour codes removed (redacted by the suite as well). */
  message: string;
}

export interface SuiteRun {
  exitCode: number;
  passed: number;
  failed: number;
  skipped: number;
  failures: FailedTest[];
  /** `file › describe › title` of each skipped test. */
  skippedTitles: string[];
  durationMs: number;
  reportDir: string;
  /** Every token the suite was issued during the run (for the leak scan); kept in memory only. */
  issuedTokens: string[];
  /** The last lines the runner printed, for diagnosis when the run itself broke. */
  outputTail: string;
}

interface JsonSpec {
  title: string;
  file: string;
  tests: Array<{ status: 'expected' | 'unexpected' | 'flaky' | 'skipped'; results: Array<{ error?: { message?: string } }> }>;
}
interface JsonSuite {
  title: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

function* walk(suite: JsonSuite, path: string[]): Generator<[string[], JsonSpec]> {
  for (const spec of suite.specs ?? []) yield [path, spec];
  for (const child of suite.suites ?? []) yield* walk(child, [...path, child.title]);
}

const firstLine = (message = '') => message.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

export interface RunSuiteOptions {
  /** Variables for the suite (BASE_URL, credentials, capabilities...). */
  env: Record<string, string>;
  reportDir: string;
  /** Extra arguments for `playwright test`, e.g. `--repeat-each=10` or a file filter. */
  args?: string[];
  /** CONTRACT_WORKERS for the run; unset: the suite's own default (one per core, 2 to 4). */
  workers?: number;
  /** Called with each line the runner prints (progress). */
  onLine?: (line: string) => void;
}

/**
 * The titles (`file › describe › title`) of every test the suite would run with `env`,
 * as `playwright test --list` collects them: what a complete run must execute.
 */
export async function listContractTests(env: Record<string, string>): Promise<string[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'suite-list-'));
  try {
    const emptyEnvFile = join(scratch, 'empty.env');
    writeFileSync(emptyEnvFile, '');
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '--list', '--reporter=json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ENV_FILE: emptyEnvFile, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
    const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    if (exitCode !== 0) throw new Error(`playwright test --list exited with ${exitCode}: ${err.trim()}`);
    const report = JSON.parse(out) as { suites: JsonSuite[] };
    return report.suites.flatMap((suite) => [...walk(suite, [suite.title])].flatMap(([path, spec]) => spec.tests.map(() => [...path, spec.title].join(' › '))));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function runContractSuite(options: RunSuiteOptions): Promise<SuiteRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'suite-run-'));
  const ledger = join(scratch, 'issued-tokens');
  const emptyEnvFile = join(scratch, 'empty.env');
  writeFileSync(ledger, '', { mode: 0o600 });
  writeFileSync(emptyEnvFile, '');
  const started = performance.now();
  try {
    // The configuration's own reporters, as for a user: list, the run summary (which also
    // rewrites the reports page when reportDir is a `contract` folder), HTML, JUnit, JSON,
    // all under CONTRACT_REPORT_DIR.
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/@playwright/test/cli.js'), 'test', ...(options.args ?? [])], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        // A developer's .env must not leak into a run that sets its own target.
        ENV_FILE: emptyEnvFile,
        ...options.env,
        CONTRACT_REPORT_DIR: options.reportDir,
        ...(options.workers === undefined ? {} : { CONTRACT_WORKERS: String(options.workers) }),
        SECRET_LEDGER_FILE: ledger,
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = pending + chunk.toString();
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    const durationMs = performance.now() - started;
    const issuedTokens = readFileSync(ledger, 'utf8').split('\n').filter(Boolean);
    let report: { suites: JsonSuite[] };
    try {
      report = JSON.parse(readFileSync(join(options.reportDir, 'results.json'), 'utf8')) as { suites: JsonSuite[] };
    } catch {
      return { exitCode, passed: 0, failed: 0, skipped: 0, failures: [], skippedTitles: [], durationMs, reportDir: options.reportDir, issuedTokens, outputTail: tail };
    }
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const failures: FailedTest[] = [];
    const skippedTitles: string[] = [];
    for (const suite of report.suites) {
      for (const [path, spec] of walk(suite, [suite.title])) {
        for (const t of spec.tests) {
          if (t.status === 'skipped') {
            counts.skipped++;
            skippedTitles.push([...path, spec.title].join(' › '));
          } else if (t.status === 'expected') counts.passed++;
          else {
            counts.failed++;
            const error = t.results.find((r) => r.error)?.error?.message;
            failures.push({ title: [...path, spec.title].join(' › '), error: firstLine(error), message: (error ?? '').replace(/\u001b\[[0-9;]*m/g, '') });
          }
        }
      }
    }
    return { exitCode, ...counts, failures, skippedTitles, durationMs, reportDir: options.reportDir, issuedTokens, outputTail: tail };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
