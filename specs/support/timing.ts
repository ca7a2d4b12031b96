/**
 * Statistics for the user-enumeration timing check: does a sign-in with an unknown email
 * take measurably less (or more) time than one with a known email and a wrong password?
 *
 * Method:
 * - warm-up: the first rounds are sent and thrown away (connection set-up, JIT, caches);
 * - interleaving: the two kinds alternate in an ABBA pattern (round i sends A then B when i
 *   is even, B then A when odd), so drift in the target's load, and any penalty for going
 *   first or second, falls equally on both sides;
 * - medians, not means: one slow outlier (a GC pause, a neighbour's request) moves a mean
 *   a lot and a median hardly at all;
 * - tolerance: the medians may differ by at most
 *     max(toleranceMs, toleranceRatio × max(median A, median B))
 *   An absolute floor, so that jitter on a fast target is not a leak, and a relative part,
 *   so that a slow target (or a uniform added latency) is judged in proportion. A target
 *   that skips the password hash for unknown emails differs by the whole hash time, which
 *   is most of the wrong-password latency: far beyond half of it.
 */

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ToleranceSettings {
  /** The absolute floor, in milliseconds. */
  toleranceMs: number;
  /** The allowed difference as a fraction of the larger median. */
  toleranceRatio: number;
}

/** The largest allowed difference between two medians. */
export function allowedDifferenceMs(medianA: number, medianB: number, settings: ToleranceSettings): number {
  return Math.max(settings.toleranceMs, settings.toleranceRatio * Math.max(medianA, medianB));
}

export interface TimingComparison {
  medianA: number;
  medianB: number;
  /** |medianA − medianB| */
  differenceMs: number;
  allowedDifferenceMs: number;
  /** True when the difference is within the tolerance. */
  indistinguishable: boolean;
  samplesA: number;
  samplesB: number;
}

/** Compares two sample sets by their medians under the tolerance rule above. */
export function compareMedians(a: readonly number[], b: readonly number[], settings: ToleranceSettings): TimingComparison {
  const medianA = median(a);
  const medianB = median(b);
  const differenceMs = Math.abs(medianA - medianB);
  const allowed = allowedDifferenceMs(medianA, medianB, settings);
  return {
    medianA,
    medianB,
    differenceMs,
    allowedDifferenceMs: allowed,
    indistinguishable: differenceMs <= allowed,
    samplesA: a.length,
    samplesB: b.length,
  };
}

/** One measurement: resolves to a duration in milliseconds. */
export type Measure = () => Promise<number>;

export interface SamplingOptions {
  /** Measured rounds; each round takes one sample of each kind. */
  samples: number;
  /** Rounds sent first and discarded. */
  warmup: number;
}

/**
 * Takes `samples` measurements of each kind, interleaved ABBA, after `warmup` discarded
 * rounds. Requests are sequential: concurrent ones would measure the target's queue.
 */
export async function sampleInterleaved(a: Measure, b: Measure, options: SamplingOptions): Promise<{ a: number[]; b: number[] }> {
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new RangeError('samples must be a positive integer');
  const out = { a: [] as number[], b: [] as number[] };
  const rounds = options.warmup + options.samples;
  for (let round = 0; round < rounds; round++) {
    const keep = round >= options.warmup;
    const order: Array<['a' | 'b', Measure]> = round % 2 === 0 ? [['a', a], ['b', b]] : [['b', b], ['a', a]];
    for (const [kind, measure] of order) {
      const ms = await measure();
      if (keep) out[kind].push(ms);
    }
  }
  return out;
}
