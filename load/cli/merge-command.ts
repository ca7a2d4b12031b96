/**
 * `npm run load:merge -- <run dir>... [--out-dir DIR]`: merges the summaries of segment runs
 * (`--segment k/n`, on one machine or many) into one run and judges it once.
 *
 * Exact: counts add up; latency, lag and iteration histograms merge (HdrHistogram), so the
 * merged percentiles are those of every sample; thresholds and validity are evaluated on the
 * merged figures. Per-second percentiles in the time series and per-window percentiles
 * cannot be rebuilt from the files and are the highest of the segments (an upper bound);
 * a window held its thresholds only if it held them in every segment. Tokens are checked
 * for repeats within each segment (segments never share an account).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT, SuiteError } from '../../lib/errors.ts';
import { runFolderName } from '../../reporting/load-runs.ts';
import { composeSummary } from '../engine/compose.ts';
import { buildSchedule } from '../engine/executors.ts';
import { MetricState, decodeInterval, releaseInterval, type IntervalData } from '../engine/metrics.ts';
import { countOwned } from '../engine/run.ts';
import type { LoadSummary, TimeSeries, WindowFigures } from '../engine/summary-types.ts';
import { capacityOf, driftOf } from '../engine/summary.ts';
import { parseThresholds } from '../engine/thresholds.ts';
import { readSummaryFile } from '../report/baseline.ts';
import { renderConsoleSummary } from '../report/console.ts';
import { writeRunReports } from '../report/write.ts';
import { parseArgs } from './args.ts';

export const MERGE_USAGE = 'usage: load:merge <run dir>... [--out-dir DIR]';

interface Part {
  dir: string;
  summary: LoadSummary;
  segment: { index: number; count: number };
}

function readPart(dir: string): Part {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) throw new SuiteError('USAGE', `${dir} holds no summary.json; ${MERGE_USAGE}`);
  const summary = readSummaryFile(file);
  if (!summary.puppilot.counts) throw new SuiteError('CONFIG_INVALID', `${file} has no arrival counts (written by an older version); it cannot be merged`);
  return { dir, summary, segment: summary.puppilot.config.segment ?? { index: 0, count: 1 } };
}

/** A segment's totals as one interval, so that merging reuses the run's own arithmetic. */
function asInterval(s: LoadSummary): IntervalData {
  const d = s.puppilot;
  return {
    second: 0,
    ...d.counts!,
    endpoints: Object.fromEntries(
      Object.entries(d.endpoints).map(([name, e]) => [
        name,
        { requests: e.requests, failed: e.failed, contractFailures: e.contractFailures, statuses: e.statuses, errors: e.errors, duration: e.histograms.duration, corrected: e.histograms.corrected },
      ]),
    ),
    lag: d.histograms.lag,
    iterationDuration: d.histograms.iterationDuration,
    checks: d.checks,
    tokens: [],
    refreshUserMismatches: 0,
    reuse: { sent: 0, refused: 0, accepted: 0 },
    samples: [],
  };
}

const sumArrays = (lists: number[][], length: number) => Array.from({ length }, (_, i) => lists.reduce((n, l) => n + (l[i] ?? 0), 0));
const maxArrays = (lists: (number | null)[][], length: number) =>
  Array.from({ length }, (_, i) => lists.reduce<number | null>((m, l) => (l[i] == null ? m : m === null ? l[i]! : Math.max(m, l[i]!)), null));

export function mergeTimeseries(series: TimeSeries[]): TimeSeries {
  const length = Math.max(...series.map((s) => s.t.length));
  const endpoints = [...new Set(series.flatMap((s) => Object.keys(s.requests)))];
  const per = <T>(pick: (s: TimeSeries) => Record<string, T[]>, combine: (lists: T[][], length: number) => T[]) =>
    Object.fromEntries(endpoints.map((e) => [e, combine(series.map((s) => pick(s)[e] ?? []), length)]));
  return {
    t: Array.from({ length }, (_, i) => i),
    targetRate: sumArrays(series.map((s) => s.targetRate), length),
    offered: sumArrays(series.map((s) => s.offered), length),
    started: sumArrays(series.map((s) => s.started), length),
    dropped: sumArrays(series.map((s) => s.dropped), length),
    inFlight: sumArrays(series.map((s) => s.inFlight), length),
    requests: per((s) => s.requests, sumArrays),
    failed: sumArrays(series.map((s) => s.failed), length),
    contractFailures: sumArrays(series.map((s) => s.contractFailures), length),
    p50: per((s) => s.p50, maxArrays),
    p95: per((s) => s.p95, maxArrays),
    p99: per((s) => s.p99, maxArrays),
    correctedP99: per((s) => s.correctedP99, maxArrays),
  };
}

export function mergeWindows(lists: WindowFigures[][]): WindowFigures[] {
  const first = lists[0] ?? [];
  return first.map((w, i) => {
    const all = lists.map((l) => l[i]).filter((x): x is WindowFigures => x !== undefined);
    const requests = all.reduce((n, x) => n + x.requests, 0);
    const weighted = (pick: (x: WindowFigures) => number) => (requests ? all.reduce((n, x) => n + pick(x) * x.requests, 0) / requests : 0);
    const max = (pick: (x: WindowFigures) => number | null) => all.reduce<number | null>((m, x) => (pick(x) === null ? m : Math.max(m ?? 0, pick(x)!)), null);
    return {
      label: w.label,
      startS: w.startS,
      endS: w.endS,
      targetRate: all.reduce((n, x) => n + x.targetRate, 0),
      offeredRate: all.reduce((n, x) => n + x.offeredRate, 0),
      requests,
      requestRate: all.reduce((n, x) => n + x.requestRate, 0),
      p95Ms: max((x) => x.p95Ms),
      p99Ms: max((x) => x.p99Ms),
      failedRate: weighted((x) => x.failedRate),
      checksRate: weighted((x) => x.checksRate),
      dropped: all.reduce((n, x) => n + x.dropped, 0),
      thresholdsHeld: all.every((x) => x.thresholdsHeld),
      breached: [...new Set(all.flatMap((x) => x.breached))],
    };
  });
}

export function mergeSummaries(parts: Part[]): LoadSummary {
  const base = parts[0]!.summary.puppilot;
  for (const p of parts) {
    const d = p.summary.puppilot;
    if (d.scenario !== base.scenario) throw new SuiteError('USAGE', `cannot merge runs of different scenarios (${base.scenario}, ${d.scenario} in ${p.dir})`);
    if (JSON.stringify(d.config.executor) !== JSON.stringify(base.config.executor)) throw new SuiteError('USAGE', `${p.dir} ran another schedule than ${parts[0]!.dir}; only segments of one run merge`);
    if (p.segment.count !== parts[0]!.segment.count) throw new SuiteError('USAGE', `${p.dir} is segment ${p.segment.index}/${p.segment.count}, not of ${parts[0]!.segment.count}`);
  }
  const count = parts[0]!.segment.count;
  const indices = parts.map((p) => p.segment.index);
  const twice = indices.find((k, i) => indices.indexOf(k) !== i);
  if (twice !== undefined) throw new SuiteError('USAGE', `segment ${twice}/${count} is given twice`);
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !indices.includes(k));

  const schedule = buildSchedule(base.config.executor);
  const whole = new MetricState();
  for (const p of parts) {
    const decoded = decodeInterval(asInterval(p.summary));
    whole.add(decoded);
    releaseInterval(decoded);
  }
  const interrupted = parts.some((p) => p.summary.puppilot.interrupted);
  const aborted = parts.map((p) => p.summary.puppilot.verdict).find((v) => v.status === 'aborted')?.reasons.find((r) => r.startsWith('aborted: '))?.slice(9);
  const sum = (pick: (d: LoadSummary['puppilot']) => number) => parts.reduce((n, p) => n + pick(p.summary.puppilot), 0);
  const summary = composeSummary({
    scenario: { name: base.scenario, description: base.description, reportsCapacity: base.capacity !== undefined, reportsDrift: base.drift !== undefined },
    runConfig: { ...base.config, segment: null, accounts: sum((d) => d.config.accounts) },
    thresholds: parseThresholds(base.config.thresholds),
    schedule,
    share: parts.length / count,
    targetArrivals: parts.reduce((n, p) => n + countOwned(schedule.total, p.segment.index, count), 0),
    startedAt: new Date(Math.min(...parts.map((p) => Date.parse(p.summary.puppilot.startedAt)))),
    endedAt: new Date(Math.max(...parts.map((p) => Date.parse(p.summary.puppilot.endedAt)))),
    ranForMs: Math.max(...parts.map((p) => p.summary.state.testRunDurationMs)),
    target: base.target,
    whole,
    windows: [],
    timeseries: mergeTimeseries(parts.map((p) => p.summary.puppilot.timeseries)),
    invariants: {
      tokensTracked: sum((d) => d.invariants.tokensTracked),
      tokenLimit: base.invariants.tokenLimit,
      duplicateTokens: sum((d) => d.invariants.duplicateTokens),
      refreshUserMismatches: sum((d) => d.invariants.refreshUserMismatches),
      reuseProbes: {
        sent: sum((d) => d.invariants.reuseProbes.sent),
        refused: sum((d) => d.invariants.reuseProbes.refused),
        accepted: sum((d) => d.invariants.reuseProbes.accepted),
      },
    },
    samples: parts.flatMap((p) => p.summary.puppilot.contractFailureSamples).slice(0, 20),
    run: { interrupted, aborted, abandoned: 0, flowErrors: [] },
    mergedFrom: parts.map((p) => p.dir),
  });
  whole.destroy();
  const details = summary.puppilot;
  details.windows = mergeWindows(parts.map((p) => p.summary.puppilot.windows));
  if (base.capacity !== undefined) details.capacity = capacityOf(details.windows, details.config.validity.minRateRatio);
  if (base.drift !== undefined) details.drift = driftOf(details.windows);
  // Problems a segment saw that the merged figures cannot show again.
  for (const p of parts) {
    for (const reason of p.summary.puppilot.verdict.reasons) {
      if (/^(a flow threw|\d+ iterations? still in flight)/.test(reason)) details.verdict.reasons.push(`segment ${p.segment.index}/${count}: ${reason}`);
    }
  }
  if (missing.length > 0) details.verdict.reasons.push(`segment${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the merge covers ${parts.length} of ${count}`);
  if (details.verdict.reasons.length > 0 && details.verdict.status === 'passed') details.verdict.status = 'failed';
  details.verdict.exitCode = details.verdict.status === 'passed' ? 0 : 1;
  return summary;
}

export async function runMergeCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ['out-dir'], [], MERGE_USAGE);
  if (positionals.length === 0) throw new SuiteError('USAGE', `name the run folders to merge; ${MERGE_USAGE}`);
  loadDotenv();
  const parts = positionals.map((dir) => readPart(resolve(dir)));
  const summary = mergeSummaries(parts);
  const root = resolve(process.env.LOAD_REPORT_DIR?.trim() || 'reports/load');
  let outDir = options.has('out-dir') ? resolve(String(options.get('out-dir'))) : undefined;
  if (!outDir) {
    const start = Date.parse(summary.puppilot.startedAt);
    const taken = new Set(existsSync(root) ? readdirSync(root) : []);
    let s = 0;
    while (taken.has(runFolderName(summary.puppilot.scenario, new Date(start + s * 1000)))) s += 1;
    outDir = join(root, runFolderName(summary.puppilot.scenario, new Date(start + s * 1000)));
  }
  writeRunReports(outDir, summary);
  process.stdout.write(`${renderConsoleSummary(summary, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`);
  process.stdout.write(`merged ${parts.length} segment run${parts.length > 1 ? 's' : ''}: ${relative(process.cwd(), outDir) || '.'}\n`);
  return summary.puppilot.verdict.exitCode === 0 ? EXIT.ok : EXIT.failed;
}
