/**
 * The authentication service: sign-in with password, token issuing and refresh-token
 * rotation. HTTP-free: routes turn its outcomes into responses.
 *
 * Refresh tokens rotate (RFC 9700 §4.14.2): each refresh consumes the presented token and
 * issues a successor in the same family; presenting a consumed token again is treated as
 * theft and revokes the family, so the successor stops working too.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialFailure, LockoutBehaviour, RefreshBehaviour, SignInBehaviour } from './behaviour.ts';
import { unixSeconds, type Clock } from './clock.ts';
import type { NewRefreshToken, ReferenceStore, UserRow } from './db.ts';
import type { Lockout } from './lockout.ts';
import type { PasswordHasher } from './passwords.ts';
import type { TokenService, VerifyPolicy } from './tokens.ts';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  organization_id: string;
}

/** The 200 body of sign-in and refresh (contract: TokenResponse). */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_at: number;
  refresh_expires_at: number;
  user: PublicUser;
}

export type SignInOutcome =
  | { kind: 'signed-in'; tokens: TokenPair }
  | { kind: 'rejected'; reason: CredentialFailure }
  | { kind: 'locked'; retryAfterSeconds: number };

export type RefreshOutcome = { kind: 'refreshed'; tokens: TokenPair } | { kind: 'rejected'; reason: RefreshRejection };

export type RefreshRejection = 'invalid-token' | 'unknown-token' | 'expired' | 'reused' | 'revoked' | 'unknown-user';

export const publicUser = (user: UserRow): PublicUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  organization_id: user.organization_id,
});

/**
 * How long the `check-then-update` consume path (refresh-race fault) waits between its
 * check and its write: long enough that concurrent requests all pass the check.
 */
const RACE_WINDOW_MS = 25;

export interface SessionServiceDeps {
  store: ReferenceStore;
  passwords: PasswordHasher;
  tokens: TokenService;
  lockout: Lockout;
  clock: Clock;
  signIn: SignInBehaviour;
  refresh: RefreshBehaviour;
  lockoutRules: Pick<LockoutBehaviour, 'countUnknownEmails' | 'checkBeforePassword'>;
}

export class SessionService {
  private readonly refreshPolicy: VerifyPolicy;

  constructor(private readonly deps: SessionServiceDeps) {
    const { refresh } = deps;
    this.refreshPolicy = {
      accept: refresh.acceptAccessTokens ? ['refresh', 'access'] : ['refresh'],
      verifySignature: refresh.verifySignature,
      checkExpiry: refresh.checkExpiry,
    };
  }

  async signIn(email: string, password: string): Promise<SignInOutcome> {
    const { store, passwords, lockout, signIn, lockoutRules } = this.deps;
    const lockedOut = (): SignInOutcome | undefined => {
      const lock = lockout.check(email);
      return lock.locked ? { kind: 'locked', retryAfterSeconds: lock.retryAfterSeconds } : undefined;
    };
    if (lockoutRules.checkBeforePassword) {
      const locked = lockedOut();
      if (locked) return locked;
    }

    const user = store.findUserByEmail(email);
    let valid: boolean;
    if (user) {
      valid = (await passwords.verify(password, user.password_hash)) || signIn.acceptAnyPassword;
    } else {
      valid = signIn.equalWorkForUnknownEmail ? await passwords.verifyAgainstDummy(password) : false;
    }
    if (!user || !valid) {
      if (user || lockoutRules.countUnknownEmails) lockout.recordFailure(email);
      return (lockoutRules.checkBeforePassword ? undefined : lockedOut()) ?? { kind: 'rejected', reason: user ? 'wrong-password' : 'unknown-email' };
    }
    lockout.recordSuccess(email);
    return { kind: 'signed-in', tokens: await this.startFamily(user) };
  }

  async refresh(token: string): Promise<RefreshOutcome> {
    const { store, tokens, clock, refresh } = this.deps;
    const verified = await tokens.verify(token, this.refreshPolicy);
    if (!verified) return rejected('invalid-token');

    if (verified.use === 'access') {
      // Only reachable through the faults that accept access tokens here.
      const user = store.findUserById(verified.claims.sub);
      return user ? { kind: 'refreshed', tokens: await this.startFamily(user) } : rejected('unknown-user');
    }

    const { claims } = verified;
    const record = store.findRefreshToken(claims.jti);
    if (!record || record.user_id !== claims.sub || record.family_id !== claims.fam) return rejected('unknown-token');
    if (record.revoked_at !== null) return rejected('revoked');
    if (refresh.checkExpiry && record.expires_at <= unixSeconds(clock)) return rejected('expired');
    const user = store.findUserById(record.user_id);
    if (!user) return rejected('unknown-user');

    if (refresh.rotation === 'none') {
      const access = await tokens.issueAccessToken(user);
      return { kind: 'refreshed', tokens: pair(user, access, token, record.expires_at) };
    }

    const successor = {
      jti: randomUUID(),
      family_id: record.family_id,
      user_id: user.id,
      expires_at: tokens.refreshExpiryFromNow(),
      parent_jti: record.jti,
    };
    const consumed = await this.consume(record.jti, record.used_at, successor);
    if (!consumed.ok) {
      if (consumed.reused && refresh.revokeOnReuse === 'family') store.revokeFamily(record.family_id, clock());
      if (consumed.reused && refresh.revokeOnReuse === 'user') store.revokeUserRefreshTokens(record.user_id, clock());
      if (consumed.reused && refresh.revokeOnReuse === 'successor') store.revokeChildren(record.jti, clock());
      return rejected(consumed.reused ? 'reused' : 'revoked');
    }
    return { kind: 'refreshed', tokens: await this.issuePair(user, successor) };
  }

  /** Marks the presented refresh token used and stores its successor, as the behaviour says. */
  private async consume(
    jti: string,
    usedAtWhenRead: number | null,
    successor: NewRefreshToken,
  ): Promise<{ ok: true } | { ok: false; reused: boolean }> {
    const { store, clock, refresh } = this.deps;
    switch (refresh.consume) {
      case 'atomic': {
        const result = store.consumeRefreshToken(jti, clock(), successor);
        return result.ok ? result : { ok: false, reused: result.failure === 'already-used' };
      }
      case 'check-then-update': {
        // Deliberately broken (refresh-race fault): the check and the write are separated
        // by an await, so concurrent refreshes all see the token unused.
        if (usedAtWhenRead !== null) return { ok: false, reused: true };
        await sleep(RACE_WINDOW_MS);
        store.transaction(() => {
          store.markRefreshTokenUsed(jti, clock());
          store.addRefreshToken(successor);
        });
        return { ok: true };
      }
      case 'never':
        store.addRefreshToken(successor);
        return { ok: true };
    }
  }

  /** Tokens for a new login: a new refresh-token family. */
  private async startFamily(user: UserRow): Promise<TokenPair> {
    const record = {
      jti: randomUUID(),
      family_id: randomUUID(),
      user_id: user.id,
      expires_at: this.deps.tokens.refreshExpiryFromNow(),
    };
    this.deps.store.addRefreshToken(record);
    return this.issuePair(user, record);
  }

  private async issuePair(
    user: UserRow,
    refreshRecord: { jti: string; family_id: string; expires_at: number },
  ): Promise<TokenPair> {
    const { tokens } = this.deps;
    const access = await tokens.issueAccessToken(user);
    const refreshToken = tokens.handsOutAccessAsRefresh
      ? access.token
      : await tokens.issueRefreshToken({
          userId: user.id,
          jti: refreshRecord.jti,
          familyId: refreshRecord.family_id,
          expiresAt: refreshRecord.expires_at,
        });
    return pair(user, access, refreshToken, refreshRecord.expires_at);
  }
}

const rejected = (reason: RefreshRejection): RefreshOutcome => ({ kind: 'rejected', reason });

function pair(user: UserRow, access: { token: string; expiresAt: number }, refreshToken: string, refreshExpiresAt: number): TokenPair {
  return {
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_at: access.expiresAt,
    refresh_expires_at: refreshExpiresAt,
    user: publicUser(user),
  };
}
