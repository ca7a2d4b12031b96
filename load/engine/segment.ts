/**
 * Execution segments, in k6's sense but with one arithmetic for cores and machines alike:
 * segment k of n owns the arrivals whose global index i has i mod n == k, and the accounts
 * whose index j has j mod n == k. The union of all segments is exactly the whole schedule
 * and no two segments share an account.
 *
 * A worker thread w of W inside segment k of n is segment k + n·w of n·W: it owns the
 * arrivals with i mod n == k and floor(i / n) mod W == w, which is the same set.
 */
import { ConfigError } from '../../lib/errors.ts';

export interface Segment {
  index: number;
  count: number;
}

export const WHOLE: Segment = { index: 0, count: 1 };

/** `k/n` → the segment; k counts from 0. */
export function parseSegment(text: string, variable = '--segment'): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ConfigError(variable, `expected k/n (segment k of n, k from 0), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new ConfigError(variable, `n must be from 1 to 10000, got ${count}`);
  if (index >= count) throw new ConfigError(variable, `k must be below n (k counts from 0), got ${index}/${count}`);
  return { index, count };
}

/** Worker `worker` of `workers` inside `segment`. */
export function subSegment(segment: Segment, worker: number, workers: number): Segment {
  return { index: segment.index + segment.count * worker, count: segment.count * workers };
}

export function owns(segment: Segment, index: number): boolean {
  return index % segment.count === segment.index;
}

/** The items of `list` the segment owns, by their index in the list. */
export function share<T>(list: readonly T[], segment: Segment): T[] {
  return list.filter((_, j) => owns(segment, j));
}

export function formatSegment(segment: Segment): string {
  return `${segment.index}/${segment.count}`;
}

/** How many of 0..total-1 have i mod count == index. */
export function countOwned(total: number, index: number, count: number): number {
  return total <= index ? 0 : Math.floor((total - 1 - index) / count) + 1;
}
