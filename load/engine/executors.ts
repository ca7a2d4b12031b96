/**
 * Executors fix every arrival time in advance (open model): nothing here looks at
 * responses. `constant-arrival-rate` puts arrival i at i / rate; `ramping-arrival-rate`
 * puts it where the integral of the piecewise-linear rate over the `stages` reaches i.
 * Names and options follow k6's executors of the same names.
 */
import { ConfigError } from '../../lib/errors.ts';
import { parseDuration } from './duration.ts';
import type { ExecutorConfig } from './summary-types.ts';

export interface Stage {
  label: string;
  startMs: number;
  endMs: number;
  /** Arrivals per second at the stage's start and end (linear in between). */
  fromRate: number;
  toRate: number;
  /** Arrivals due before the stage starts, whole schedule (fractional). */
  arrivalsBefore: number;
}

export interface Schedule {
  durationMs: number;
  /** Arrivals of the whole schedule (every segment together). */
  total: number;
  stages: Stage[];
  /** When arrival `i` (global index) is due, in ms from the start. */
  dueMs(i: number): number;
  /** The target arrival rate per second at `tMs`. */
  rateAt(tMs: number): number;
  /** Arrivals due in [fromMs, toMs) for the whole schedule (fractional). */
  arrivalsBetween(fromMs: number, toMs: number): number;
}

function timeUnitMs(config: ExecutorConfig): number {
  const ms = parseDuration(config.timeUnit, 'timeUnit');
  if (ms <= 0) throw new ConfigError('timeUnit', 'must be above zero');
  return ms;
}

function checkRate(rate: number, variable: string): number {
  if (!Number.isFinite(rate) || rate < 0) throw new ConfigError(variable, `expected a rate of zero or more, got ${rate}`);
  return rate;
}

/** Arrivals in the first `tMs` of a stage (fractional). */
function withinStage(stage: Stage, tMs: number): number {
  const d = (stage.endMs - stage.startMs) / 1000;
  const t = Math.min(Math.max(tMs, 0), stage.endMs - stage.startMs) / 1000;
  if (d === 0) return 0;
  return stage.fromRate * t + ((stage.toRate - stage.fromRate) * t * t) / (2 * d);
}

export function buildSchedule(config: ExecutorConfig): Schedule {
  const unit = timeUnitMs(config);
  const perSecond = (rate: number) => (rate * 1000) / unit;
  const raw: { label: string; ms: number; from: number; to: number }[] = [];
  if (config.executor === 'constant-arrival-rate') {
    if (config.duration === undefined || config.rate === undefined) throw new ConfigError('executor', 'constant-arrival-rate needs rate and duration');
    const rate = perSecond(checkRate(config.rate, 'rate'));
    const ms = parseDuration(config.duration, 'duration');
    raw.push({ label: `${round(rate)}/s`, ms, from: rate, to: rate });
  } else if (config.executor === 'ramping-arrival-rate') {
    if (!config.stages?.length) throw new ConfigError('stages', 'ramping-arrival-rate needs at least one stage');
    let from = perSecond(checkRate(config.startRate ?? 0, 'startRate'));
    config.stages.forEach((s, n) => {
      const to = perSecond(checkRate(s.target, `stages[${n}].target`));
      raw.push({ label: from === to ? `${round(to)}/s` : `${round(from)}→${round(to)}/s`, ms: parseDuration(s.duration, `stages[${n}].duration`), from, to });
      from = to;
    });
  } else {
    throw new ConfigError('executor', `unknown executor '${(config as { executor: string }).executor}' (known: constant-arrival-rate, ramping-arrival-rate)`);
  }
  const stages: Stage[] = [];
  let startMs = 0;
  let before = 0;
  for (const r of raw) {
    const stage: Stage = { label: r.label, startMs, endMs: startMs + r.ms, fromRate: r.from, toRate: r.to, arrivalsBefore: before };
    stages.push(stage);
    before += withinStage(stage, r.ms);
    startMs += r.ms;
  }
  const durationMs = startMs;
  if (durationMs <= 0) throw new ConfigError('duration', 'the schedule must last longer than zero');
  const totalExact = before;
  // Arrival i is due where the integral reaches i: i = 0, 1, … while that is inside the run.
  const total = Math.ceil(totalExact - 1e-9);

  const stageAt = (tMs: number) => stages.find((s) => tMs < s.endMs) ?? stages[stages.length - 1]!;
  const arrivalsUntil = (tMs: number) => {
    if (tMs <= 0) return 0;
    if (tMs >= durationMs) return totalExact;
    const s = stageAt(tMs);
    return s.arrivalsBefore + withinStage(s, tMs - s.startMs);
  };
  return {
    durationMs,
    total,
    stages,
    dueMs(i: number): number {
      // The last stage whose start has at most i arrivals before it.
      let lo = 0;
      let hi = stages.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (stages[mid]!.arrivalsBefore <= i) lo = mid;
        else hi = mid - 1;
      }
      // Skip stages with no arrivals (a rate of zero throughout).
      let s = stages[lo]!;
      while (lo < stages.length - 1 && s.fromRate === 0 && s.toRate === 0) s = stages[++lo]!;
      const k = i - s.arrivalsBefore;
      const d = (s.endMs - s.startMs) / 1000;
      const a = d === 0 ? 0 : (s.toRate - s.fromRate) / (2 * d);
      const b = s.fromRate;
      const root = b + Math.sqrt(Math.max(0, b * b + 4 * a * k));
      const tau = root === 0 ? 0 : (2 * k) / root;
      return s.startMs + tau * 1000;
    },
    rateAt(tMs: number): number {
      const s = stageAt(tMs);
      const d = s.endMs - s.startMs;
      return d === 0 ? s.toRate : s.fromRate + ((s.toRate - s.fromRate) * (tMs - s.startMs)) / d;
    },
    arrivalsBetween(fromMs: number, toMs: number): number {
      return arrivalsUntil(toMs) - arrivalsUntil(fromMs);
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The highest target rate anywhere in the schedule, per second. */
export function peakRate(schedule: Schedule): number {
  return Math.max(...schedule.stages.flatMap((s) => [s.fromRate, s.toRate]));
}
