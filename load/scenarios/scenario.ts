/**
 * What a scenario file declares: its executor (with the defaults the README lists), the
 * thresholds that guard it, the flow one arrival runs, and how its run is cut into windows
 * (stress steps, soak slices). Rate and duration can be changed from the environment
 * (LOAD_RATE, LOAD_DURATION): `executor` receives them and decides what they mean for it.
 */
import type { IterationApi } from '../client/auth-client.ts';
import type { Schedule } from '../engine/executors.ts';
import type { WindowSpec } from '../engine/interval-log.ts';
import type { ThresholdMap } from '../engine/thresholds.ts';
import type { ExecutorConfig } from '../engine/summary-types.ts';
import type { LoadAccount, SetupContext } from '../engine/workload.ts';

export type { WindowSpec };

export interface FlowContext {
  /** The arrival's global index in the schedule. */
  readonly index: number;
  /** An account of this generator's share, round robin (never one the scenario keeps aside). */
  readonly account: LoadAccount;
  readonly api: IterationApi;
  /** What the scenario's `setup` returned, if it has one. */
  readonly setupData: unknown;
}

export type Flow = (ctx: FlowContext) => Promise<void>;

/** A generator thread's own flow, for scenarios that keep state between iterations. */
export interface ThreadFlow {
  /** The accounts sessions take, round robin (the share minus any kept aside). */
  accounts: readonly LoadAccount[];
  flow: Flow;
}

export interface ExecutorOverrides {
  /** LOAD_RATE: arrivals per second. */
  rate?: number;
  /** LOAD_DURATION, in ms. */
  durationMs?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** The README's one-line account of the defaults, e.g. "5/s for 10 s". */
  defaults: string;
  executor(overrides: ExecutorOverrides): ExecutorConfig;
  thresholds: ThresholdMap;
  flow: Flow;
  /** Endpoint tags the flow uses, in the order reports show them. */
  endpoints: readonly string[];
  /** Run once before the run, in the main process (k6's setup); the result reaches every thread. */
  setup?(ctx: SetupContext): Promise<unknown>;
  /** Accounts each generator needs at least (1 unless the scenario keeps some aside). */
  accountsPerGenerator?: number;
  /** Builds a generator thread's flow when the scenario keeps state between its iterations. */
  perThread?(ctx: { accounts: readonly LoadAccount[]; setupData: unknown }): ThreadFlow;
  windows?(schedule: Schedule): WindowSpec[];
  /** stress: report the capacity (highest window that held every threshold). */
  reportsCapacity?: boolean;
  /** soak: report the drift from the first window to the last. */
  reportsDrift?: boolean;
}

/** Scales a ramping schedule so that its peak is `rate` and it lasts `durationMs`. */
export function scaleStages(
  stages: { target: number; duration: string }[],
  overrides: ExecutorOverrides,
  toSeconds: (duration: string) => number,
): { target: number; duration: string }[] {
  const peak = Math.max(...stages.map((s) => s.target));
  const total = stages.reduce((n, s) => n + toSeconds(s.duration), 0);
  const rateFactor = overrides.rate !== undefined && peak > 0 ? overrides.rate / peak : 1;
  const timeFactor = overrides.durationMs !== undefined && total > 0 ? overrides.durationMs / 1000 / total : 1;
  return stages.map((s) => ({
    target: Math.round(s.target * rateFactor * 100) / 100,
    duration: `${Math.max(1, Math.round(toSeconds(s.duration) * timeFactor * 1000))}ms`,
  }));
}
