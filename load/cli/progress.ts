/**
 * Progress while a run goes, an observer of the run's snapshots: on a TTY one live line
 * rewritten every second; without one (CI logs) a plain line every 10 s. Figures:
 * elapsed/total, target vs achieved arrival rate, in flight, p95 so far, failed requests,
 * contract failures.
 */
import { formatDuration } from '../engine/duration.ts';
import { percentileMs } from '../engine/histogram.ts';
import type { RunObserver, Snapshot } from '../engine/observers.ts';

export interface ProgressFigures {
  elapsedMs: number;
  totalMs: number;
  targetRate: number;
  achievedRate: number;
  inFlight: number;
  p95Ms: number | null;
  failed: number;
  contractFailures: number;
  dropped: number;
}

export function progressLine(f: ProgressFigures): string {
  const rate = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());
  return [
    `${formatDuration(f.elapsedMs)}/${formatDuration(f.totalMs)}`,
    `rate ${rate(f.achievedRate)}/${rate(f.targetRate)} per s`,
    `in flight ${f.inFlight}`,
    `p95 ${f.p95Ms === null ? '-' : `${f.p95Ms.toFixed(1)} ms`}`,
    `failed ${f.failed}`,
    `contract failures ${f.contractFailures}`,
    ...(f.dropped ? [`dropped ${f.dropped}`] : []),
  ].join(' · ');
}

/** The progress figures of a snapshot. */
export function figuresOf(s: Snapshot): ProgressFigures {
  const duration = s.whole.trend('http_req_duration');
  const p95Ms = percentileMs(duration.histogram, 95);
  duration.release();
  return {
    elapsedMs: s.elapsedMs,
    totalMs: s.totalMs,
    targetRate: s.targetRate,
    achievedRate: s.achievedRate,
    inFlight: s.inFlight,
    p95Ms,
    failed: s.whole.rate('http_req_failed').passes,
    contractFailures: s.whole.count('contract_failures'),
    dropped: s.whole.count('dropped_iterations'),
  };
}

export class Progress implements RunObserver {
  private lastPlain = 0;
  private wroteLive = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly quiet: boolean,
    private readonly plainEveryMs = 10_000,
  ) {}

  snapshot(s: Snapshot): void {
    if (!this.quiet) this.update(figuresOf(s));
  }

  notice(line: string): void {
    this.say(`load: ${line}`);
  }

  ended(): void {
    this.done();
  }

  update(f: ProgressFigures): void {
    if (this.quiet) return;
    if (this.stream.isTTY) {
      const width = this.stream.columns || 120;
      this.stream.write(`\r\x1b[2K${progressLine(f).slice(0, width - 1)}`);
      this.wroteLive = true;
    } else if (f.elapsedMs - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = f.elapsedMs;
      this.stream.write(`load: ${progressLine(f)}\n`);
    }
  }

  /** Ends the live line so that what follows starts on a clean one. */
  done(): void {
    if (this.wroteLive) this.stream.write('\r\x1b[2K');
    this.wroteLive = false;
  }

  say(line: string): void {
    if (this.quiet) return;
    this.done();
    this.stream.write(`${line}\n`);
  }
}
