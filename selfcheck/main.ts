/**
 * `npm run selfcheck`: proves the suite's power. It starts the reference API once per
 * fault of its catalogue (reference-api/src/faults.ts), runs the whole contract suite
 * against it, and prints a table: each fault caught or not and by which tests, each
 * harmless variation passing or not. A control run without a fault comes first. Every
 * run's reports are also scanned for the passwords and tokens of that run.
 *
 * Usage: npm run selfcheck [-- --only name[,name...]] [--jobs N]
 * Exit: 0 when every fault is caught and every harmless variation passes, 1 otherwise,
 * 2 on bad usage.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FAULTS } from '../reference-api/src/faults.ts';
import { PROJECT_ROOT, readSeedAccounts } from '../lib/config.ts';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { referenceTargetEnv, startReference } from '../lib/reference-process.ts';
import { scanForSecrets } from '../lib/secret-scan.ts';
import { writeReportsIndex } from '../reporting/index-page.ts';
import { runContractSuite, type SuiteRun } from './run-suite.ts';

export interface Case {
  name: string;
  area: string;
  harmless: boolean;
  description: string;
}

export interface CaseResult extends Case {
  /** caught: the suite failed on a fault; passed: it passed on a harmless variation. */
  verdict: 'caught' | 'missed' | 'passed' | 'false-alarm' | 'broken-run' | 'leak';
  caughtBy: string[];
  run: Pick<SuiteRun, 'passed' | 'failed' | 'skipped' | 'durationMs' | 'exitCode'>;
  leaks: string[];
}

const CONTROL: Case = { name: '(none: control run)', area: '-', harmless: true, description: 'the reference API as it is' };
const HASH_COST = '14';
const FAILURES_TO_PROVE_A_CATCH = 5;
const SHORT_TTL = { ACCESS_TOKEN_TTL: '2', REFRESH_TOKEN_TTL: '5' };
/** Workers per run: fixed, so that the table does not depend on the machine's cores. */
const SELFCHECK_WORKERS = 4;

/** Runs the whole suite against the reference API with `fault` switched on. */
export async function checkCase(c: Case, reportRoot: string, onLine?: (line: string) => void): Promise<CaseResult> {
  const fault: Record<string, string> = c === CONTROL ? {} : { REFERENCE_FAULT: c.name };
  const main = await startReference({ PASSWORD_HASH_COST: HASH_COST, ...fault });
  const expiry = await startReference({ PASSWORD_HASH_COST: HASH_COST, ...SHORT_TTL, ...fault }).catch(async (e: unknown) => {
    await main.stop();
    throw e;
  });
  try {
    const reportDir = join(reportRoot, c === CONTROL ? 'control' : c.name);
    rmSync(reportDir, { recursive: true, force: true });
    const run = await runContractSuite({
      reportDir,
      onLine,
      // A fault is proven caught by its first failures; stopping there saves the worker
      // restarts that every further failure costs. Harmless variations run in full.
      args: c.harmless ? [] : [`--max-failures=${FAILURES_TO_PROVE_A_CATCH}`],
      workers: SELFCHECK_WORKERS,
      env: referenceTargetEnv(main, expiry),
    });
    const seed = readSeedAccounts();
    const secrets = [...[...seed.values()].map((a) => a.password), ...run.issuedTokens];
    const leaks = scanForSecrets(reportDir, secrets).map((f) => `${f.what} in ${f.where}`);
    const broken = run.passed + run.failed === 0;
    const verdict: CaseResult['verdict'] = broken
      ? 'broken-run'
      : leaks.length > 0
        ? 'leak'
        : c.harmless
          ? run.exitCode === 0 ? 'passed' : 'false-alarm'
          : run.exitCode === EXIT.failed && run.failed > 0 ? 'caught' : 'missed';
    return {
      ...c,
      verdict,
      caughtBy: byRelevance(run.failures.map((f) => f.title), c.area),
      run: { passed: run.passed, failed: run.failed, skipped: run.skipped, durationMs: run.durationMs, exitCode: run.exitCode },
      leaks,
    };
  } finally {
    await Promise.all([main.stop(), expiry.stop()]);
  }
}

/** The spec files that own each area's checks: their failures are listed first. */
const AREA_SPECS: Record<string, readonly string[]> = {
  shape: ['sign-in.valid', 'tokens.'],
  credentials: ['sign-in.invalid-credentials', 'account-enumeration.timing'],
  errors: ['sign-in.malformed', 'sign-in.invalid-credentials'],
  tokens: ['tokens.shape', 'protected', 'refresh.spec'],
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

export function formatTable(results: CaseResult[]): string {
  const rows = results.map((r) => {
    const by = r.harmless
      ? r.caughtBy.length > 0 ? `failed: ${r.caughtBy[0]}${r.caughtBy.length > 1 ? ` (+${r.caughtBy.length - 1} more)` : ''}` : '-'
      : r.caughtBy.length > 0 ? `${r.caughtBy[0]}${r.caughtBy.length > 1 ? ` (+${r.caughtBy.length - 1} more)` : ''}` : '-';
    return [r.name, r.area, r.harmless ? 'harmless' : 'fault', GOOD.has(r.verdict) ? r.verdict : `${r.verdict.toUpperCase()} ✗`, by];
  });
  const header = ['variation', 'area', 'kind', 'result', 'caught by (first failing test)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function parseArgs(argv: string[]): { only: string[] | undefined; jobs: number } {
  let only: string[] | undefined;
  let jobs = 1;
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

/** Checks every case, `jobs` at a time, reporting each result as it comes. */
export async function runSelfcheck(
  cases: readonly Case[],
  { jobs = 1, reportRoot, onResult }: { jobs?: number; reportRoot: string; onResult?: (r: CaseResult, done: number) => void },
): Promise<CaseResult[]> {
  mkdirSync(reportRoot, { recursive: true });
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await checkCase(cases[i]!, reportRoot);
      onResult?.(results[i]!, ++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, worker));
  return results;
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
