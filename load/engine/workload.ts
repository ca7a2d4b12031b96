/**
 * What the engine runs, as it sees it: a workload (a scenario, in the scenario layer) that
 * may prepare something once before the run (`setup`, k6's lifecycle step; its result is
 * copied to every generator thread) and, in each generator thread, builds the function an
 * arrival runs. The engine paces arrivals and records their timing; what an iteration does,
 * and any state it keeps between iterations (a probe that runs one at a time), belongs to
 * the workload.
 */
import type { HttpTarget } from './http.ts';
import type { SampleSink } from './samples.ts';

export interface LoadAccount {
  email: string;
  password: string;
}

/** The target's API as configured: where its endpoints are and which version to ask for. */
export interface TargetApi {
  paths: { signIn: string; refresh: string; protected: string };
  apiVersion: string;
  /** How far the target's clock may be from its `Date` header (CLOCK_SKEW_SECONDS, as for the contract suite). */
  clockSkewSeconds: number;
}

export interface SetupContext {
  origin: string;
  api: TargetApi;
  /** Every account of this process's segment. */
  accounts: readonly LoadAccount[];
}

export interface ThreadContext {
  http: HttpTarget;
  /** Where the iteration's code emits its samples. */
  sink: SampleSink;
  api: TargetApi;
  /** This generator's accounts: its share of the segment's, none shared with another generator. */
  accounts: readonly LoadAccount[];
  /** What `setup` returned, copied into this thread. */
  setupData: unknown;
  /** LOAD_CHECK_SAMPLE: the fraction of responses whose contract is checked (1: every one). */
  checkSample: number;
}

export interface Arrival {
  /** Global index in the schedule. */
  index: number;
  dueEpochMs: number;
}

/** `failed`: the iteration ended with a failed request, a broken contract or a broken invariant. */
export type IterationOutcome = 'completed' | 'failed';

export type Iteration = (arrival: Arrival) => Promise<IterationOutcome>;

export interface Workload {
  name: string;
  /** Accounts each generator needs at least (e.g. one kept aside for a probe, one for sessions). */
  accountsPerGenerator?: number;
  setup?(ctx: SetupContext): Promise<unknown>;
  thread(ctx: ThreadContext): Iteration;
}
