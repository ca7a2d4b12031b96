/**
 * Degradation inside a run: a stretch of the run against an earlier one, endpoint by
 * endpoint. Every run compares its first third with its last (a service that slows down
 * as it goes fails, whatever its whole-run p95); soak's drift compares its first slice
 * with its last through the same comparison.
 *
 * Degraded: the later p95 exceeds the earlier by more than `factor` times plus `marginMs`
 * (both configurable; the defaults let ordinary noise pass, and fail a 400 ms slowdown of
 * a 10 ms endpoint). Stretches with fewer than `minRequests` requests are not judged.
 */
import { percentileMs } from './histogram.ts';
import type { SeriesSet } from './series.ts';
import type { P95Comparison } from './summary-types.ts';

export interface DegradationRule {
  factor: number;
  marginMs: number;
}

export const DEFAULT_DEGRADATION: DegradationRule = { factor: 2, marginMs: 100 };
/** Fewer requests than this in either stretch: too few for a p95 to judge. */
export const MIN_REQUESTS_TO_JUDGE = 20;

/**
 * `endpoint` null: every endpoint together; `changePct` null when either side is missing;
 * `degraded` false as well when either stretch had too few requests to judge.
 */
export type { P95Comparison };

export function compareP95(first: SeriesSet, last: SeriesSet, endpoint: string | null, rule: DegradationRule): P95Comparison {
  const filter: Record<string, string> = endpoint === null ? {} : { endpoint };
  const p95 = (set: SeriesSet) => {
    const { histogram, release } = set.trend('http_req_duration', filter);
    const value = percentileMs(histogram, 95);
    release();
    return value;
  };
  const firstRequests = first.count('http_reqs', filter);
  const lastRequests = last.count('http_reqs', filter);
  const firstP95Ms = p95(first);
  const lastP95Ms = p95(last);
  const changePct = firstP95Ms && lastP95Ms !== null ? Math.round(((lastP95Ms - firstP95Ms) / firstP95Ms) * 1000) / 10 : null;
  const judged = firstRequests >= MIN_REQUESTS_TO_JUDGE && lastRequests >= MIN_REQUESTS_TO_JUDGE && firstP95Ms !== null && lastP95Ms !== null;
  const degraded = judged && lastP95Ms! > firstP95Ms! * rule.factor + rule.marginMs;
  return { endpoint, firstRequests, lastRequests, firstP95Ms, lastP95Ms, changePct, degraded };
}

/** "sign-in p95 61.2 ms in the first third → 463 ms in the last, more than 2× + 100 ms". */
export function describeDegradation(c: P95Comparison, rule: DegradationRule, stretches: [string, string]): string {
  return `${c.endpoint ?? 'all endpoints'} p95 ${c.firstP95Ms} ms in the ${stretches[0]} → ${c.lastP95Ms} ms in the ${stretches[1]}, more than ${rule.factor}× + ${rule.marginMs} ms`;
}
