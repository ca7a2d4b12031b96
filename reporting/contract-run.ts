/**
 * A contract run, read back from Playwright's JSON report (`results.json`) for the reports
 * page and its history: when it ran, against what, how many tests passed, failed or were
 * skipped, and the titles of the tests that failed. Titles only: an error message can
 * carry what a response held, so none is ever read. Missing or unreadable reports are
 * states the page shows, not errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContractRun {
  kind: 'run';
  startedAt?: Date;
  durationMs: number;
  passed: number;
  failed: number;
  flaky: number;
  skipped: number;
  /** Where the suite pointed, from the run's metadata (origin and path only). */
  target?: string;
  /** `embedded` (the reference API) or `external`, from the run's metadata. */
  targetKind?: string;
  /** `file › describe › title` of every test that failed, in report order. */
  failedTests: string[];
}

export type ContractRunState = ContractRun | { kind: 'none' } | { kind: 'unreadable'; reason: string };

interface JsonSuite {
  title?: unknown;
  file?: unknown;
  specs?: { title?: unknown; tests?: { status?: unknown }[] }[];
  suites?: JsonSuite[];
}

interface PlaywrightJsonReport {
  config?: { metadata?: Record<string, unknown> };
  suites?: JsonSuite[];
  stats?: { startTime?: unknown; duration?: unknown; expected?: unknown; unexpected?: unknown; flaky?: unknown; skipped?: unknown };
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The origin and path of a URL, without credentials, query or fragment; other text as it is. */
export function safeTarget(target: string): string {
  try {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return target;
    return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return target;
  }
}

/** Titles of the tests whose outcome was `unexpected`, as `file › describe… › title`. */
export function failedTestTitles(suites: unknown): string[] {
  const titles: string[] = [];
  const walk = (suite: JsonSuite, path: string[]) => {
    const own = text(suite.title) ?? text(suite.file);
    const here = own ? [...path, own] : path;
    for (const spec of Array.isArray(suite.specs) ? suite.specs : []) {
      const failed = Array.isArray(spec?.tests) && spec.tests.some((t) => t?.status === 'unexpected');
      if (failed) titles.push([...here, text(spec.title) ?? '(untitled)'].join(' › '));
    }
    for (const child of Array.isArray(suite.suites) ? suite.suites : []) if (child && typeof child === 'object') walk(child, here);
  };
  for (const suite of Array.isArray(suites) ? (suites as JsonSuite[]) : []) if (suite && typeof suite === 'object') walk(suite, []);
  return titles;
}

export function readContractRun(contractDir: string): ContractRunState {
  const file = join(contractDir, 'results.json');
  if (!existsSync(file)) return { kind: 'none' };
  let report: PlaywrightJsonReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as PlaywrightJsonReport;
  } catch {
    return { kind: 'unreadable', reason: 'results.json is not JSON' };
  }
  if (!report || typeof report !== 'object') return { kind: 'unreadable', reason: 'results.json has no test counts (not a Playwright JSON report?)' };
  const stats = report.stats ?? {};
  const [passed, failed, flaky, skipped, durationMs] = [stats.expected, stats.unexpected, stats.flaky, stats.skipped, stats.duration].map(count);
  if (passed === undefined || failed === undefined || durationMs === undefined) {
    return { kind: 'unreadable', reason: 'results.json has no test counts (not a Playwright JSON report?)' };
  }
  const startedAt = typeof stats.startTime === 'string' ? new Date(stats.startTime) : undefined;
  const target = text(report.config?.metadata?.target);
  const targetKind = text(report.config?.metadata?.targetKind);
  return {
    kind: 'run',
    startedAt: startedAt && !Number.isNaN(startedAt.getTime()) ? startedAt : undefined,
    durationMs,
    passed,
    failed,
    flaky: flaky ?? 0,
    skipped: skipped ?? 0,
    target: target === undefined ? undefined : safeTarget(target),
    targetKind,
    failedTests: failedTestTitles(report.suites),
  };
}
