/**
 * The recording side of the data path, one per generator thread: samples go into the
 * series of the second they fell in, and every closed second becomes one interval entry
 * per series (counts, or an encoded histogram). A second closes once the clock has left
 * it; a sample that arrives later than that (a callback delayed past the boundary) goes
 * into the oldest second still open, so no sample is lost.
 */
import type { MetricName, Tags } from './registry.ts';
import type { SampleSink, TokenSighting } from './samples.ts';
import { SeriesSet, type IntervalEntry } from './series.ts';
import type { ContractFailureSample } from './summary-types.ts';

/** Contract-failure examples kept per thread between two flushes. */
const MAX_FAILURE_SAMPLES_PER_FLUSH = 5;

export interface Notes {
  tokens: TokenSighting[];
  contractFailures: ContractFailureSample[];
}

export class IntervalRecorder implements SampleSink {
  private readonly open = new Map<number, SeriesSet>();
  private firstOpen = 0;
  private notes: Notes = { tokens: [], contractFailures: [] };

  constructor(private readonly startEpochMs: number) {}

  secondOf(epochMs: number): number {
    return Math.max(this.firstOpen, Math.floor((epochMs - this.startEpochMs) / 1000));
  }

  sample(metric: MetricName, tags: Tags, value: number, timeMs: number): void {
    const second = this.secondOf(timeMs);
    let set = this.open.get(second);
    if (!set) {
      set = new SeriesSet();
      this.open.set(second, set);
    }
    set.get(metric, tags).record(value, second);
  }

  token(sighting: TokenSighting): void {
    this.notes.tokens.push(sighting);
  }

  contractFailure(sample: ContractFailureSample): void {
    if (this.notes.contractFailures.length < MAX_FAILURE_SAMPLES_PER_FLUSH) this.notes.contractFailures.push(sample);
  }

  /** Entries of every second before the one `nowEpochMs` is in (all seconds when omitted), and the notes so far. */
  close(nowEpochMs?: number): { entries: IntervalEntry[]; notes: Notes } {
    const before = nowEpochMs === undefined ? Number.POSITIVE_INFINITY : Math.floor((nowEpochMs - this.startEpochMs) / 1000);
    const entries: IntervalEntry[] = [];
    for (const second of [...this.open.keys()].sort((a, b) => a - b)) {
      if (second >= before) break;
      const set = this.open.get(second)!;
      for (const series of set.all()) entries.push(series.toEntry(second));
      set.destroy();
      this.open.delete(second);
      this.firstOpen = second + 1;
    }
    if (Number.isFinite(before)) this.firstOpen = Math.max(this.firstOpen, before);
    const notes = this.notes;
    this.notes = { tokens: [], contractFailures: [] };
    return { entries, notes };
  }
}
