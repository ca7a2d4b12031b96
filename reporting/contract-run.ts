/**
 * The latest contract run, read back from Playwright's JSON report (`results.json`) for
 * the reports page: when it ran, against what, and how many tests passed, failed or were
 * skipped. Missing or unreadable reports are states the page shows, not errors.
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
}

export type ContractRunState = ContractRun | { kind: 'none' } | { kind: 'unreadable'; reason: string };

interface PlaywrightJsonReport {
  config?: { metadata?: Record<string, unknown> };
  stats?: { startTime?: unknown; duration?: unknown; expected?: unknown; unexpected?: unknown; flaky?: unknown; skipped?: unknown };
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

export function readContractRun(contractDir: string): ContractRunState {
  const file = join(contractDir, 'results.json');
  if (!existsSync(file)) return { kind: 'none' };
  let report: PlaywrightJsonReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as PlaywrightJsonReport;
  } catch {
    return { kind: 'unreadable', reason: 'results.json is not JSON' };
  }
  const stats = report.stats ?? {};
  const [passed, failed, flaky, skipped, durationMs] = [stats.expected, stats.unexpected, stats.flaky, stats.skipped, stats.duration].map(count);
  if (passed === undefined || failed === undefined || durationMs === undefined) {
    return { kind: 'unreadable', reason: 'results.json has no test counts (not a Playwright JSON report?)' };
  }
  const startedAt = typeof stats.startTime === 'string' ? new Date(stats.startTime) : undefined;
  const target = report.config?.metadata?.target;
  return {
    kind: 'run',
    startedAt: startedAt && !Number.isNaN(startedAt.getTime()) ? startedAt : undefined,
    durationMs,
    passed,
    failed,
    flaky: flaky ?? 0,
    skipped: skipped ?? 0,
    target: typeof target === 'string' ? target : undefined,
  };
}
