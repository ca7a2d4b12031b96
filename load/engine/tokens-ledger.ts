/**
 * No token is issued twice in a run. The ledger keeps a 96-bit digest of every access and
 * refresh token seen (never the token), up to a bound, so its memory stays bounded on long
 * runs; past the bound it stops adding and the summary says how many were tracked.
 *
 * A signer without a unique claim may repeat a token for the same user within one second
 * (the contract suite allows it too); a repeat across seconds or across users is a defect.
 */
import { TOKEN_UNIQUE_CHECK, type TokenSighting } from './samples.ts';
import type { IntervalEntry } from './series.ts';

export const DEFAULT_TOKEN_LIMIT = 2_000_000;

export class TokenLedger {
  private readonly seen = new Map<string, { user: string; second: number }>();
  duplicates = 0;

  constructor(readonly limit = DEFAULT_TOKEN_LIMIT) {}

  get tracked(): number {
    return this.seen.size;
  }

  /** Returns false when the token is a forbidden repeat. */
  note(sighting: TokenSighting): boolean {
    const before = this.seen.get(sighting.digest);
    if (before) {
      const allowed = before.user === sighting.user && Math.abs(before.second - sighting.second) <= 1;
      if (!allowed) this.duplicates += 1;
      return allowed;
    }
    if (this.seen.size < this.limit) this.seen.set(sighting.digest, { user: sighting.user, second: sighting.second });
    return true;
  }

  /** Notes sightings and returns the outcome as entries of the uniqueness check, by the run second each fell in. */
  judge(tokens: readonly TokenSighting[], startEpochMs: number): IntervalEntry[] {
    const bySecond = new Map<number, { passes: number; fails: number }>();
    for (const t of tokens) {
      const second = Math.max(0, Math.floor((t.second * 1000 - startEpochMs) / 1000));
      const c = bySecond.get(second) ?? { passes: 0, fails: 0 };
      if (this.note(t)) c.passes += 1;
      else c.fails += 1;
      bySecond.set(second, c);
    }
    return [...bySecond].map(([second, c]) => ({ type: 'interval', second, metric: 'checks', tags: { check: TOKEN_UNIQUE_CHECK }, ...c }));
  }
}
