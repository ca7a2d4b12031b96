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

/** A 20-bit hash of a user id (FNV-1a, folded): enough to tell the users of one token apart. */
function userHash(user: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < user.length; i += 1) h = Math.imul(h ^ user.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 20)) & 0xfffff;
}

const USER_BITS = 2 ** 20;

export class TokenLedger {
  /**
   * Digest → second × 2^20 + the user's 20-bit hash, one number per token (about 100 bytes
   * a token with the Map's own cost, instead of an object and a string): two users whose
   * hashes collide (one in a million) share the one-second allowance, nothing more.
   */
  private readonly seen = new Map<string, number>();
  duplicates = 0;

  constructor(readonly limit = DEFAULT_TOKEN_LIMIT) {}

  get tracked(): number {
    return this.seen.size;
  }

  /** Returns false when the token is a forbidden repeat. */
  note(sighting: TokenSighting): boolean {
    const before = this.seen.get(sighting.digest);
    if (before !== undefined) {
      const allowed = before % USER_BITS === userHash(sighting.user) && Math.abs(Math.floor(before / USER_BITS) - sighting.second) <= 1;
      if (!allowed) this.duplicates += 1;
      return allowed;
    }
    if (this.seen.size < this.limit) this.seen.set(sighting.digest, sighting.second * USER_BITS + userHash(sighting.user));
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
