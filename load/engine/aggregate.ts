/**
 * The main thread's picture of a run, built from the generator threads' intervals: the
 * whole run, each window (stress step, soak slice), a per-second series for charts, the
 * token ledger and the contract-failure samples. Seconds keep their histograms only until
 * they are settled (a few seconds behind the newest), so memory does not grow with the
 * length of a soak.
 */
import { CHECK } from '../client/auth-client.ts';
import { percentileMs } from './histogram.ts';
import { decodeInterval, MetricState, releaseInterval, type IntervalData } from './metrics.ts';
import type { ContractFailureSample, TimeSeries } from './summary-types.ts';
import { TokenLedger } from './tokens-ledger.ts';

export interface WindowBounds {
  label: string;
  startMs: number;
  endMs: number;
}

const SETTLE_SECONDS = 5;
const MAX_SAMPLES = 20;

interface SecondRow {
  offered: number;
  started: number;
  dropped: number;
  inFlight: number;
  failed: number;
  contractFailures: number;
  requests: Record<string, number>;
  p50: Record<string, number | null>;
  p95: Record<string, number | null>;
  p99: Record<string, number | null>;
  correctedP99: Record<string, number | null>;
}

export class RunAggregate {
  readonly whole = new MetricState();
  readonly windows: { bounds: WindowBounds; state: MetricState }[];
  readonly ledger: TokenLedger;
  refreshUserMismatches = 0;
  readonly reuse = { sent: 0, refused: 0, accepted: 0 };
  readonly samples: ContractFailureSample[] = [];
  private readonly pending = new Map<number, MetricState>();
  private readonly rows = new Map<number, SecondRow>();
  private readonly inFlightBySecond = new Map<number, Map<number, number>>();
  private newestSecond = 0;

  constructor(windows: WindowBounds[], tokenLimit?: number) {
    this.windows = windows.map((bounds) => ({ bounds, state: new MetricState() }));
    this.ledger = new TokenLedger(tokenLimit);
  }

  /** Adds what a generator flushed; `inFlight` is its in-flight count at that moment. */
  add(intervals: IntervalData[], inFlight?: { worker: number; second: number; count: number }): void {
    for (const data of intervals) {
      const decoded = decodeInterval(data);
      this.whole.add(decoded);
      const midMs = data.second * 1000 + 500;
      for (const w of this.windows) if (midMs >= w.bounds.startMs && midMs < w.bounds.endMs) w.state.add(decoded);
      // Invariants become checks here, where tokens from every thread meet.
      let duplicates = 0;
      for (const t of data.tokens) if (!this.ledger.note(t)) duplicates += 1;
      if (data.tokens.length > 0) {
        const passes = data.tokens.length - duplicates;
        this.whole.addCheck(CHECK.tokenUnique, passes, duplicates);
        for (const w of this.windows) if (midMs >= w.bounds.startMs && midMs < w.bounds.endMs) w.state.addCheck(CHECK.tokenUnique, passes, duplicates);
      }
      this.refreshUserMismatches += data.refreshUserMismatches;
      this.reuse.sent += data.reuse.sent;
      this.reuse.refused += data.reuse.refused;
      this.reuse.accepted += data.reuse.accepted;
      for (const s of data.samples) if (this.samples.length < MAX_SAMPLES) this.samples.push(s);
      if (this.rows.has(data.second)) {
        this.addLateCounts(data);
      } else {
        let second = this.pending.get(data.second);
        if (!second) {
          second = new MetricState();
          this.pending.set(data.second, second);
        }
        second.add(decoded);
      }
      releaseInterval(decoded);
      this.newestSecond = Math.max(this.newestSecond, data.second);
    }
    if (inFlight) {
      const byWorker = this.inFlightBySecond.get(inFlight.second) ?? new Map<number, number>();
      byWorker.set(inFlight.worker, Math.max(byWorker.get(inFlight.worker) ?? 0, inFlight.count));
      this.inFlightBySecond.set(inFlight.second, byWorker);
    }
    this.settle(this.newestSecond - SETTLE_SECONDS);
  }

  /** A second already settled gets late counts only (its percentiles stay as they were). */
  private addLateCounts(data: IntervalData): void {
    const row = this.rows.get(data.second)!;
    row.offered += data.offered;
    row.started += data.started;
    row.dropped += data.dropped;
    for (const [name, e] of Object.entries(data.endpoints)) {
      row.requests[name] = (row.requests[name] ?? 0) + e.requests;
      row.failed += e.failed;
      row.contractFailures += e.contractFailures;
    }
  }

  /** Turns pending seconds up to `upTo` into rows and frees their histograms. */
  settle(upTo = Number.POSITIVE_INFINITY): void {
    for (const [second, state] of [...this.pending].sort((a, b) => a[0] - b[0])) {
      if (second > upTo) break;
      const row: SecondRow = {
        offered: state.offered,
        started: state.started,
        dropped: state.dropped,
        inFlight: 0,
        failed: state.failed,
        contractFailures: state.contractFailures,
        requests: {},
        p50: {},
        p95: {},
        p99: {},
        correctedP99: {},
      };
      for (const [name, e] of state.endpoints) {
        row.requests[name] = e.requests;
        row.p50[name] = percentileMs(e.duration, 50);
        row.p95[name] = percentileMs(e.duration, 95);
        row.p99[name] = percentileMs(e.duration, 99);
        row.correctedP99[name] = percentileMs(e.corrected, 99);
      }
      this.rows.set(second, row);
      state.destroy();
      this.pending.delete(second);
    }
  }

  /** Requests in flight across generators, as last reported. */
  inFlightNow(): number {
    const latest = Math.max(-1, ...this.inFlightBySecond.keys());
    return [...(this.inFlightBySecond.get(latest)?.values() ?? [])].reduce((n, c) => n + c, 0);
  }

  /** The per-second series over `seconds` seconds, with the target rate from `targetAt`. */
  timeseries(seconds: number, endpoints: readonly string[], targetAt: (second: number) => number): TimeSeries {
    this.settle();
    const names = [...new Set([...endpoints, ...this.whole.endpoints.keys()])];
    const lastSecond = Math.max(seconds - 1, ...this.rows.keys());
    const t = Array.from({ length: lastSecond + 1 }, (_, i) => i);
    const row = (s: number) => this.rows.get(s);
    const perEndpoint = <T>(pick: (r: SecondRow | undefined, name: string) => T) =>
      Object.fromEntries(names.map((name) => [name, t.map((s) => pick(row(s), name))]));
    return {
      t,
      targetRate: t.map((s) => Math.round(targetAt(s) * 1000) / 1000),
      offered: t.map((s) => row(s)?.offered ?? 0),
      started: t.map((s) => row(s)?.started ?? 0),
      dropped: t.map((s) => row(s)?.dropped ?? 0),
      inFlight: t.map((s) => [...(this.inFlightBySecond.get(s)?.values() ?? [])].reduce((n, c) => n + c, 0)),
      requests: perEndpoint((r, n) => r?.requests[n] ?? 0),
      failed: t.map((s) => row(s)?.failed ?? 0),
      contractFailures: t.map((s) => row(s)?.contractFailures ?? 0),
      p50: perEndpoint((r, n) => r?.p50[n] ?? null),
      p95: perEndpoint((r, n) => r?.p95[n] ?? null),
      p99: perEndpoint((r, n) => r?.p99[n] ?? null),
      correctedP99: perEndpoint((r, n) => r?.correctedP99[n] ?? null),
    };
  }

  destroy(): void {
    this.whole.destroy();
    for (const w of this.windows) w.state.destroy();
    for (const s of this.pending.values()) s.destroy();
  }
}
