/**
 * `npm run selfcheck`: proves the suite's power. It starts the reference API once per
 * fault of its catalogue (reference-api/src/faults.ts), runs the whole contract suite
 * against it, and prints a table: each fault caught or not and by which tests, each
 * harmless variation passing or not. A control run without a fault comes first; a
 * harmless variation passes only if it ran and skipped exactly what the control did.
 * Every run's reports are also scanned for the passwords and tokens of that run.
 *
 * Speed without loss of power: a fault's run ends at its first failure (checkCase), the
 * seed is hashed once into template databases, the reference API is bundled once and its
 * instances start side by side, and cases run SELFCHECK_JOBS at a time.
 *
 * Usage: npm run selfcheck [-- --only name[,name...]] [--jobs N]
 * Exit: 0 when every fault is caught and every harmless variation passes, 1 otherwise,
 * 2 on bad usage.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_SEED_PATH } from '../reference-api/src/config.ts';
import { FAULTS } from '../reference-api/src/faults.ts';
import { writeSeededDatabase } from '../reference-api/src/seed.ts';
import { PROJECT_ROOT, readSeedAccounts } from '../lib/config.ts';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { referenceTargetEnv, startReference, type RunningReference } from '../lib/reference-process.ts';
import { bundleReference } from '../lib/reference-bundle.ts';
import { scanForSecrets } from '../lib/secret-scan.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { listContractTests, runContractSuite, type SuiteRun } from './run-suite.ts';

export interface Case {
  name: string;
  area: string;
  harmless: boolean;
  description: string;
  /**
   * Settings of the short-TTL instance on top of the self-check's own, for a variation
   * made of configuration rather than of a fault (the project's tests use one).
   */
  expiryEnv?: Record<string, string>;
}

export type Verdict =
  /** A fault made the suite fail. */
  | 'caught'
  /** A fault went through: the suite passed. */
  | 'missed'
  /** A harmless variation passed, running and skipping exactly what the control run did. */
  | 'passed'
  /** A harmless variation made the suite fail. */
  | 'false-alarm'
  /** A harmless variation passed only because tests the control run ran were skipped. */
  | 'skipped-tests'
  /** The suite did not run at all. */
  | 'broken-run'
  /** A password or token of the run was found in its reports. */
  | 'leak';

export interface CaseResult extends Case {
  verdict: Verdict;
  caughtBy: string[];
  /** Tests this run skipped that the control run did not. */
  skippedBeyondControl: string[];
  run: Pick<SuiteRun, 'passed' | 'failed' | 'skipped' | 'durationMs' | 'exitCode'> & { skippedTitles: string[] };
  leaks: string[];
}

export const CONTROL: Case = { name: '(none: control run)', area: '-', harmless: true, description: 'the reference API as it is' };

/**
 * Password hash costs (log2 of scrypt's N). Only the timing check sees the cost: the
 * control and the timing faults run at the suite's default, where the partial timing leak
 * is a quarter of a sign-in, so that the check is proven to see it there and to stay
 * quiet on the unchanged API. Every other case runs where a sign-in costs about a
 * millisecond instead of forty, which changes nothing else the suite looks at and makes
 * its run several times shorter. The timing area's harmless variations (latency alike on
 * both paths, jitter on both) are among them: beside a one-millisecond sign-in the added
 * latency is nearly all of the answer's time, the hardest case for a check that must not
 * mistake it for a leak.
 */
const REAL_HASH_COST = 14;
const CHEAP_HASH_COST = 10;
const TIMING_AREA = 'timing';
const hashCostFor = (c: Case) => (c === CONTROL || (c.area === TIMING_AREA && !c.harmless) ? REAL_HASH_COST : CHEAP_HASH_COST);
export const HASH_COSTS = [REAL_HASH_COST, CHEAP_HASH_COST] as const;

const SHORT_TTL = { ACCESS_TOKEN_TTL: '2', REFRESH_TOKEN_TTL: '5' };
/**
 * Workers per run: fixed, so that the table does not depend on the machine's cores. Each
 * worker costs about a second of CPU to start, and cases run side by side anyway: a full
 * run has two (one waits for tokens to expire while the other runs the rest), a fault's
 * run one, since it ends at its first failure. A fault's phase with the expiry specs has
 * the full run's two.
 */
const FULL_RUN_WORKERS = 2;
const FAULT_RUN_WORKERS = 1;
const CATALOGUE_NAMES = new Set(FAULTS.map((f) => f.name));

/** The specs that watch tokens expire on the short-TTL instance. */
const EXPIRY_SPECS = /refresh\.expiry\.spec\.ts$/;
/**
 * Cases checked at once by default. Three keep 2 cores busy through the clock waits of the
 * full runs; the timing check stays quiet under that load (measured in the README).
 */
export const SELFCHECK_JOBS = 3;

/**
 * The order cases start in, longest first, so that no long run is left for the end while
 * the other slots sit idle: the runs at the real hash cost (a sequential timing check of
 * forty-millisecond sign-ins), then the harmless variations (whole runs), then the faults
 * (each ends at its first failure). The table keeps the catalogue's order.
 */
function expectedLength(c: Case): number {
  return hashCostFor(c) === REAL_HASH_COST ? 2 : c.harmless ? 1 : 0;
}

/** The run's counts a harmless variation must match: what the control ran and skipped. */
interface ControlCounts {
  executed: number;
  skipped: number;
  skippedTitles: readonly string[];
}

/**
 * The one place a case's verdict is decided. A harmless variation is judged against the
 * control run: passing is not enough, it must also have run every test the control ran.
 */
export function judge(
  c: Case,
  run: Pick<SuiteRun, 'passed' | 'failed' | 'skipped' | 'exitCode' | 'skippedTitles'>,
  leaks: readonly string[],
  control: ControlCounts | undefined,
): { verdict: Verdict; skippedBeyondControl: string[] } {
  const controlSkips = new Set(control?.skippedTitles ?? []);
  const skippedBeyondControl = run.skippedTitles.filter((t) => !controlSkips.has(t));
  const sameCoverage = control === undefined || (run.passed + run.failed === control.executed && run.skipped === control.skipped);
  const verdict: Verdict =
    run.passed + run.failed === 0
      ? 'broken-run'
      : leaks.length > 0
        ? 'leak'
        : !c.harmless
          ? run.exitCode === EXIT.failed && run.failed > 0 ? 'caught' : 'missed'
          : run.exitCode !== 0
            ? 'false-alarm'
            : sameCoverage ? 'passed' : 'skipped-tests';
  return { verdict, skippedBeyondControl };
}

/** What a case's run needs besides the case: where reports go, the seeded databases to copy. */
interface CaseSetting {
  reportRoot: string;
  /** Database files holding the seed hashed once at each of HASH_COSTS (writeSeededDatabase). */
  templates: ReadonlyMap<number, string>;
  /** The reference API bundled once for this self-check (bundleReference). */
  bundle: string;
  /** The seeded accounts' passwords, which no report may hold. */
  passwords: readonly string[];
  onLine?: (line: string) => void;
}

/** A reference instance of one case on a private copy of a template database. */
async function startInstance(setting: CaseSetting, template: string, name: string, env: Record<string, string>): Promise<RunningReference> {
  const file = join(dirname(template), `${name}.db`);
  const remove = () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(`${file}${suffix}`, { force: true }));
  copyFileSync(template, file);
  try {
    const instance = await startReference({ ...env, REFERENCE_DB: file }, { bundle: setting.bundle });
    return { ...instance, stop: () => instance.stop().finally(remove) };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Starts every instance at once; if one fails to start, stops the others and throws its error. */
async function startAll(starts: Array<() => Promise<RunningReference>>): Promise<RunningReference[]> {
  const started = await Promise.allSettled(starts.map((start) => start()));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure === undefined) return started.map((s) => (s as PromiseFulfilledResult<RunningReference>).value);
  await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  throw failure.reason;
}

type RunCounts = Pick<SuiteRun, 'passed' | 'failed' | 'skipped' | 'exitCode' | 'skippedTitles' | 'failures' | 'durationMs' | 'issuedTokens'>;

/** Two phases' runs as one: counts added, the worse exit code. */
function combine(first: RunCounts, second: RunCounts | undefined): RunCounts {
  if (second === undefined) return first;
  return {
    passed: first.passed + second.passed,
    failed: first.failed + second.failed,
    skipped: first.skipped + second.skipped,
    exitCode: first.exitCode !== 0 ? first.exitCode : second.exitCode,
    skippedTitles: [...first.skippedTitles, ...second.skippedTitles],
    failures: [...first.failures, ...second.failures],
    durationMs: first.durationMs + second.durationMs,
    issuedTokens: [...first.issuedTokens, ...second.issuedTokens],
  };
}

/** The suite's spec files, as paths from the project root. */
const SPEC_FILES = readdirSync(join(PROJECT_ROOT, 'specs'))
  .filter((name) => name.endsWith('.spec.ts'))
  .sort()
  .map((name) => `specs/${name}`);

/** A Playwright file filter that matches exactly `file`. */
const exactly = (file: string) => `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

/**
 * A fault's run in phases, each ending at its first failure: the spec files that own its
 * area first, where it should show within seconds, then every other file. Together they
 * are the whole suite; a fault caught by a phase ends the run there.
 */
function faultPhases(area: string): string[][] {
  const owning = SPEC_FILES.filter((file) => (AREA_SPECS[area] ?? []).some((prefix) => file.startsWith(`specs/${prefix}`)));
  const rest = SPEC_FILES.filter((file) => !owning.includes(file));
  return owning.length > 0 ? [owning, rest] : [rest];
}

/**
 * Runs the whole suite against the reference API with `c`'s fault switched on and judges
 * it (a harmless variation against `control`). A harmless variation runs the suite once,
 * in full. A fault is proven caught by its first failure, so its run stops there, phase by
 * phase (faultPhases). The short-TTL instance starts beside the main one only for a run
 * that holds the expiry specs.
 */
export async function checkCase(c: Case, setting: CaseSetting, control?: ControlCounts | Promise<ControlCounts>): Promise<CaseResult> {
  const reportName = c === CONTROL ? 'control' : c.name;
  const reportDir = join(setting.reportRoot, reportName);
  rmSync(reportDir, { recursive: true, force: true });
  const cost = hashCostFor(c);
  const template = setting.templates.get(cost)!;
  // A catalogue fault is switched on by name; the control and a variation made of
  // configuration (expiryEnv) switch on none.
  const fault: Record<string, string> = CATALOGUE_NAMES.has(c.name) ? { REFERENCE_FAULT: c.name } : {};
  const common = { PASSWORD_HASH_COST: String(cost), ...fault };

  /** One run of `files` (all of them when undefined), with the instances it needs. */
  const runPhase = async (dir: string, files: string[] | undefined, phase: string): Promise<RunCounts> => {
    const needsExpiry = files === undefined || files.some((file) => EXPIRY_SPECS.test(file));
    const instances = await startAll([
      () => startInstance(setting, template, `${reportName}-${phase}-main`, common),
      ...(needsExpiry ? [() => startInstance(setting, template, `${reportName}-${phase}-expiry`, { ...common, ...SHORT_TTL, ...c.expiryEnv })] : []),
    ]);
    try {
      const args = files === undefined ? [] : ['--max-failures=1', ...files.map(exactly)];
      const workers = files === undefined || needsExpiry ? FULL_RUN_WORKERS : FAULT_RUN_WORKERS;
      return await runContractSuite({ reportDir: dir, onLine: setting.onLine, args, workers, env: referenceTargetEnv(instances[0]!, instances[1]) });
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  };

  let run: RunCounts;
  if (c.harmless) {
    run = await runPhase(reportDir, undefined, 'full');
  } else {
    const phases = faultPhases(c.area);
    run = await runPhase(reportDir, phases[0], 'owning');
    // A later phase's reports go in a subfolder of the first's: the leak scan covers both.
    if (run.exitCode === 0 && phases[1] !== undefined) run = combine(run, await runPhase(join(reportDir, 'rest'), phases[1], 'rest'));
  }

  const secrets = [...setting.passwords, ...run.issuedTokens];
  const leaks = scanForSecrets(reportDir, secrets).map((f) => `${f.what} in ${f.where}`);
  return {
    ...c,
    // Awaited only now: a harmless variation runs beside the control and waits for its counts to be judged.
    ...judge(c, run, leaks, await control),
    caughtBy: byRelevance(run.failures.map((f) => f.title), c.area),
    run: {
      passed: run.passed,
      failed: run.failed,
      skipped: run.skipped,
      skippedTitles: run.skippedTitles,
      durationMs: run.durationMs,
      exitCode: run.exitCode,
    },
    leaks,
  };
}

/** The spec files that own each area's checks: a fault's run starts with them, and their failures are listed first. */
const AREA_SPECS: Record<string, readonly string[]> = {
  shape: ['sign-in.valid', 'tokens.', 'refresh.spec'],
  credentials: ['sign-in.invalid-credentials', 'account-enumeration.timing'],
  timing: ['account-enumeration.timing'],
  errors: ['sign-in.malformed', 'sign-in.invalid-credentials', 'protected.malformed'],
  tokens: ['tokens.', 'protected', 'refresh.spec'],
  expiry: ['tokens.expiry-ordering', 'refresh.expiry'],
  refresh: ['refresh'],
  protected: ['protected'],
  headers: ['sign-in.valid', 'refresh.spec'],
  lockout: ['lockout'],
};

/**
 * Orders the failing tests so the table names the most telling one: with --max-failures
 * the first failures come from whichever files ran first (alphabetical), which for a shape
 * fault is often a test that merely signs in along the way.
 */
function byRelevance(titles: string[], area: string): string[] {
  const prefixes = AREA_SPECS[area] ?? [];
  const rank = (title: string) => {
    const i = prefixes.findIndex((p) => title.startsWith(p));
    return i === -1 ? prefixes.length : i;
  };
  return [...titles].sort((a, b) => rank(a) - rank(b));
}

const GOOD = new Set<CaseResult['verdict']>(['caught', 'passed']);

/** The table's last column: what decided the verdict (first failing test, or the first test skipped beyond the control). */
function decidedBy(r: CaseResult): string {
  const first = (titles: string[]) => (titles.length > 0 ? `${titles[0]}${titles.length > 1 ? ` (+${titles.length - 1} more)` : ''}` : '');
  if (r.verdict === 'skipped-tests') {
    return r.skippedBeyondControl.length > 0 ? `skipped: ${first(r.skippedBeyondControl)}` : `ran ${r.run.passed + r.run.failed} tests, skipped ${r.run.skipped}: not the control's counts`;
  }
  if (r.harmless) return r.caughtBy.length > 0 ? `failed: ${first(r.caughtBy)}` : '-';
  return first(r.caughtBy) || '-';
}

export function formatTable(results: CaseResult[]): string {
  const rows = results.map((r) => [r.name, r.area, r.harmless ? 'harmless' : 'fault', GOOD.has(r.verdict) ? r.verdict : `${r.verdict.toUpperCase()} ✗`, decidedBy(r)]);
  const header = ['variation', 'area', 'kind', 'result', 'caught by (first failing test)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function parseArgs(argv: string[]): { only: string[] | undefined; jobs: number } {
  let only: string[] | undefined;
  let jobs = SELFCHECK_JOBS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new SuiteError('USAGE', `${arg} needs a value`);
      return v;
    };
    if (arg === '--only') only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--jobs') {
      jobs = Number(value());
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) throw new SuiteError('USAGE', '--jobs takes a whole number from 1 to 8');
    } else throw new SuiteError('USAGE', `unknown argument '${arg}' (usage: selfcheck [--only a,b] [--jobs N])`);
  }
  const known = new Set(FAULTS.map((f) => f.name));
  const unknown = only?.find((n) => !known.has(n));
  if (unknown !== undefined) throw new SuiteError('USAGE', `unknown fault '${unknown}' (see reference-api/src/faults.ts)`);
  return { only, jobs };
}

/**
 * Checks every case, `jobs` at a time, reporting each result as it comes. The control run
 * goes first (it is added when `cases` lacks it): harmless variations are judged against
 * its counts. The seed is hashed once per cost, into template databases every instance copies.
 */
export async function runSelfcheck(
  cases: readonly Case[],
  { jobs = 1, reportRoot, onResult }: { jobs?: number; reportRoot: string; onResult?: (r: CaseResult, done: number) => void },
): Promise<CaseResult[]> {
  mkdirSync(reportRoot, { recursive: true });
  const all = cases[0] === CONTROL ? cases : [CONTROL, ...cases.filter((c) => c !== CONTROL)];
  const scratch = mkdtempSync(join(tmpdir(), 'selfcheck-'));
  // Inside the project, where the bundle's one external (better-sqlite3) resolves.
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  const bundleDir = mkdtempSync(join(PROJECT_ROOT, '.cache', 'selfcheck-'));
  try {
    const templates = new Map(HASH_COSTS.map((cost) => [cost, join(scratch, `seeded-cost-${cost}.db`)]));
    const [listed, bundle] = await Promise.all([
      listContractTests({}),
      bundleReference(join(bundleDir, 'reference.mjs')),
      Promise.all([...templates].map(([cost, file]) => writeSeededDatabase(file, DEFAULT_SEED_PATH, cost))),
    ]);
    const passwords = [...readSeedAccounts().values()].map((a) => a.password);
    const setting: CaseSetting = { reportRoot, templates, bundle, passwords };
    const results: CaseResult[] = new Array(all.length);
    let done = 0;
    const report = (i: number, result: CaseResult) => {
      results[i] = result;
      onResult?.(result, ++done);
    };
    // The control itself must run every test the suite lists and skip none (the reference
    // API claims every capability).
    const everything: ControlCounts = { executed: listed.length, skipped: 0, skippedTitles: [] };
    const controlResult = checkCase(CONTROL, setting, everything).then((r) => (report(0, r), r));
    const control = controlResult.then((r) => ({ executed: r.run.passed + r.run.failed, skipped: r.run.skipped, skippedTitles: r.run.skippedTitles }));
    const queue = all
      .map((c, i) => ({ c, i }))
      .slice(1)
      .sort((a, b) => expectedLength(b.c) - expectedLength(a.c) || a.i - b.i);
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const { c, i } = next;
        // A harmless variation's verdict needs the control's counts; a fault's does not.
        const result = await checkCase(c, setting, c.harmless ? control : undefined);
        report(i, result);
      }
    };
    // The control takes one of the `jobs` slots while it runs.
    await Promise.all([controlResult.then(worker), ...Array.from({ length: Math.min(jobs, all.length) - 1 }, worker)]);
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

// Faults of the load suite show only at volume; test/load-*.test.ts hold the load engine to them.
export const SELFCHECK_CASES: readonly Case[] = [CONTROL, ...FAULTS.filter((f) => f.suite === 'contract')];

export function isExpected(result: CaseResult): boolean {
  return GOOD.has(result.verdict);
}

export function summarize(results: readonly CaseResult[]): string {
  const faults = results.filter((r) => !r.harmless);
  const harmless = results.filter((r) => r.harmless);
  return (
    `${faults.filter((r) => r.verdict === 'caught').length}/${faults.length} faults caught, ` +
    `${harmless.filter((r) => r.verdict === 'passed').length}/${harmless.length} harmless variations passed (control run included)`
  );
}

/** Keeps the table and the results beside the runs' reports, and links them from the reports page. */
export function writeSelfcheckReports(reportRoot: string, results: CaseResult[], tableText: string): void {
  writeFileSync(join(reportRoot, 'table.txt'), tableText);
  writeFileSync(join(reportRoot, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReportsIndex(dirname(reportRoot));
}

async function main(): Promise<number> {
  const { only, jobs } = parseArgs(process.argv.slice(2));
  const cases = SELFCHECK_CASES.filter((c) => c === CONTROL || !only || only.includes(c.name));
  const reportRoot = join(PROJECT_ROOT, 'reports', 'selfcheck');
  const started = Date.now();
  const results = await runSelfcheck(cases, {
    jobs,
    reportRoot,
    onResult: (result, done) => {
      const figures = `${result.run.passed} passed, ${result.run.failed} failed, ${(result.run.durationMs / 1000).toFixed(1)} s`;
      process.stdout.write(`[${done}/${cases.length}] ${result.name}: ${result.verdict} (${figures})\n`);
    },
  });
  const table = formatTable(results);
  const summary = `${summarize(results)}, ${((Date.now() - started) / 1000).toFixed(0)} s`;
  process.stdout.write(`\n${table}\n\n${summary}\n`);
  for (const r of results.filter((r) => r.leaks.length > 0)) process.stdout.write(`LEAK in ${r.name}: ${r.leaks.join('; ')}\n`);
  writeSelfcheckReports(reportRoot, results, `${table}\n\n${summary}\n`);
  process.stdout.write(`reports: ${join('reports', 'selfcheck')}/table.txt, results.json and one contract report per variation\nreports page: reports/index.html\n`);
  return results.every(isExpected) ? EXIT.ok : EXIT.failed;
}

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
