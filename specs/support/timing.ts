/**
 * Statistics for the user-enumeration timing check: does a sign-in with an unknown email
 * take measurably less (or more) time than one with a known email and a wrong password?
 *
 * Method (in the spirit of dudect, which runs Welch's t-test over interleaved measurements):
 * - warm-up: the first rounds are sent and thrown away (connection set-up, JIT, caches);
 * - interleaving: each round takes one sample of each kind, in ABBA order (A then B when
 *   the round is even, B then A when odd), so drift in the target's load, and any penalty
 *   for going first or second, falls equally on both sides;
 * - pairs: the two samples of a round were taken moments apart, so their difference
 *   d = unknown − wrong cancels whatever the machine was doing at that moment (another
 *   process, a burst of other tests): the check works on the paired differences;
 * - robust: the 20 % trimmed mean of the differences, with its Tukey–McLaughlin standard
 *   error (winsorized variance) and Student's t on n − 2g − 1 degrees of freedom (Yuen's
 *   test for paired samples): a stall that hits one request in five moves nothing;
 * - quiet moments: on a machine shared with other work, the same test also runs on the
 *   quietest half, quarter and eighth of the pairs (CROPS below), where a leak stands out;
 * - decision: a leak is reported when the confidence interval of the difference lies
 *   wholly beyond ± the margin (a difference too small to matter) in any of them; α is the
 *   false-alarm rate of the whole check, shared out (Bonferroni) as half at the first look,
 *   where a quiet target's check ends, and half evenly over the later looks, each look's
 *   share split evenly over the crops it can judge (8 pairs or more);
 * - sequential: the first look comes after `minSamples` rounds; while the answer is not
 *   clear (no leak, but a leak of `goal` ms could still hide in the noise), the sample
 *   doubles, up to `maxSamples` rounds (on a busy machine the later rounds often find it
 *   quieter: the rest of the suite has finished);
 * - power: each verdict states the smallest leak it would have seen (with probability at
 *   least 95 %): margin + half-width of the interval + 1.645 standard errors.
 */
import type { SuiteConfig } from '../../lib/config.ts';

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// --- Student's t ----------------------------------------------------------------------------

/** ln Γ(x), Lanczos approximation (x > 0). */
function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const ci of c) ser += ci / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-12) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom (t ≥ 0). */
export function studentTUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t with P(T > t) = p, for 0 < p < 0.5 (bisection on the tail). */
export function studentTQuantileUpper(p: number, df: number): number {
  if (!(p > 0 && p < 0.5)) throw new RangeError('p must be in (0, 0.5)');
  let lo = 0;
  let hi = 1;
  while (studentTUpperTail(hi, df) > p) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTUpperTail(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// --- the paired, trimmed comparison ---------------------------------------------------------

/** Fraction trimmed from each end of the differences. */
export const TRIM = 0.2;

export interface TrimmedMean {
  n: number;
  /** The trimmed mean. */
  mean: number;
  /** Its standard error (winsorized standard deviation / ((1 − 2·TRIM)·√n)). */
  se: number;
  /** Degrees of freedom of its t statistic: n − 2g − 1. */
  df: number;
}

/** The 20 % trimmed mean of `xs` and its Tukey–McLaughlin standard error (n ≥ 4). */
export function trimmedMean(xs: readonly number[]): TrimmedMean {
  const n = xs.length;
  if (n < 4) throw new RangeError('a trimmed mean needs at least 4 values');
  const sorted = [...xs].sort((a, b) => a - b);
  const g = Math.floor(TRIM * n);
  const kept = sorted.slice(g, n - g);
  const mean = kept.reduce((s, x) => s + x, 0) / kept.length;
  const winsorized = sorted.map((x, i) => (i < g ? sorted[g]! : i >= n - g ? sorted[n - g - 1]! : x));
  const wMean = winsorized.reduce((s, x) => s + x, 0) / n;
  const wVar = winsorized.reduce((s, x) => s + (x - wMean) ** 2, 0) / (n - 1);
  return { n, mean, se: Math.sqrt(wVar) / ((1 - 2 * TRIM) * Math.sqrt(n)), df: n - 2 * g - 1 };
}

/** The timing check's settings, as the configuration reads them (TIMING_*; lib/config.ts). */
export type TimingSettings = SuiteConfig['timing'];

/** The round counts at which the check looks: minSamples, then twice as many each time, ending at maxSamples. */
export function lookSchedule(settings: Pick<TimingSettings, 'minSamples' | 'maxSamples'>): number[] {
  const { minSamples, maxSamples } = settings;
  if (!Number.isInteger(minSamples) || minSamples < 5) throw new RangeError('minSamples must be a whole number of at least 5');
  if (maxSamples < minSamples) throw new RangeError('maxSamples must be at least minSamples');
  const looks = [minSamples];
  while (looks.at(-1)! < maxSamples) looks.push(Math.min(maxSamples, looks.at(-1)! * 2));
  return looks;
}

/**
 * The quietest fractions of the pairs each look also judges on its own. A machine shared
 * with other work alternates quiet moments, where both requests take the bare sign-in time,
 * and busy ones, where either may take several times that: the quiet pairs carry nearly
 * all the information. A pair's load is judged by min(a, b), which does not change when
 * a and b are swapped, so without a leak the kept differences stay symmetric around zero
 * and the test keeps its false-alarm rate (dudect crops its measurements likewise).
 */
export const CROPS: readonly number[] = [1, 0.5, 0.25, 0.125];
/** A crop with fewer pairs than this is not judged. */
const MIN_CROP_PAIRS = 8;

export interface TimingVerdict {
  /** 'leak': the paths differ by more than the margin; 'indistinguishable': no leak seen. */
  outcome: 'leak' | 'indistinguishable';
  /** False while more samples could still change the picture (only at an intermediate look). */
  final: boolean;
  rounds: number;
  look: number;
  looks: number;
  /** The fraction of the pairs (the quietest) the figures below come from. */
  crop: number;
  /** The number of pairs in that crop. */
  pairsUsed: number;
  /** Trimmed mean of unknown − wrong, ms (negative: unknown emails answer faster). */
  differenceMs: number;
  standardErrorMs: number;
  /** The confidence interval of the difference, at this test's level (1 − this look's share of α / crops judged). */
  intervalMs: [number, number];
  confidenceLevel: number;
  marginMs: number;
  goalMs: number;
  /** The smallest leak this sample would have shown (with probability ≥ 95 %). */
  detectableMs: number;
  medianUnknownMs: number;
  medianWrongMs: number;
}

/** z for a one-sided 95 % power. */
const Z_POWER = 1.645;

/** The pairs with the lowest min(a, b): the `fraction` taken at the quietest moments. */
function quietest(a: readonly number[], b: readonly number[], fraction: number): { a: number[]; b: number[] } {
  const order = a.map((_, i) => i).sort((i, j) => Math.min(a[i]!, b[i]!) - Math.min(a[j]!, b[j]!));
  const kept = order.slice(0, Math.ceil(fraction * a.length));
  return { a: kept.map((i) => a[i]!), b: kept.map((i) => b[i]!) };
}

/**
 * The share of the false-alarm rate `alpha` spent at look `look` of `looks`: half at the
 * first look, where a quiet target's check ends, the other half evenly over the later ones
 * (Bonferroni: the shares add up to `alpha`). Stopping without a leak spends nothing.
 */
export function alphaForLook(alpha: number, look: number, looks: number): number {
  if (looks === 1) return alpha;
  return look === 1 ? alpha / 2 : alpha / (2 * (looks - 1));
}

/**
 * Judges the pairs taken so far (a[i] and b[i] from the same round) at look `look` of
 * `looks` (1-based), on every crop of CROPS large enough. `final` is true when the verdict
 * stands: a leak in any crop, a clear pass (some crop would have seen a leak of the goal's
 * size), or the last look. The figures reported are those of the crop that found the
 * leak, or else of the crop with the smallest detectable leak.
 */
export function judgeTiming(a: readonly number[], b: readonly number[], settings: TimingSettings, look: number, looks: number): TimingVerdict {
  if (a.length !== b.length) throw new RangeError('the samples must come in pairs');
  const crops = CROPS.filter((crop) => crop === 1 || Math.ceil(crop * a.length) >= MIN_CROP_PAIRS);
  const alphaPerTest = alphaForLook(settings.falseAlarmRate, look, looks) / crops.length;
  let best: TimingVerdict | undefined;
  for (const crop of crops) {
    const pairs = crop === 1 ? { a: [...a], b: [...b] } : quietest(a, b, crop);
    const t = trimmedMean(pairs.a.map((x, i) => x - pairs.b[i]!));
    const halfWidth = studentTQuantileUpper(alphaPerTest / 2, t.df) * t.se;
    const medianUnknownMs = median(pairs.a);
    const medianWrongMs = median(pairs.b);
    const typical = Math.max(medianUnknownMs, medianWrongMs);
    const marginMs = Math.max(settings.marginMs, settings.marginRatio * typical);
    const goalMs = Math.max(settings.goalMs, settings.goalRatio * typical);
    const detectableMs = marginMs + halfWidth + Z_POWER * t.se;
    const leak = Math.abs(t.mean) - halfWidth > marginMs;
    const verdict: TimingVerdict = {
      outcome: leak ? 'leak' : 'indistinguishable',
      final: leak || detectableMs <= goalMs || look >= looks,
      rounds: a.length,
      look,
      looks,
      crop,
      pairsUsed: pairs.a.length,
      differenceMs: t.mean,
      standardErrorMs: t.se,
      intervalMs: [t.mean - halfWidth, t.mean + halfWidth],
      confidenceLevel: 1 - alphaPerTest,
      marginMs,
      goalMs,
      detectableMs,
      medianUnknownMs,
      medianWrongMs,
    };
    if (leak) return verdict;
    if (best === undefined || verdict.detectableMs - verdict.goalMs < best.detectableMs - best.goalMs) best = verdict;
  }
  return best!;
}

/** One measurement: resolves to a duration in milliseconds. */
export type Measure = () => Promise<number>;

export interface SamplingOptions {
  /** Measured rounds; each round takes one sample of each kind. */
  samples: number;
  /** Rounds sent first and discarded. */
  warmup: number;
}

/** Runs `rounds` ABBA rounds numbered from `first`, pushing the samples into `out`. */
async function sampleRounds(a: Measure, b: Measure, first: number, rounds: number, out: { a: number[]; b: number[] } | null): Promise<void> {
  for (let round = first; round < first + rounds; round++) {
    const order: Array<['a' | 'b', Measure]> = round % 2 === 0 ? [['a', a], ['b', b]] : [['b', b], ['a', a]];
    for (const [kind, measure] of order) {
      const ms = await measure();
      out?.[kind].push(ms);
    }
  }
}

/**
 * Takes `samples` measurements of each kind, interleaved ABBA, after `warmup` discarded
 * rounds. Requests are sequential: concurrent ones would measure the target's queue.
 */
export async function sampleInterleaved(a: Measure, b: Measure, options: SamplingOptions): Promise<{ a: number[]; b: number[] }> {
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new RangeError('samples must be a positive integer');
  const out = { a: [] as number[], b: [] as number[] };
  await sampleRounds(a, b, 0, options.warmup, null);
  await sampleRounds(a, b, options.warmup, options.samples, out);
  return out;
}

export interface SequentialResult {
  a: number[];
  b: number[];
  verdict: TimingVerdict;
  /** Every look's verdict, in order (the last is `verdict`). */
  history: TimingVerdict[];
}

/** The two measurements, as handed out for one stretch of rounds. */
export interface MeasurePair {
  a: Measure;
  b: Measure;
}

/**
 * Hands out the measurements for one stretch of rounds: `use` runs while they are valid
 * (the spec holds the probe account only that long, so that other tests waiting for it get
 * their turn between stretches).
 */
export type MeasureSession = <T>(use: (measures: MeasurePair) => Promise<T>) => Promise<T>;

/** Rounds taken in one session at most. */
export const ROUNDS_PER_SESSION = 12;

/**
 * The whole check: warm-up, then ABBA rounds up to each look of lookSchedule(settings),
 * judging at each, until a verdict is final. Rounds are taken in sessions of at most
 * ROUNDS_PER_SESSION (the first one preceded by the warm-up); the ABBA order runs on
 * across sessions.
 */
export async function sampleSequentially(session: MeasureSession | MeasurePair, settings: TimingSettings): Promise<SequentialResult> {
  const open: MeasureSession = typeof session === 'function' ? session : (use) => use(session);
  const schedule = lookSchedule(settings);
  const out = { a: [] as number[], b: [] as number[] };
  const history: TimingVerdict[] = [];
  let warmedUp = false;
  for (const [i, rounds] of schedule.entries()) {
    while (out.a.length < rounds) {
      const stretch = Math.min(ROUNDS_PER_SESSION, rounds - out.a.length);
      await open(async ({ a, b }) => {
        // The warm-up opens the first session: its rounds are thrown away.
        if (!warmedUp) await sampleRounds(a, b, 0, settings.warmup, null);
        warmedUp = true;
        await sampleRounds(a, b, settings.warmup + out.a.length, stretch, out);
      });
    }
    const verdict = judgeTiming(out.a, out.b, settings, i + 1, schedule.length);
    history.push(verdict);
    if (verdict.final) return { ...out, verdict, history };
  }
  throw new Error('unreachable: the last look is always final');
}
