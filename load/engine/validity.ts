/**
 * A run that cannot keep up is invalid (load/README.md, "Honest measurement"):
 * - the achieved arrival rate (arrivals fired: started or dropped) is below the minimum
 *   ratio of the target over the whole run, or over any 10 s window after the first 5 s
 *   (every window, sliding by a second; the worst one is named);
 * - or the schedule lag's p99 exceeds its bound.
 * Dropped arrivals are the target's doing (the in-flight cap was reached) and have their own
 * threshold; a generator that fires late or not at all is the measurement's failure.
 */
import { percentileMs } from './histogram.ts';
import type { SeriesSet } from './series.ts';
import type { TimeSeries, Validity } from './summary-types.ts';

export interface ValidityInput {
  whole: SeriesSet;
  timeseries: TimeSeries;
  /** Arrivals this process was to fire over the whole run. */
  targetArrivals: number;
  durationMs: number;
  /** Arrivals this process was to fire in [fromMs, toMs). */
  targetBetween(fromMs: number, toMs: number): number;
  minRateRatio: number;
  maxLagP99Ms: number;
  /** An interrupted run is judged on the part that ran. */
  ranForMs: number;
}

const WINDOW_S = 10;
const SKIP_S = 5;

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : 0 });

export function judgeValidity(input: ValidityInput): Validity {
  const { whole: set, timeseries } = input;
  const seconds = Math.max(input.ranForMs, 1) / 1000;
  const lag = set.trend('schedule_lag');
  const lagMs = {
    p50: percentileMs(lag.histogram, 50) ?? 0,
    p99: percentileMs(lag.histogram, 99) ?? 0,
    max: lag.histogram.totalCount ? Math.round(lag.histogram.maxValue) / 1000 : 0,
  };
  lag.release();
  const started = set.count('iterations_started');
  const whole = { started, offered: started + set.count('dropped_iterations') };
  const expected = input.ranForMs >= input.durationMs ? input.targetArrivals : input.targetBetween(0, input.ranForMs);
  const reasons: string[] = [];
  const windows: Validity['windows'] = [];
  // One arrival of slack: a window's share of a low rate is a whole number of arrivals.
  const short = (offered: number, target: number) => offered < input.minRateRatio * target - 1;

  if (short(whole.offered, expected)) {
    reasons.push(
      `generator fell behind: ${fmt(whole.offered / seconds)} of ${fmt(expected / seconds)} arrivals/s over the run, lag p99 ${fmt(lagMs.p99)} ms`,
    );
  }
  const ranS = Math.floor(input.ranForMs / 1000);
  const offeredIn = (start: number) => timeseries.offered.slice(start, start + WINDOW_S).reduce((n, c) => n + c, 0);
  // The report shows the tiled windows; every 10 s window, sliding by a second, is judged.
  for (let start = SKIP_S; start + WINDOW_S <= ranS; start += WINDOW_S) {
    windows.push({ startS: start, endS: start + WINDOW_S, target: Math.round(input.targetBetween(start * 1000, (start + WINDOW_S) * 1000) * 100) / 100, offered: offeredIn(start) });
  }
  let worst: { start: number; ratio: number; offered: number; target: number } | undefined;
  for (let start = SKIP_S; start + WINDOW_S <= ranS; start += 1) {
    const target = input.targetBetween(start * 1000, (start + WINDOW_S) * 1000);
    const offered = offeredIn(start);
    if (!short(offered, target)) continue;
    const ratio = target > 0 ? offered / target : 1;
    if (!worst || ratio < worst.ratio) worst = { start, ratio, offered, target };
  }
  if (worst) {
    reasons.push(
      `generator fell behind in ${worst.start}–${worst.start + WINDOW_S} s: ${fmt(worst.offered / WINDOW_S)} of ${fmt(worst.target / WINDOW_S)} arrivals/s`,
    );
  }
  if (lagMs.p99 > input.maxLagP99Ms) reasons.push(`schedule lag p99 ${fmt(lagMs.p99)} ms exceeds ${fmt(input.maxLagP99Ms)} ms`);
  return {
    valid: reasons.length === 0,
    reasons,
    targetRate: Math.round((expected / seconds) * 1000) / 1000,
    offeredRate: Math.round((whole.offered / seconds) * 1000) / 1000,
    startedRate: Math.round((whole.started / seconds) * 1000) / 1000,
    lagMs,
    windows,
  };
}
