/**
 * The contract suite's history: one small JSON file per run in
 * `reports/contract-history/<YYYYMMDDTHHMMSSZ>.json`, written after each run whose reports
 * go to `reports/contract/` (specs/support/run-summary-reporter.ts), so that the reports
 * page can show every stored run and not only the last one.
 *
 * An entry holds the start time, duration, status, counts, target and the titles of the
 * failed tests, never an error message (a message can quote a response, and a response
 * can hold a token). The newest HISTORY_LIMIT entries are kept; older ones are removed.
 * Reading is tolerant: an entry that is not JSON or not an entry is named, never fatal.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readContractRun, type ContractRun } from './contract-run.ts';

export const HISTORY_DIR = 'contract-history';
export const HISTORY_LIMIT = 200;
/** Failed titles kept per entry; the rest are counted in `failedTestsOmitted`. */
export const MAX_FAILED_TITLES = 50;

export const CONTRACT_STATUSES = ['passed', 'failed', 'timedout', 'interrupted'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export interface ContractHistoryEntry {
  formatVersion: 1;
  /** ISO 8601, UTC. */
  startedAt: string;
  durationMs: number;
  status: ContractStatus;
  counts: { passed: number; failed: number; skipped: number; flaky: number };
  target?: string;
  targetKind?: string;
  /** `file › describe › title` of each failed test; titles only, never messages. */
  failedTests: string[];
  failedTestsOmitted?: number;
}

export interface UnreadableEntry {
  file: string;
  reason: string;
}

const ENTRY_NAME = /^\d{8}T\d{6}Z(?:-\d+)?\.json$/;

/** `2026-11-28T17:45:09.731Z` → `20261128T174509Z`. */
export const historyStamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

/** The history entry for a run read from results.json; `status` is Playwright's when known. */
export function historyEntry(run: ContractRun, status?: ContractStatus, fallbackStart = new Date()): ContractHistoryEntry {
  const titles = run.failedTests.slice(0, MAX_FAILED_TITLES);
  const omitted = run.failedTests.length - titles.length;
  return {
    formatVersion: 1,
    startedAt: (run.startedAt ?? fallbackStart).toISOString(),
    durationMs: run.durationMs,
    status: status ?? (run.failed > 0 ? 'failed' : 'passed'),
    counts: { passed: run.passed, failed: run.failed, skipped: run.skipped, flaky: run.flaky },
    ...(run.target === undefined ? {} : { target: run.target }),
    ...(run.targetKind === undefined ? {} : { targetKind: run.targetKind }),
    failedTests: titles,
    ...(omitted > 0 ? { failedTestsOmitted: omitted } : {}),
  };
}

/**
 * Records the run in `<reportsRoot>/contract/results.json` as a history entry and removes
 * the oldest entries beyond `limit`. Returns the entry's path, or why nothing was recorded.
 */
export function recordContractRun(
  reportsRoot: string,
  options: { status?: ContractStatus; limit?: number; now?: Date } = {},
): { recorded: string } | { skipped: string } {
  const run = readContractRun(join(reportsRoot, 'contract'));
  if (run.kind === 'none') return { skipped: 'no contract/results.json' };
  if (run.kind === 'unreadable') return { skipped: run.reason };
  const entry = historyEntry(run, options.status, options.now ?? statSync(join(reportsRoot, 'contract', 'results.json')).mtime);
  const dir = join(reportsRoot, HISTORY_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${historyStamp(new Date(entry.startedAt))}.json`);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(entry, null, 2)}\n`);
  renameSync(temp, path);
  pruneHistory(dir, options.limit ?? HISTORY_LIMIT);
  return { recorded: path };
}

/** Removes the oldest entries (by name, which is by start time) beyond `limit`. */
export function pruneHistory(dir: string, limit = HISTORY_LIMIT): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((n) => ENTRY_NAME.test(n)).sort();
  const removed = names.slice(0, Math.max(0, names.length - Math.max(1, limit)));
  for (const name of removed) rmSync(join(dir, name), { force: true });
  return removed;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The entry `value` holds, or why it is not one. */
export function parseHistoryEntry(value: unknown): ContractHistoryEntry | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.startedAt !== 'string' || Number.isNaN(Date.parse(v.startedAt))) return 'startedAt is not a time';
  if (!isCount(v.durationMs)) return 'durationMs is not a duration';
  if (typeof v.status !== 'string' || !(CONTRACT_STATUSES as readonly string[]).includes(v.status)) return 'status is not one of passed, failed, timedout, interrupted';
  const c = v.counts as Record<string, unknown> | undefined;
  if (!c || typeof c !== 'object' || !isCount(c.passed) || !isCount(c.failed) || !isCount(c.skipped) || !isCount(c.flaky)) return 'counts are missing';
  const failedTests = Array.isArray(v.failedTests) ? v.failedTests.filter((t): t is string => typeof t === 'string') : [];
  return {
    formatVersion: 1,
    startedAt: new Date(v.startedAt).toISOString(),
    durationMs: v.durationMs,
    status: v.status as ContractStatus,
    counts: { passed: c.passed, failed: c.failed, skipped: c.skipped, flaky: c.flaky },
    ...(typeof v.target === 'string' ? { target: v.target } : {}),
    ...(typeof v.targetKind === 'string' ? { targetKind: v.targetKind } : {}),
    failedTests,
    ...(isCount(v.failedTestsOmitted) && v.failedTestsOmitted > 0 ? { failedTestsOmitted: v.failedTestsOmitted } : {}),
  };
}

/** Every readable entry under `<reportsRoot>/contract-history/`, newest first. */
export function readContractHistory(reportsRoot: string): { entries: ContractHistoryEntry[]; unreadable: UnreadableEntry[] } {
  const dir = join(reportsRoot, HISTORY_DIR);
  if (!existsSync(dir)) return { entries: [], unreadable: [] };
  const entries: ContractHistoryEntry[] = [];
  const unreadable: UnreadableEntry[] = [];
  for (const file of readdirSync(dir).filter((n) => ENTRY_NAME.test(n)).sort()) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch {
      unreadable.push({ file, reason: 'not JSON' });
      continue;
    }
    const entry = parseHistoryEntry(data);
    if (typeof entry === 'string') unreadable.push({ file, reason: entry });
    else entries.push(entry);
  }
  entries.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return { entries, unreadable };
}

/**
 * The runs the page lists, newest first: the history, plus the run in `contract/` when the
 * history does not hold it (a CI artifact with `contract/` alone, or a run before history).
 * `latest` is the run `contract/` holds, whose HTML report the page links.
 */
export function contractRuns(reportsRoot: string): { runs: ContractHistoryEntry[]; latestStartedAt?: string; unreadable: UnreadableEntry[] } {
  const { entries, unreadable } = readContractHistory(reportsRoot);
  const current = readContractRun(join(reportsRoot, 'contract'));
  if (current.kind !== 'run') return { runs: entries, unreadable };
  // A report without a start time is dated by its file.
  const latest = historyEntry(current, undefined, statSync(join(reportsRoot, 'contract', 'results.json')).mtime);
  const runs = entries.some((e) => e.startedAt === latest.startedAt) ? entries : [latest, ...entries].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return { runs, latestStartedAt: latest.startedAt, unreadable };
}
