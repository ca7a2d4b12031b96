/**
 * The run's metrics, in two halves that meet through one message format:
 * - `IntervalRecorder` lives in each generator thread and buckets what happens by the
 *   second of the run (requests by the second they ended, arrivals by the second they were
 *   due); `flush()` hands over what accumulated as `IntervalData` with encoded histograms.
 * - `MetricState` adds intervals up: for the whole run, for a window (a stress step, a soak
 *   slice), or for one second. Counts add and histograms merge, so the sum over threads,
 *   seconds or machines is exact.
 */
import type { ContractFailureSample, TransportErrorKind } from './summary-types.ts';
import { addEncoded, encodeHistogram, newHistogram, recordMs, type Histogram } from './histogram.ts';

/** What every level (an interval, a second, a window, the run) counts per endpoint. */
export interface EndpointCounts {
  requests: number;
  failed: number;
  contractFailures: number;
  statuses: Record<string, number>;
  errors: Partial<Record<TransportErrorKind, number>>;
}

/** An endpoint's interval as it crosses threads: counts and encoded histograms. */
export interface EndpointIntervalData extends EndpointCounts {
  duration: string;
  corrected: string;
}

/** An endpoint's counts with live histograms. */
export interface EndpointState extends EndpointCounts {
  duration: Histogram;
  corrected: Histogram;
}

const emptyEndpoint = (): EndpointState => ({
  requests: 0,
  failed: 0,
  contractFailures: 0,
  statuses: {},
  errors: {},
  duration: newHistogram(),
  corrected: newHistogram(),
});

function addCounts(into: EndpointCounts, from: EndpointCounts): void {
  into.requests += from.requests;
  into.failed += from.failed;
  into.contractFailures += from.contractFailures;
  for (const [status, n] of Object.entries(from.statuses)) into.statuses[status] = (into.statuses[status] ?? 0) + n;
  for (const [kind, n] of Object.entries(from.errors) as [TransportErrorKind, number][]) into.errors[kind] = (into.errors[kind] ?? 0) + n;
}

/** A token seen in a response: a digest of its value, never the value. */
export interface TokenSighting {
  digest: string;
  /** Whose token it is (the user id of the response), for the same-user-same-second allowance. */
  user: string;
  /** Unix second of the response. */
  second: number;
}

export interface IntervalData {
  second: number;
  offered: number;
  started: number;
  dropped: number;
  completed: number;
  endpoints: Record<string, EndpointIntervalData>;
  lag: string;
  iterationDuration: string;
  checks: Record<string, { passes: number; fails: number }>;
  tokens: TokenSighting[];
  refreshUserMismatches: number;
  reuse: { sent: number; refused: number; accepted: number };
  samples: ContractFailureSample[];
}

interface Bucket {
  offered: number;
  started: number;
  dropped: number;
  completed: number;
  endpoints: Map<string, EndpointState>;
  lag: Histogram | undefined;
  iterationDuration: Histogram | undefined;
  checks: Map<string, { passes: number; fails: number }>;
  tokens: TokenSighting[];
  refreshUserMismatches: number;
  reuse: { sent: number; refused: number; accepted: number };
  samples: ContractFailureSample[];
}

const MAX_SAMPLES_PER_FLUSH = 5;

export interface RequestOutcome {
  endpoint: string;
  status: number | null;
  error?: TransportErrorKind;
  failed: boolean;
  contractFailure: boolean;
  durationMs: number;
  correctedMs: number;
}

export class IntervalRecorder {
  private buckets = new Map<number, Bucket>();
  private readonly emptyEncoded = encodeHistogram(newHistogram());

  constructor(private readonly startEpochMs: number) {}

  secondOf(epochMs: number): number {
    return Math.max(0, Math.floor((epochMs - this.startEpochMs) / 1000));
  }

  private bucket(second: number): Bucket {
    let b = this.buckets.get(second);
    if (!b) {
      b = {
        offered: 0,
        started: 0,
        dropped: 0,
        completed: 0,
        endpoints: new Map(),
        lag: undefined,
        iterationDuration: undefined,
        checks: new Map(),
        tokens: [],
        refreshUserMismatches: 0,
        reuse: { sent: 0, refused: 0, accepted: 0 },
        samples: [],
      };
      this.buckets.set(second, b);
    }
    return b;
  }

  /**
   * An arrival fired at `firedEpochMs`: started, or dropped at the in-flight cap. It is
   * bucketed by when it fired, so a generator that falls behind shows a lower achieved rate.
   */
  arrival(dueEpochMs: number, firedEpochMs: number, started: boolean): void {
    const b = this.bucket(this.secondOf(firedEpochMs));
    b.offered += 1;
    b.lag ??= newHistogram();
    recordMs(b.lag, Math.max(0, firedEpochMs - dueEpochMs));
    if (started) b.started += 1;
    else b.dropped += 1;
  }

  iterationEnded(startedEpochMs: number, endedEpochMs: number): void {
    const b = this.bucket(this.secondOf(endedEpochMs));
    b.completed += 1;
    b.iterationDuration ??= newHistogram();
    recordMs(b.iterationDuration, endedEpochMs - startedEpochMs);
  }

  request(outcome: RequestOutcome, endedEpochMs: number): void {
    const b = this.bucket(this.secondOf(endedEpochMs));
    let e = b.endpoints.get(outcome.endpoint);
    if (!e) {
      e = emptyEndpoint();
      b.endpoints.set(outcome.endpoint, e);
    }
    e.requests += 1;
    if (outcome.failed) e.failed += 1;
    if (outcome.contractFailure) e.contractFailures += 1;
    if (outcome.status !== null) e.statuses[outcome.status] = (e.statuses[outcome.status] ?? 0) + 1;
    if (outcome.error) e.errors[outcome.error] = (e.errors[outcome.error] ?? 0) + 1;
    recordMs(e.duration, outcome.durationMs);
    recordMs(e.corrected, outcome.correctedMs);
  }

  check(name: string, ok: boolean, atEpochMs: number): void {
    const b = this.bucket(this.secondOf(atEpochMs));
    const c = b.checks.get(name) ?? { passes: 0, fails: 0 };
    if (ok) c.passes += 1;
    else c.fails += 1;
    b.checks.set(name, c);
  }

  token(sighting: TokenSighting, atEpochMs: number): void {
    this.bucket(this.secondOf(atEpochMs)).tokens.push(sighting);
  }

  refreshUserMismatch(atEpochMs: number): void {
    this.bucket(this.secondOf(atEpochMs)).refreshUserMismatches += 1;
  }

  reuseProbe(refused: boolean, atEpochMs: number): void {
    const r = this.bucket(this.secondOf(atEpochMs)).reuse;
    r.sent += 1;
    if (refused) r.refused += 1;
    else r.accepted += 1;
  }

  contractSample(sample: ContractFailureSample, atEpochMs: number): void {
    const b = this.bucket(this.secondOf(atEpochMs));
    if (b.samples.length < MAX_SAMPLES_PER_FLUSH) b.samples.push(sample);
  }

  /** Everything recorded since the last flush, encoded; the recorder starts empty again. */
  flush(): IntervalData[] {
    const out: IntervalData[] = [];
    for (const [second, b] of this.buckets) {
      out.push({
        second,
        offered: b.offered,
        started: b.started,
        dropped: b.dropped,
        completed: b.completed,
        endpoints: Object.fromEntries(
          [...b.endpoints].map(([name, e]) => [
            name,
            { requests: e.requests, failed: e.failed, contractFailures: e.contractFailures, statuses: e.statuses, errors: e.errors, duration: encodeHistogram(e.duration), corrected: encodeHistogram(e.corrected) },
          ]),
        ),
        lag: b.lag ? encodeHistogram(b.lag) : this.emptyEncoded,
        iterationDuration: b.iterationDuration ? encodeHistogram(b.iterationDuration) : this.emptyEncoded,
        checks: Object.fromEntries(b.checks),
        tokens: b.tokens,
        refreshUserMismatches: b.refreshUserMismatches,
        reuse: b.reuse,
        samples: b.samples,
      });
      for (const e of b.endpoints.values()) {
        e.duration.destroy();
        e.corrected.destroy();
      }
      b.lag?.destroy();
      b.iterationDuration?.destroy();
    }
    this.buckets = new Map();
    return out;
  }
}

/** An interval whose histograms are decoded once, to be added into several states. */
export interface DecodedInterval {
  data: IntervalData;
  endpoints: Map<string, { duration: Histogram; corrected: Histogram }>;
  lag: Histogram;
  iterationDuration: Histogram;
}

export function decodeInterval(data: IntervalData): DecodedInterval {
  const decode = (encoded: string) => {
    const h = newHistogram();
    addEncoded(h, encoded);
    return h;
  };
  return {
    data,
    endpoints: new Map(Object.entries(data.endpoints).map(([name, e]) => [name, { duration: decode(e.duration), corrected: decode(e.corrected) }])),
    lag: decode(data.lag),
    iterationDuration: decode(data.iterationDuration),
  };
}

export function releaseInterval(interval: DecodedInterval): void {
  for (const e of interval.endpoints.values()) {
    e.duration.destroy();
    e.corrected.destroy();
  }
  interval.lag.destroy();
  interval.iterationDuration.destroy();
}

/** Sums of intervals: the whole run, a window, or one second. */
export class MetricState {
  readonly endpoints = new Map<string, EndpointState>();
  readonly lag = newHistogram();
  readonly iterationDuration = newHistogram();
  offered = 0;
  started = 0;
  dropped = 0;
  completed = 0;
  readonly checks = new Map<string, { passes: number; fails: number }>();

  endpoint(name: string): EndpointState {
    let e = this.endpoints.get(name);
    if (!e) {
      e = emptyEndpoint();
      this.endpoints.set(name, e);
    }
    return e;
  }

  add(interval: DecodedInterval): void {
    const d = interval.data;
    this.offered += d.offered;
    this.started += d.started;
    this.dropped += d.dropped;
    this.completed += d.completed;
    for (const [name, e] of Object.entries(d.endpoints)) {
      const into = this.endpoint(name);
      addCounts(into, e);
      const hist = interval.endpoints.get(name)!;
      into.duration.add(hist.duration);
      into.corrected.add(hist.corrected);
    }
    this.lag.add(interval.lag);
    this.iterationDuration.add(interval.iterationDuration);
    for (const [name, c] of Object.entries(d.checks)) this.addCheck(name, c.passes, c.fails);
  }

  addCheck(name: string, passes: number, fails: number): void {
    const into = this.checks.get(name) ?? { passes: 0, fails: 0 };
    into.passes += passes;
    into.fails += fails;
    this.checks.set(name, into);
  }

  get requests(): number {
    return [...this.endpoints.values()].reduce((n, e) => n + e.requests, 0);
  }

  get failed(): number {
    return [...this.endpoints.values()].reduce((n, e) => n + e.failed, 0);
  }

  get contractFailures(): number {
    return [...this.endpoints.values()].reduce((n, e) => n + e.contractFailures, 0);
  }

  get checkTotals(): { passes: number; fails: number } {
    let passes = 0;
    let fails = 0;
    for (const c of this.checks.values()) {
      passes += c.passes;
      fails += c.fails;
    }
    return { passes, fails };
  }

  /** All endpoints' histograms of one kind merged into a new histogram (caller destroys it). */
  merged(kind: 'duration' | 'corrected'): Histogram {
    const h = newHistogram();
    for (const e of this.endpoints.values()) h.add(e[kind]);
    return h;
  }

  destroy(): void {
    for (const e of this.endpoints.values()) {
      e.duration.destroy();
      e.corrected.destroy();
    }
    this.lag.destroy();
    this.iterationDuration.destroy();
  }
}
