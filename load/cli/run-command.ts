/**
 * `npm run load:<scenario> -- [--segment k/n] [--out-dir DIR] [--quiet]`: one run, then its
 * files (intervals.jsonl, summary.json, report.html, junit.xml), the console summary, the
 * comparison with the scenario's baseline when one is stored, and the reports page. Exit 0
 * when the run passed, 1 when it failed, was invalid, interrupted or regressed, 2 on a
 * configuration error.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadDotenv } from '../../lib/config.ts';
import { EXIT, SuiteError } from '../../lib/errors.ts';
import { runFolderName } from '../../reporting/load-runs.ts';
import { writeReportsIndex } from '../../reporting/index-page.ts';
import { formatDuration } from '../engine/duration.ts';
import { peakRate } from '../engine/executors.ts';
import type { RunObserver } from '../engine/observers.ts';
import { partitionAccounts, runLoad, type RunPlan } from '../engine/run.ts';
import { formatSegment, parseSegment } from '../engine/segment.ts';
import type { BaselineVerdict, LoadSummary } from '../engine/summary-types.ts';
import type { LoadAccount } from '../engine/workload.ts';
import { compareWithBaseline, readSummaryFile } from '../report/baseline.ts';
import { renderConsoleSummary } from '../report/console.ts';
import { writeRunReports } from '../report/write.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { workloadOf } from '../scenarios/workload.ts';
import { attachOutputReports, createOutputs, parseOutputs } from '../outputs/index.ts';
import { parseArgs } from './args.ts';
import { loadConfig, type LoadConfig } from './config.ts';
import { Progress } from './progress.ts';
import { resolveTarget } from './target.ts';

export const RUN_USAGE = 'usage: load:<scenario> [--segment k/n] [--out-dir DIR] [--out json=FILE|csv=FILE|prometheus-rw=URL]... [--quiet] [--dry-run]';

/** Where a scenario's baseline is kept. */
export const baselineFile = (dir: string, scenario: string) => join(dir, `${scenario}.json`);

/** The comparison with the stored baseline, when there is one. */
export function baselineComparer(file: string, allowedPct: number, reportsRoot: string): ((draft: LoadSummary) => BaselineVerdict) | undefined {
  if (!existsSync(file)) return undefined;
  const baseline = readSummaryFile(file);
  return (draft) => compareWithBaseline(draft, baseline, { allowedPct, source: relative(reportsRoot, file) || basename(file) });
}

/** What a run would do, checked against every cap: what --dry-run prints, sending nothing. */
export function describePlan(config: LoadConfig): string {
  const target = config.target.kind === 'embedded' ? 'the embedded reference API (started for the run)' : config.target.origin;
  const accounts = config.accounts === null ? "the reference API's seeded load accounts" : `${config.accounts.length} account${config.accounts.length > 1 ? 's' : ''}`;
  const round = (n: number) => Math.round(n * 100) / 100;
  return [
    `plan: ${config.scenario.name} against ${target}`,
    `  ${config.executor.executor}: ${config.schedule.total} arrivals over ${formatDuration(config.schedule.durationMs)}, peak ${round(peakRate(config.schedule))}/s, in-flight cap ${config.executor.maxVUs}`,
    `  ${config.workers} generator thread${config.workers > 1 ? 's' : ''}${config.segment.count > 1 ? `, segment ${formatSegment(config.segment)}` : ''}; ${accounts}; ${config.thresholds.length} thresholds`,
    '  within LOAD_MAX_RATE and LOAD_MAX_DURATION; nothing was sent (--dry-run)',
  ].join('\n');
}

/** The engine's plan for a configured scenario against a resolved target. */
export function planFor(config: LoadConfig, target: { origin: string; kind: 'embedded' | 'external'; accounts: LoadAccount[] }): RunPlan {
  const { scenario } = config;
  return {
    workload: workloadOf(scenario),
    header: {
      scenario: scenario.name,
      description: scenario.description,
      reportsCapacity: scenario.reportsCapacity ?? false,
      reportsDrift: scenario.reportsDrift ?? false,
      endpoints: [...scenario.endpoints],
      target: { origin: target.origin, kind: target.kind },
      config: {
        executor: config.executor,
        workers: config.workers,
        segment: config.segment.count > 1 ? config.segment : null,
        timeoutMs: config.timeoutMs,
        validity: config.validity,
        degradation: config.degradation,
        checkSample: config.checkSample,
        thresholds: Object.fromEntries(Object.entries(config.thresholdMap).map(([k, list]) => [k, list.map((t) => (typeof t === 'string' ? t : t.threshold))])),
        abortOnFail: config.thresholds.filter((t) => t.abortOnFail).map((t) => `${t.key}: ${t.expression}`),
        accounts: target.accounts.length,
      },
      thresholdMap: config.thresholdMap,
      windows: scenario.windows?.(config.schedule) ?? [],
    },
    thresholds: config.thresholds,
    schedule: config.schedule,
    segment: config.segment,
    workers: config.workers,
    timeoutMs: config.timeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    graceMs: config.graceMs,
    origin: target.origin,
    accounts: target.accounts,
    api: config.api,
    checkSample: config.checkSample,
  };
}

/** Ctrl-C or SIGTERM once: stop arrivals and drain; twice: exit without a summary. */
function stopOnSignals(progress: Progress, graceMs: number): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      progress.say(`load: ${signal} again, exiting without a summary`);
      process.exit(130);
    }
    progress.say(`load: ${signal}: stopping arrivals, draining in-flight requests (up to ${formatDuration(graceMs)}) …`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function runScenarioCommand(scenario: Scenario, argv: string[], worker: { workerUrl: URL; workerEntry?: string }): Promise<number> {
  const { positionals, options, lists } = parseArgs(argv, ['segment', 'out-dir'], ['quiet', 'dry-run'], RUN_USAGE, ['out']);
  if (positionals.length > 0) throw new SuiteError('USAGE', `unexpected argument '${positionals[0]}'; ${RUN_USAGE}`);
  loadDotenv();
  const config = loadConfig(scenario, process.env, {
    segment: options.has('segment') ? parseSegment(String(options.get('segment')), '--segment') : undefined,
    outDir: options.has('out-dir') ? String(options.get('out-dir')) : undefined,
    quiet: options.has('quiet'),
  });
  const outputSpecs = parseOutputs(lists.get('out') ?? [], process.env);
  if (options.has('dry-run')) {
    process.stdout.write(`${describePlan(config)}\n`);
    return EXIT.ok;
  }
  const progress = new Progress(process.stderr, config.quiet);
  const accountsNeeded = scenario.accountsPerGenerator ?? 1;
  const target = await resolveTarget(config, (line) => progress.say(line), (accounts) => partitionAccounts(accounts, config.segment, config.workers, accountsNeeded, scenario.name));
  const reportRoot = resolve(config.reportRoot);
  const reportsRoot = resolve(config.outDir ? dirname(resolve(config.outDir)) : dirname(reportRoot));
  const here = (path: string) => relative(process.cwd(), path) || '.';
  let runDir = '';
  const folderOf = (startedAt: string) => resolve(config.outDir ?? join(reportRoot, runFolderName(scenario.name, new Date(startedAt))));
  const outputs = createOutputs(outputSpecs, { testid: (header) => basename(folderOf(header.startedAt)), say: (line) => progress.say(line) });
  let outputLines: string[] = [];
  const writer: RunObserver = {
    started: (header) => {
      runDir = folderOf(header.startedAt);
    },
    ended: ({ summary, log }) => {
      runDir ||= folderOf(summary.puppilot.startedAt);
      outputLines = attachOutputReports(summary, outputs);
      writeRunReports(runDir, summary, log);
    },
  };
  // The reports page lists every stored run; only a run kept in the reports tree refreshes it.
  let pagePath: string | undefined;
  const reportsPage: RunObserver = {
    ended: () => {
      if (!config.outDir && basename(reportRoot) === 'load') pagePath = writeReportsIndex(reportsRoot).path;
    },
  };
  const plan = planFor(config, target);
  const stop = stopOnSignals(progress, config.graceMs);
  progress.say(
    `load: ${scenario.name} against ${target.origin}: ${config.executor.executor}, ${formatDuration(config.schedule.durationMs)}, ` +
      `${config.workers} generator thread${config.workers > 1 ? 's' : ''}${config.segment.count > 1 ? `, segment ${formatSegment(config.segment)}` : ''}, ` +
      `${target.accounts.length} accounts, in-flight cap ${config.executor.maxVUs}`,
  );
  let summary: LoadSummary;
  try {
    const compare = config.baseline.enabled && config.segment.count === 1 ? baselineComparer(baselineFile(resolve(config.baseline.dir), scenario.name), config.baseline.allowedPct, reportsRoot) : undefined;
    ({ summary } = await runLoad(plan, {
      ...worker,
      // The outputs end (their last flush) before the writer writes what they did into summary.json.
      observers: [progress, ...outputs, writer, reportsPage],
      stop: stop.signal,
      summarize: { tty: { out: Boolean(process.stdout.isTTY), err: Boolean(process.stderr.isTTY) }, compare },
    }));
  } finally {
    stop.release();
    await target.stop();
  }
  process.stdout.write(`${renderConsoleSummary(summary, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`);
  for (const line of outputLines) process.stdout.write(`${line}\n`);
  process.stdout.write(`report: ${here(join(runDir, 'report.html'))}\n`);
  if (pagePath) process.stdout.write(`reports page: ${here(pagePath)}\n`);
  return summary.puppilot.verdict.exitCode === 0 ? EXIT.ok : EXIT.failed;
}
