/**
 * Observers of a run (k6's outputs): each second the engine publishes a snapshot of the
 * live fold; at the end, the interval log and the summary. The progress line, abortOnFail,
 * the report writers, the reports-page refresh and the bench's CPU sampler are observers;
 * the engine itself knows nothing of terminals, files or pages.
 */
import type { LogLine, RunHeader } from './interval-log.ts';
import type { SeriesSet } from './series.ts';
import type { IntervalEntry } from './series.ts';
import type { LoadSummary } from './summary-types.ts';

export interface Snapshot {
  /** Since the schedule started, capped at its duration. */
  elapsedMs: number;
  totalMs: number;
  /** Arrivals per second the schedule asked of this process so far, and those fired. */
  targetRate: number;
  achievedRate: number;
  /** Iterations in flight in the last closed second, over every generator. */
  inFlight: number;
  /** The whole run so far (read only; valid during the call). */
  whole: SeriesSet;
  /** Interval entries that arrived since the previous snapshot. */
  entries: readonly IntervalEntry[];
}

export interface RunResult {
  log: readonly LogLine[];
  summary: LoadSummary;
}

export interface RunObserver {
  /** The run's header, once every generator is ready and the start time is fixed. */
  started?(header: RunHeader): void;
  snapshot?(snapshot: Snapshot): void;
  /** A line worth telling a person (starting, stopping, aborting). */
  notice?(line: string): void;
  ended?(result: RunResult): void | Promise<void>;
}

/** Calls one hook on every observer; an observer that throws does not stop the others or the run. */
export function publish<K extends keyof RunObserver>(observers: readonly RunObserver[], hook: K, ...args: Parameters<NonNullable<RunObserver[K]>>): void {
  for (const o of observers) {
    try {
      (o[hook] as ((...a: unknown[]) => unknown) | undefined)?.apply(o, args);
    } catch (error) {
      // An observer's failure is its own: the others are told, and the measurement goes on.
      if (hook !== 'notice') publish(observers, 'notice', `an observer failed on ${hook}: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
    }
  }
}
