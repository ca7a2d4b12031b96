/**
 * Folds over interval entries. Every figure of a run comes from here: the whole run, each
 * window (a stress step, a soak slice, a third of the run), and each second of the series.
 * The live fold (progress, abortOnFail) and the final one (the summary) are the same code;
 * a merge of segment runs is one fold over their logs together, so its per-second and
 * per-window percentiles are those of every sample, as if one process had run them all.
 */
import { buildSchedule } from './executors.ts';
import { percentileMs } from './histogram.ts';
import type { ContractFailureLine, LogLine, RunEnd, RunHeader, WindowSpec } from './interval-log.ts';
import { decodeEntryHistogram, SeriesSet, type IntervalEntry } from './series.ts';
import type { ContractFailureSample } from './summary-types.ts';

/** What one second of the run shows in the series. */
export interface SecondRow {
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

const MAX_FAILURE_SAMPLES = 20;

function secondRow(set: SeriesSet, second: number): SecondRow {
  const started = set.count('iterations_started');
  const dropped = set.count('dropped_iterations');
  const row: SecondRow = {
    offered: started + dropped,
    started,
    dropped,
    inFlight: set.gaugeBySecond('vus').get(second) ?? 0,
    failed: set.rate('http_req_failed').passes,
    contractFailures: set.count('contract_failures'),
    requests: {},
    p50: {},
    p95: {},
    p99: {},
    correctedP99: {},
  };
  for (const endpoint of set.tagValues('http_reqs', 'endpoint')) {
    row.requests[endpoint] = set.count('http_reqs', { endpoint });
    const duration = set.trend('http_req_duration', { endpoint });
    row.p50[endpoint] = percentileMs(duration.histogram, 50);
    row.p95[endpoint] = percentileMs(duration.histogram, 95);
    row.p99[endpoint] = percentileMs(duration.histogram, 99);
    duration.release();
    const corrected = set.trend('http_req_duration_corrected', { endpoint });
    row.correctedP99[endpoint] = percentileMs(corrected.histogram, 99);
    corrected.release();
  }
  return row;
}

/**
 * The whole seconds a window folds (those whose middle falls inside it), as ms bounds: a
 * window's target and rates are computed over the span its figures actually cover.
 */
export function foldedSpan(spec: WindowSpec): { startMs: number; endMs: number } {
  const first = Math.max(0, Math.ceil(spec.startMs / 1000 - 0.5));
  const end = Math.max(first, Math.ceil(spec.endMs / 1000 - 0.5));
  return { startMs: first * 1000, endMs: end * 1000 };
}

export class RunFold {
  readonly whole = new SeriesSet();
  readonly windows: { spec: WindowSpec; set: SeriesSet }[];
  /** The first and the last third of the run, compared for degradation (when the fold keeps them). */
  readonly thirds: { spec: WindowSpec; set: SeriesSet }[];
  /** Settled seconds of the series (only when the fold keeps one). */
  readonly rows = new Map<number, SecondRow>();
  private current: { second: number; set: SeriesSet } | undefined;
  newestSecond = -1;

  /**
   * `perSecond`: keep the series. Entries must then come in order of their second (the
   * final fold sorts them): a second is settled, and its histograms freed, when the next
   * one begins.
   */
  constructor(
    windows: readonly WindowSpec[],
    private readonly perSecond: boolean,
    /** The run's length, to fold its first and last thirds apart. */
    durationMs?: number,
  ) {
    this.windows = windows.map((spec) => ({ spec, set: new SeriesSet() }));
    this.thirds =
      durationMs === undefined
        ? []
        : [
            { spec: { label: 'first third', startMs: 0, endMs: durationMs / 3 }, set: new SeriesSet() },
            { spec: { label: 'last third', startMs: (2 * durationMs) / 3, endMs: durationMs }, set: new SeriesSet() },
          ];
  }

  add(entry: IntervalEntry): void {
    const decoded = decodeEntryHistogram(entry);
    this.whole.addEntry(entry, decoded);
    // A second belongs to the window its middle falls in.
    const midMs = entry.second * 1000 + 500;
    for (const w of this.windows) if (midMs >= w.spec.startMs && midMs < w.spec.endMs) w.set.addEntry(entry, decoded);
    for (const w of this.thirds) if (midMs >= w.spec.startMs && midMs < w.spec.endMs) w.set.addEntry(entry, decoded);
    if (this.perSecond) {
      if (this.current && entry.second < this.current.second) throw new Error(`interval entries out of order: second ${entry.second} after ${this.current.second}`);
      if (this.current?.second !== entry.second) {
        this.settle();
        this.current = { second: entry.second, set: new SeriesSet() };
      }
      this.current!.set.addEntry(entry, decoded);
    }
    decoded?.destroy();
    this.newestSecond = Math.max(this.newestSecond, entry.second);
  }

  /** Turns the open second into its row. */
  settle(): void {
    if (!this.current) return;
    this.rows.set(this.current.second, secondRow(this.current.set, this.current.second));
    this.current.set.destroy();
    this.current = undefined;
  }

  destroy(): void {
    this.whole.destroy();
    for (const w of [...this.windows, ...this.thirds]) w.set.destroy();
    this.current?.set.destroy();
  }
}

/** A log (or several segment logs) folded: the data the summary is built from. */
export interface FoldedRun {
  /** One header per segment log folded, in the order given. */
  headers: RunHeader[];
  /** Each header's end line, undefined when its log ended without one (a crash). */
  ends: (RunEnd | undefined)[];
  fold: RunFold;
  contractFailures: ContractFailureSample[];
}

/**
 * Folds logs: one log of a run, or the logs of a run's segments. Interval entries are
 * folded in the order of their second, whatever log they come from.
 */
export function foldLogs(logs: readonly (readonly LogLine[])[]): FoldedRun {
  const headers: RunHeader[] = [];
  const ends: (RunEnd | undefined)[] = [];
  const entries: IntervalEntry[] = [];
  const contractFailures: ContractFailureSample[] = [];
  for (const log of logs) {
    let end: RunEnd | undefined;
    for (const line of log) {
      if (line.type === 'run') headers.push(line);
      else if (line.type === 'end') end = line;
      else if (line.type === 'interval') entries.push(line);
      else if (contractFailures.length < MAX_FAILURE_SAMPLES) contractFailures.push(withoutType(line));
    }
    ends.push(end);
  }
  // An interrupted run's thirds are those of the part that ran.
  const header = headers[0];
  const scheduledMs = header ? buildSchedule(header.config.executor).durationMs : 0;
  const stopped = ends.some((e) => e === undefined || e.interrupted || e.aborted !== null);
  const ranMs = Math.max(0, ...ends.map((e) => e?.ranForMs ?? 0));
  const fold = new RunFold(header?.windows ?? [], true, stopped ? Math.min(ranMs, scheduledMs) : scheduledMs);
  entries.sort((a, b) => a.second - b.second);
  for (const entry of entries) fold.add(entry);
  fold.settle();
  return { headers, ends, fold, contractFailures };
}

function withoutType(line: ContractFailureLine): ContractFailureSample {
  const { type: _type, ...sample } = line;
  return sample;
}
