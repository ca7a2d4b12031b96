/**
 * Runs one load run in this process: starts the embedded reference API when no BASE_URL is
 * given, splits the schedule and the accounts across generator threads, adds up what they
 * report, evaluates thresholds (abortOnFail as it goes), judges validity, and returns the
 * summary. Ctrl-C or SIGTERM stops arrivals, lets in-flight iterations drain within the
 * grace period, and still produces a summary, marked interrupted.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { REFERENCE_SEED_FILE } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { startReference, type RunningReference } from '../../lib/reference-process.ts';
import type { LoadAccount } from '../client/auth-client.ts';
import { RunAggregate } from './aggregate.ts';
import { seedLoadAccounts, type LoadConfig } from './config.ts';
import { formatDuration } from './duration.ts';
import type { ControlMessage, GeneratorInit, GeneratorMessage } from './generator.ts';
import { composeSummary } from './compose.ts';
import { percentileMs } from './histogram.ts';
import { nowMs } from './http.ts';
import { Progress } from './progress.ts';
import { formatSegment, share, subSegment } from './segment.ts';
import type { LoadSummary } from './summary-types.ts';
import { evaluateThresholds } from './thresholds.ts';

/** Data a generator thread starts from: `runEntry` hands it to `runGenerator`. */
export interface WorkerData {
  kind: 'load-generator';
  init: Omit<GeneratorInit, 'startEpochMs'>;
  /** For a bootstrap worker (source mode): the module to import once TypeScript loads. */
  entry?: string;
}

export interface RunIo {
  progress: Progress;
  /** The module that, started as a worker thread, runs a generator (see cli/entry.ts). */
  workerUrl: URL;
  workerExecArgv?: string[];
  workerEntry?: string;
}

/** Between the last generator's ready and the first arrival: time to receive `start`. */
const START_DELAY_MS = 100;

interface Generator {
  worker: Worker;
  init: Omit<GeneratorInit, 'startEpochMs'>;
  ready: boolean;
  done: boolean;
}

/** Each generator's accounts: its segment's share, the last one reserved for probes when the scenario probes. */
export function partitionAccounts(config: LoadConfig, accounts: LoadAccount[]): { accounts: LoadAccount[]; probe: LoadAccount | undefined }[] {
  const probes = config.scenario.reuseProbeEvery !== undefined;
  const perGenerator = probes ? 2 : 1;
  const shares = Array.from({ length: config.workers }, (_, w) => share(accounts, subSegment(config.segment, w, config.workers)));
  const smallest = Math.min(...shares.map((s) => s.length));
  if (smallest < perGenerator) {
    const generators = config.workers * config.segment.count;
    throw new ConfigError(
      'LOAD_ACCOUNTS_FILE',
      `${accounts.length} accounts cannot give each of ${generators} generators (segments × LOAD_WORKERS) the ${perGenerator} it needs for ${config.scenario.name}; add accounts or use fewer workers`,
    );
  }
  return shares.map((s) => (probes ? { accounts: s.slice(0, -1), probe: s.at(-1) } : { accounts: s, probe: undefined }));
}

export async function runLoad(config: LoadConfig, io: RunIo): Promise<LoadSummary> {
  const progress = io.progress;
  let reference: RunningReference | undefined;
  let origin: string;
  let accounts: LoadAccount[];
  if (config.target.kind === 'embedded') {
    if (!existsSync(REFERENCE_SEED_FILE)) {
      throw new ConfigError('BASE_URL', 'the embedded reference API is not part of this bundle; set BASE_URL to the target');
    }
    accounts = config.accounts ?? seedLoadAccounts();
    partitionAccounts(config, accounts);
    progress.say(`load: starting the embedded reference API (password hash cost ${config.referenceHashCost}) …`);
    reference = await startReference({ PASSWORD_HASH_COST: String(config.referenceHashCost) }, { exitOnSignal: false });
    origin = reference.url;
  } else {
    origin = config.target.origin;
    accounts = config.accounts!;
  }

  try {
    return await drive(config, io, origin, accounts, config.target.kind);
  } finally {
    await reference?.stop();
  }
}

async function drive(config: LoadConfig, io: RunIo, origin: string, accounts: LoadAccount[], kind: 'embedded' | 'external'): Promise<LoadSummary> {
  const { scenario, schedule } = config;
  const progress = io.progress;
  const parts = partitionAccounts(config, accounts);
  const generatorsInRun = config.workers * config.segment.count;
  const maxInFlight = Math.max(1, Math.ceil(config.executor.maxVUs / generatorsInRun));
  const windows = (scenario.windows?.(schedule) ?? []).map((w) => ({ ...w }));
  const aggregate = new RunAggregate(windows);
  let startedAt = new Date();
  let startEpochMs = Number.POSITIVE_INFINITY;

  progress.say(
    `load: ${scenario.name} against ${origin}: ${config.executor.executor}, ${formatDuration(schedule.durationMs)}, ` +
      `${config.workers} generator thread${config.workers > 1 ? 's' : ''}${config.segment.count > 1 ? `, segment ${formatSegment(config.segment)}` : ''}, ` +
      `${accounts.length} accounts, in-flight cap ${maxInFlight * config.workers}`,
  );

  const generators: Generator[] = parts.map((part, w) => {
    const init: Omit<GeneratorInit, 'startEpochMs'> = {
      scenarioName: scenario.name,
      worker: w,
      segment: subSegment(config.segment, w, config.workers),
      executor: config.executor,
      maxInFlight,
      accounts: part.accounts,
      probeAccount: part.probe,
      origin,
      timeoutMs: config.timeoutMs,
      graceMs: config.graceMs,
      client: config.client,
    };
    const workerData: WorkerData = { kind: 'load-generator', init, entry: io.workerEntry };
    const worker = new Worker(io.workerUrl, { workerData, execArgv: io.workerExecArgv });
    return { worker, init, ready: false, done: false };
  });

  let interrupted = false;
  let aborted: string | undefined;
  const flowErrors: string[] = [];
  let abandoned = 0;
  const stopAll = () => generators.forEach((g) => g.worker.postMessage({ type: 'stop' } satisfies ControlMessage));

  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      progress.say(`load: ${signal} again, exiting without a summary`);
      process.exit(130);
    }
    interrupted = true;
    progress.say(`load: ${signal}: stopping arrivals, draining in-flight requests (up to ${formatDuration(config.graceMs)}) …`);
    stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const finished = Promise.all(
    generators.map(
      (g) =>
        new Promise<void>((resolve, reject) => {
          g.worker.on('message', (message: GeneratorMessage) => {
            if (message.type === 'ready') {
              g.ready = true;
              if (generators.every((other) => other.ready)) {
                startEpochMs = nowMs() + START_DELAY_MS;
                startedAt = new Date(Date.now() + START_DELAY_MS);
                generators.forEach((other) => other.worker.postMessage({ type: 'start', startEpochMs } satisfies ControlMessage));
              }
            } else if (message.type === 'intervals') aggregate.add(message.data, message.inFlight);
            else if (message.type === 'done') {
              aggregate.add(message.data);
              abandoned += message.abandoned;
              flowErrors.push(...message.flowErrors);
              g.done = true;
              // Its port keeps the thread alive; everything it had to say has arrived.
              void g.worker.terminate().then(() => resolve());
            } else if (message.type === 'failed') reject(new Error(`generator ${g.init.worker} failed: ${message.message}`));
          });
          g.worker.once('error', (error) => reject(new Error(`generator ${g.init.worker} failed: ${error.message.split('\n')[0]}`)));
          g.worker.once('exit', (code) => {
            if (!g.done) reject(new Error(`generator ${g.init.worker} exited with ${code} before it finished`));
          });
        }),
    ),
  );

  const abortable = config.thresholds.filter((t) => t.abortOnFail);
  const ticker = setInterval(() => {
    if (!Number.isFinite(startEpochMs)) return;
    const elapsedMs = Math.max(0, nowMs() - startEpochMs);
    const seconds = Math.max(elapsedMs / 1000, 0.001);
    let p95: number | null = null;
    if (progress.shown) {
      const merged = aggregate.whole.merged('duration');
      p95 = percentileMs(merged, 95);
      merged.destroy();
    }
    const inFlightNow = aggregate.inFlightNow();
    progress.update({
      elapsedMs: Math.min(elapsedMs, schedule.durationMs),
      totalMs: schedule.durationMs,
      targetRate: schedule.arrivalsBetween(0, Math.min(Math.max(elapsedMs - 1000, 0), schedule.durationMs)) / config.segment.count / Math.max(seconds - 1, 0.001),
      // Intervals arrive up to a second late: judge the rate over the time they cover.
      achievedRate: aggregate.whole.offered / Math.max(seconds - 1, 0.001),
      inFlight: inFlightNow,
      p95Ms: p95,
      failed: aggregate.whole.failed,
      contractFailures: aggregate.whole.contractFailures,
      dropped: aggregate.whole.dropped,
    });
    if (aborted || interrupted || abortable.length === 0) return;
    const due = abortable.filter((t) => elapsedMs >= t.delayAbortEvalMs);
    const breached = evaluateThresholds(due, aggregate.whole, seconds).find((r) => !r.ok && r.actual !== null);
    if (breached) {
      aborted = `${breached.metric}: ${breached.expression} breached (${breached.actual}) with abortOnFail`;
      progress.say(`load: aborting: ${aborted}`);
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.done();
  }

  const endedAt = new Date();
  const ranForMs = Number.isFinite(startEpochMs) ? Math.min(Math.max(0, nowMs() - startEpochMs), schedule.durationMs) : 0;
  const share_ = 1 / config.segment.count;
  const timeseries = aggregate.timeseries(Math.ceil(schedule.durationMs / 1000), scenario.endpoints, (s) => schedule.rateAt(s * 1000 + 500) * share_);
  const summary = composeSummary({
    scenario: { name: scenario.name, description: scenario.description, reportsCapacity: scenario.reportsCapacity, reportsDrift: scenario.reportsDrift },
    runConfig: {
      executor: config.executor,
      workers: config.workers,
      segment: config.segment.count > 1 ? config.segment : null,
      timeoutMs: config.timeoutMs,
      validity: config.validity,
      thresholds: Object.fromEntries(Object.entries(config.thresholdMap).map(([k, list]) => [k, list.map((t) => (typeof t === 'string' ? t : t.threshold))])),
      abortOnFail: config.thresholds.filter((t) => t.abortOnFail).map((t) => `${t.key}: ${t.expression}`),
      accounts: accounts.length,
    },
    thresholds: config.thresholds,
    schedule,
    share: share_,
    targetArrivals: countOwned(schedule.total, config.segment.index, config.segment.count),
    startedAt,
    endedAt,
    ranForMs,
    target: { origin, kind },
    whole: aggregate.whole,
    windows: aggregate.windows.map((w) => ({ ...w.bounds, state: w.state })),
    timeseries,
    invariants: {
      tokensTracked: aggregate.ledger.tracked,
      tokenLimit: aggregate.ledger.limit,
      duplicateTokens: aggregate.ledger.duplicates,
      refreshUserMismatches: aggregate.refreshUserMismatches,
      reuseProbes: { ...aggregate.reuse },
    },
    samples: aggregate.samples,
    run: { interrupted, aborted, abandoned, flowErrors },
  });
  aggregate.destroy();
  return summary;
}

/** How many of 0..total-1 have i mod count == index. */
export function countOwned(total: number, index: number, count: number): number {
  return total <= index ? 0 : Math.floor((total - 1 - index) / count) + 1;
}
