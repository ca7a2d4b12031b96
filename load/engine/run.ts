/**
 * Runs one load run in this process: runs the workload's setup, splits the schedule and the
 * accounts across generator threads, keeps the interval log they report, folds it live for
 * the observers (abortOnFail among them), and at the end folds the whole log into the
 * summary. A stop request (Ctrl-C, given by the caller) stops arrivals, lets in-flight
 * iterations drain within the grace period, and still produces a summary, marked
 * interrupted.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../lib/errors.ts';
import type { Schedule } from './executors.ts';
import { foldLogs, RunFold } from './fold.ts';
import type { ControlMessage, GeneratorInit, GeneratorMessage } from './generator.ts';
import { nowMs } from './http.ts';
import type { Notes } from './interval-recorder.ts';
import { LOG_FORMAT_VERSION, type AbortFact, type LogLine, type RunHeader } from './interval-log.ts';
import { publish, type RunObserver, type RunResult } from './observers.ts';
import { share, subSegment, type Segment } from './segment.ts';
import type { IntervalEntry } from './series.ts';
import { summarize, type SummarizeOptions } from './summary.ts';
import { evaluateThresholds, type Threshold } from './thresholds.ts';
import { abortReason } from './verdict.ts';
import { DEFAULT_TOKEN_LIMIT, TokenLedger } from './tokens-ledger.ts';
import type { LoadAccount, TargetApi, Workload } from './workload.ts';

/** Data a generator thread starts from: the entry module hands it to `runGenerator`. */
export interface WorkerData {
  kind: 'load-generator';
  init: GeneratorInit;
  /** For a bootstrap worker (source mode): the module to import once TypeScript loads. */
  entry?: string;
}

/** Everything a run needs, resolved: the caller has read the configuration and the target. */
export interface RunPlan {
  workload: Workload;
  /** The log's header without its start time (fixed when every generator is ready). */
  header: Omit<RunHeader, 'type' | 'formatVersion' | 'startedAt'>;
  thresholds: Threshold[];
  schedule: Schedule;
  segment: Segment;
  workers: number;
  timeoutMs: number;
  maxBodyBytes: number;
  graceMs: number;
  origin: string;
  accounts: LoadAccount[];
  api: TargetApi;
  /** LOAD_CHECK_SAMPLE: the fraction of responses whose contract is checked. */
  checkSample: number;
}

export interface RunIo {
  /** The module that, started as a worker thread, runs a generator (see cli/entry.ts). */
  workerUrl: URL;
  workerExecArgv?: string[];
  workerEntry?: string;
  observers: RunObserver[];
  /** Aborting it stops arrivals: the run ends as interrupted. */
  stop?: AbortSignal;
  summarize?: Omit<SummarizeOptions, 'mergedFrom'>;
}

/** Between the last generator's ready and the first arrival: time to receive `start`. */
const START_DELAY_MS = 100;
const MAX_FAILURE_SAMPLES = 20;

/** Each generator's share of the accounts; an error when a generator would get fewer than the workload needs. */
export function partitionAccounts(accounts: readonly LoadAccount[], segment: Segment, workers: number, perGenerator: number, workload: string): LoadAccount[][] {
  const shares = Array.from({ length: workers }, (_, w) => share(accounts, subSegment(segment, w, workers)));
  if (Math.min(...shares.map((s) => s.length)) < perGenerator) {
    throw new ConfigError(
      'LOAD_ACCOUNTS_FILE',
      `${accounts.length} accounts cannot give each of ${workers * segment.count} generators (segments × LOAD_WORKERS) the ${perGenerator} it needs for ${workload}; add accounts or use fewer workers`,
    );
  }
  return shares;
}

export async function runLoad(plan: RunPlan, io: RunIo): Promise<RunResult> {
  const { schedule, workload } = plan;
  const observers = io.observers;
  const shares = partitionAccounts(plan.accounts, plan.segment, plan.workers, workload.accountsPerGenerator ?? 1, workload.name);
  const maxInFlight = Math.max(1, Math.ceil(plan.header.config.executor.maxVUs / (plan.workers * plan.segment.count)));
  const setupData = await workload.setup?.({ origin: plan.origin, api: plan.api, accounts: plan.accounts });

  const log: LogLine[] = [];
  // The header goes first once the start time is fixed (or, for a run stopped before it started, at the end).
  const headerAt = (epochMs: number): RunHeader => {
    const header: RunHeader = { type: 'run', formatVersion: LOG_FORMAT_VERSION, ...plan.header, startedAt: new Date(epochMs).toISOString() };
    if (log[0]?.type !== 'run') log.unshift(header);
    return header;
  };
  const live = new RunFold([], false);
  const ledger = new TokenLedger(DEFAULT_TOKEN_LIMIT);
  let failureSamples = 0;
  let pending: IntervalEntry[] = [];
  let startEpochMs = Number.POSITIVE_INFINITY;
  let interrupted = false;
  let aborted: AbortFact | null = null;
  const flowErrors: string[] = [];
  let peakRssBytes = process.memoryUsage.rss();

  const generators = shares.map((accounts, w) => {
    const init: GeneratorInit = {
      workload: workload.name,
      worker: w,
      segment: subSegment(plan.segment, w, plan.workers),
      executor: plan.header.config.executor,
      maxInFlight,
      accounts,
      origin: plan.origin,
      api: plan.api,
      timeoutMs: plan.timeoutMs,
      maxBodyBytes: plan.maxBodyBytes,
      graceMs: plan.graceMs,
      setupData,
      checkSample: plan.checkSample,
    };
    const workerData: WorkerData = { kind: 'load-generator', init, entry: io.workerEntry };
    return { worker: new Worker(io.workerUrl, { workerData, execArgv: io.workerExecArgv }), index: w, ready: false, done: false };
  });
  const stopAll = () => generators.forEach((g) => g.worker.postMessage({ type: 'stop' } satisfies ControlMessage));
  const onStop = () => {
    if (interrupted) return;
    interrupted = true;
    stopAll();
  };
  io.stop?.addEventListener('abort', onStop);
  if (io.stop?.aborted) onStop();

  const receive = (entries: IntervalEntry[], notes: Notes) => {
    const all = [...entries, ...ledger.judge(notes.tokens, startEpochMs)];
    for (const entry of all) {
      log.push(entry);
      live.add(entry);
    }
    for (const sample of notes.contractFailures) {
      if (failureSamples++ < MAX_FAILURE_SAMPLES) log.push({ type: 'contract-failure', ...sample });
    }
    pending.push(...all);
  };

  const finished = Promise.all(
    generators.map(
      (g) =>
        new Promise<void>((resolve, reject) => {
          g.worker.on('message', (message: GeneratorMessage) => {
            if (message.type === 'ready') {
              g.ready = true;
              if (generators.every((other) => other.ready)) {
                startEpochMs = nowMs() + START_DELAY_MS;
                publish(observers, 'started', headerAt(startEpochMs));
                generators.forEach((other) => other.worker.postMessage({ type: 'start', startEpochMs } satisfies ControlMessage));
              }
            } else if (message.type === 'intervals') receive(message.entries, message.notes);
            else if (message.type === 'done') {
              receive(message.entries, message.notes);
              flowErrors.push(...message.flowErrors);
              g.done = true;
              // Its port keeps the thread alive; everything it had to say has arrived.
              void g.worker.terminate().then(() => resolve());
            } else if (message.type === 'failed') reject(new Error(`generator ${g.index} failed: ${message.message}`));
          });
          g.worker.once('error', (error) => reject(new Error(`generator ${g.index} failed: ${error.message.split('\n')[0]}`)));
          g.worker.once('exit', (code) => {
            if (!g.done) reject(new Error(`generator ${g.index} exited with ${code} before it finished`));
          });
        }),
    ),
  );

  const abortable = plan.thresholds.filter((t) => t.abortOnFail);
  const ticker = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    if (!Number.isFinite(startEpochMs)) return;
    const elapsedMs = Math.max(0, nowMs() - startEpochMs);
    // Entries arrive once a second closes: judge rates over the seconds they cover.
    const coveredS = Math.max(elapsedMs / 1000 - 1, 0.001);
    const started = live.whole.count('iterations_started');
    const vus = live.whole.gaugeBySecond('vus');
    publish(observers, 'snapshot', {
      elapsedMs: Math.min(elapsedMs, schedule.durationMs),
      totalMs: schedule.durationMs,
      targetRate: schedule.arrivalsBetween(0, Math.min(coveredS * 1000, schedule.durationMs)) / plan.segment.count / coveredS,
      achievedRate: (started + live.whole.count('dropped_iterations')) / coveredS,
      inFlight: vus.get(Math.max(-1, ...vus.keys())) ?? 0,
      whole: live.whole,
      entries: pending,
    });
    pending = [];
    if (aborted || interrupted || abortable.length === 0) return;
    const due = abortable.filter((t) => elapsedMs >= t.delayAbortEvalMs);
    const breached = evaluateThresholds(due, live.whole, Math.max(elapsedMs / 1000, 0.001)).find((r) => !r.ok && r.actual !== null);
    if (breached) {
      aborted = { metric: breached.metric, expression: breached.expression, actual: breached.actual };
      publish(observers, 'notice', `aborting: ${abortReason(aborted)}`);
      stopAll();
    }
  }, 1000);

  try {
    await finished;
  } catch (error) {
    stopAll();
    await Promise.all(generators.map((g) => g.worker.terminate()));
    throw error;
  } finally {
    clearInterval(ticker);
    io.stop?.removeEventListener('abort', onStop);
    live.destroy();
  }

  if (!Number.isFinite(startEpochMs)) headerAt(Date.now());
  const ranForMs = Number.isFinite(startEpochMs) ? Math.min(Math.max(0, nowMs() - startEpochMs), schedule.durationMs) : 0;
  log.push({ type: 'end', endedAt: new Date().toISOString(), ranForMs, interrupted, aborted, flowErrors: flowErrors.slice(0, 5), tokens: { tracked: ledger.tracked, limit: ledger.limit }, peakRssBytes });
  const folded = foldLogs([log]);
  try {
    const summary = summarize(folded, io.summarize);
    const result: RunResult = { log, summary };
    for (const o of observers) {
      try {
        await o.ended?.(result);
      } catch (error) {
        publish(observers, 'notice', `an observer failed at the end of the run: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
      }
    }
    return result;
  } finally {
    folded.fold.destroy();
  }
}
