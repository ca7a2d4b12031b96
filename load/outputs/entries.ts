/**
 * What every output shares: it is a run observer that sees each interval entry once, in
 * the order the main thread received them. During the run they come with each second's
 * snapshot; the entries that arrived after the last snapshot (the generators' final
 * seconds) are the tail of the interval log, handed over at the end.
 */
import type { RunHeader } from '../engine/interval-log.ts';
import type { RunObserver, RunResult, Snapshot } from '../engine/observers.ts';
import type { IntervalEntry } from '../engine/series.ts';

/** What an output tells at the end of the run, for the console and summary.json. */
export interface OutputReport {
  /** One line for the console. */
  line: string;
  /** Its member of `puppilot.outputs` in summary.json. */
  details: Record<string, unknown>;
}

export interface Output extends RunObserver {
  readonly name: string;
  /** After `ended`. */
  report(): OutputReport;
}

export abstract class EntryOutput implements Output {
  abstract readonly name: string;
  protected header: RunHeader | undefined;
  /** Interval entries seen so far (a prefix of the log's interval lines). */
  private seen = 0;

  started(header: RunHeader): void {
    this.header = header;
    this.begin(header);
  }

  snapshot(snapshot: Snapshot): void {
    for (const entry of snapshot.entries) this.entry(entry);
    this.seen += snapshot.entries.length;
    this.tick(snapshot);
  }

  async ended(result: RunResult): Promise<void> {
    if (!this.header) {
      const header = result.log.find((line): line is RunHeader => line.type === 'run');
      if (header) this.started(header);
    }
    let index = 0;
    for (const line of result.log) {
      if (line.type !== 'interval') continue;
      if (index++ >= this.seen) this.entry(line);
    }
    this.seen = index;
    await this.finish(result);
  }

  /** The run's start time is fixed. */
  protected abstract begin(header: RunHeader): void;
  protected abstract entry(entry: IntervalEntry): void;
  protected tick(_snapshot: Snapshot): void {}
  protected abstract finish(result: RunResult): Promise<void>;
  abstract report(): OutputReport;
}

/** The epoch ms of a second of the run. */
export function secondStartMs(header: RunHeader, second: number): number {
  return Date.parse(header.startedAt) + second * 1000;
}

/** An entry's tags without empty values (a tag the sample did not carry). */
export function presentTags(entry: IntervalEntry): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.tags)) if (value !== '' && value !== undefined) tags[name] = value;
  return tags;
}
