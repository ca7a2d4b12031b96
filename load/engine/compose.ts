/**
 * Turns the measured state of a run into its summary: k6's metrics with thresholds,
 * validity, windows (capacity, drift) and the verdict. A run and a merge of segment runs
 * both end here, so a merged summary is judged exactly as a single run would be.
 */
import { encodeHistogram } from './histogram.ts';
import type { MetricState } from './metrics.ts';
import type { Schedule } from './executors.ts';
import { attachThresholds, capacityOf, driftOf, endpointDetails, k6Envelope, k6Metrics, windowFigures } from './summary.ts';
import type { ContractFailureSample, Invariants, LoadSummary, RunConfig, RunDetails, TimeSeries, Verdict } from './summary-types.ts';
import { evaluateThresholds, type Threshold } from './thresholds.ts';
import { judgeValidity } from './validity.ts';

export interface RunFacts {
  interrupted: boolean;
  aborted: string | undefined;
  abandoned: number;
  flowErrors: string[];
}

export interface ComposeInput {
  scenario: { name: string; description: string; reportsCapacity?: boolean; reportsDrift?: boolean };
  runConfig: RunConfig;
  thresholds: Threshold[];
  schedule: Schedule;
  /** The fraction of the schedule this summary covers (1 for a whole or merged run). */
  share: number;
  /** Arrivals this summary was to fire over the whole schedule. */
  targetArrivals: number;
  startedAt: Date;
  endedAt: Date;
  /** How long arrivals ran (the schedule's duration unless stopped early). */
  ranForMs: number;
  target: RunDetails['target'];
  whole: MetricState;
  windows: { label: string; startMs: number; endMs: number; state: MetricState }[];
  timeseries: TimeSeries;
  invariants: Invariants;
  samples: ContractFailureSample[];
  run: RunFacts;
  mergedFrom?: string[];
}

export function composeSummary(input: ComposeInput): LoadSummary {
  const { schedule, whole } = input;
  const stoppedEarly = input.run.interrupted || input.run.aborted !== undefined;
  const judgedMs = stoppedEarly ? input.ranForMs : schedule.durationMs;
  const seconds = judgedMs / 1000;
  const targetBetween = (a: number, b: number) => schedule.arrivalsBetween(a, b) * input.share;
  const validity = judgeValidity({
    whole,
    timeseries: input.timeseries,
    targetArrivals: input.targetArrivals,
    durationMs: schedule.durationMs,
    targetBetween,
    minRateRatio: input.runConfig.validity.minRateRatio,
    maxLagP99Ms: input.runConfig.validity.maxLagP99Ms,
    ranForMs: judgedMs,
  });
  const results = evaluateThresholds(input.thresholds, whole, seconds);
  const metrics = k6Metrics(whole, seconds);
  attachThresholds(metrics, input.thresholds, results, whole, seconds);
  const windows = input.windows.map((w) => windowFigures(w.label, w.startMs / 1000, w.endMs / 1000, targetBetween(w.startMs, w.endMs), w.state, input.thresholds));
  const details: RunDetails = {
    formatVersion: 1,
    scenario: input.scenario.name,
    description: input.scenario.description,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    target: input.target,
    config: input.runConfig,
    verdict: { status: 'passed', exitCode: 0, reasons: [] },
    validity,
    thresholds: results,
    endpoints: endpointDetails(whole),
    histograms: { lag: encodeHistogram(whole.lag), iterationDuration: encodeHistogram(whole.iterationDuration) },
    checks: Object.fromEntries(whole.checks),
    invariants: input.invariants,
    contractFailureSamples: input.samples,
    timeseries: input.timeseries,
    windows,
    interrupted: input.run.interrupted,
    counts: { offered: whole.offered, started: whole.started, dropped: whole.dropped, completed: whole.completed },
    ...(input.mergedFrom ? { mergedFrom: input.mergedFrom } : {}),
  };
  if (input.scenario.reportsCapacity) details.capacity = capacityOf(windows, input.runConfig.validity.minRateRatio);
  if (input.scenario.reportsDrift) details.drift = driftOf(windows);
  details.verdict = decideVerdict(details, input.run);
  return k6Envelope(metrics, details, judgedMs, { out: Boolean(process.stdout.isTTY), err: Boolean(process.stderr.isTTY) });
}

export function decideVerdict(
  details: RunDetails,
  run: { interrupted: boolean; aborted: string | undefined; abandoned: number; flowErrors: string[] },
): Verdict {
  const reasons: string[] = [];
  if (run.interrupted) reasons.push('interrupted before the end of the schedule');
  if (run.aborted) reasons.push(`aborted: ${run.aborted}`);
  reasons.push(...details.validity.reasons.map((r) => `invalid run: ${r}`));
  for (const t of details.thresholds) if (!t.ok) reasons.push(`threshold breached: ${t.metric}: ${t.expression} (actual ${t.actual ?? 'no data'})`);
  const contractFailures = Object.values(details.endpoints).reduce((n, e) => n + e.contractFailures, 0);
  if (contractFailures > 0) reasons.push(`${contractFailures} response${contractFailures > 1 ? 's' : ''} broke the contract`);
  const inv = details.invariants;
  if (inv.duplicateTokens > 0) reasons.push(`${inv.duplicateTokens} token${inv.duplicateTokens > 1 ? 's were' : ' was'} issued twice`);
  if (inv.refreshUserMismatches > 0) reasons.push(`${inv.refreshUserMismatches} refresh${inv.refreshUserMismatches > 1 ? 'es' : ''} answered for another user`);
  if (inv.reuseProbes.accepted > 0) reasons.push(`${inv.reuseProbes.accepted} spent refresh token${inv.reuseProbes.accepted > 1 ? 's were' : ' was'} accepted again`);
  if (run.flowErrors.length > 0) reasons.push(`a flow threw: ${run.flowErrors[0]}`);
  if (run.abandoned > 0) reasons.push(`${run.abandoned} iteration${run.abandoned > 1 ? 's' : ''} still in flight after the grace period`);
  const requests = Object.values(details.endpoints).reduce((n, e) => n + e.requests, 0);
  if (requests === 0 && !run.interrupted) reasons.push('no request completed');
  const status: Verdict['status'] = run.interrupted
    ? 'interrupted'
    : run.aborted
      ? 'aborted'
      : !details.validity.valid
        ? 'invalid'
        : reasons.length > 0
          ? 'failed'
          : 'passed';
  return { status, exitCode: status === 'passed' ? 0 : 1, reasons };
}
