/**
 * Per-email lockout after repeated failed sign-ins (OWASP Authentication Cheat Sheet,
 * "Account lockout"). Failures are counted per lowercased email whether or not the account
 * exists, so a 429 says nothing about which emails are registered.
 *
 * Sliding window: the email is locked while at least `threshold` failures happened within
 * the last `windowSeconds`. Retry-After is the time until enough of them have left the
 * window for the count to drop below the threshold (the oldest counted one, in the usual
 * case of exactly `threshold` failures).
 */
import type { Clock } from './clock.ts';
import { emailKey, type ReferenceStore } from './db.ts';

export type LockoutState = { locked: false } | { locked: true; retryAfterSeconds: number };

export interface LockoutSettings {
  enabled: boolean;
  threshold: number;
  windowSeconds: number;
}

export class Lockout {
  private readonly windowMs: number;

  constructor(
    private readonly store: ReferenceStore,
    private readonly settings: LockoutSettings,
    private readonly clock: Clock,
  ) {
    this.windowMs = settings.windowSeconds * 1000;
  }

  check(email: string): LockoutState {
    if (!this.settings.enabled) return { locked: false };
    const now = this.clock();
    const failures = this.store.failuresSince(emailKey(email), now - this.windowMs);
    if (failures.length < this.settings.threshold) return { locked: false };
    // The failure whose departure brings the count below the threshold.
    const unlocking = failures[failures.length - this.settings.threshold]!;
    const retryAfterSeconds = Math.max(1, Math.ceil((unlocking + this.windowMs - now) / 1000));
    return { locked: true, retryAfterSeconds };
  }

  recordFailure(email: string): void {
    if (!this.settings.enabled) return;
    const key = emailKey(email);
    const now = this.clock();
    this.store.transaction(() => {
      this.store.pruneFailures(key, now - this.windowMs);
      this.store.recordFailure(key, now);
    });
  }

  /** A successful sign-in (which can only happen while not locked) starts the count afresh. */
  recordSuccess(email: string): void {
    this.store.clearFailures(emailKey(email));
  }
}
