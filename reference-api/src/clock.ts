/**
 * Time as a dependency. Every module that judges expiry, issues `iat`/`exp` or counts
 * failures in a window reads the time through a Clock, so tests freeze or advance it
 * instead of sleeping.
 */

/** Milliseconds since the Unix epoch, like Date.now. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Whole Unix seconds, the unit of JWT NumericDate claims (RFC 7519 §2) and of the API's expires_at. */
export const unixSeconds = (clock: Clock): number => Math.floor(clock() / 1000);

/** A clock for tests: starts at `startMs` and moves only when told to. */
export interface ManualClock {
  readonly now: Clock;
  advanceSeconds(seconds: number): void;
  set(ms: number): void;
}

export function manualClock(startMs: number = Date.UTC(2030, 0, 1)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advanceSeconds: (seconds) => {
      current += seconds * 1000;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
