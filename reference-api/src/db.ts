/**
 * The reference API's storage: organizations, users, refresh-token records and failed
 * sign-in attempts, in SQLite through better-sqlite3 (synchronous, so a transaction
 * cannot interleave with another request's). Every statement is prepared once.
 */
import Database from 'better-sqlite3';

export interface OrganizationRow {
  id: string;
  name: string;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  organization_id: string;
  password_hash: string;
}

export interface RefreshTokenRow {
  jti: string;
  family_id: string;
  user_id: string;
  /** Unix seconds, equal to the token's exp claim. */
  expires_at: number;
  /** Unix ms; null while the token has not been exchanged. */
  used_at: number | null;
  /** Unix ms; set when the family was revoked after a reuse. */
  revoked_at: number | null;
  /** The refresh token this one was issued for (rotation); null for the first of a family. */
  parent_jti: string | null;
}

/** What a new refresh-token record states. */
export type NewRefreshToken = Pick<RefreshTokenRow, 'jti' | 'family_id' | 'user_id' | 'expires_at'> & { parent_jti?: string | null };

/** Why a refresh token could not be consumed. */
export type ConsumeFailure = 'unknown' | 'already-used' | 'revoked';

/** The key under which an email is unique and counted for lockout. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS organizations (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    password_hash   TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS refresh_tokens (
    jti        TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens(family_id);
  CREATE TABLE IF NOT EXISTS failed_sign_ins (
    email_key TEXT NOT NULL,
    at_ms     INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS failed_sign_ins_email ON failed_sign_ins(email_key, at_ms);
`;

export class ReferenceStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(path: string) {
    this.db = new Database(path);
    if (path !== ':memory:') {
      this.db.pragma('journal_mode = WAL');
      // With WAL, NORMAL syncs at checkpoints rather than on every commit: a power cut may
      // lose the last sign-ins, never the file, and a commit costs no fsync (which would
      // otherwise add disk latency to every answer of a test double).
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    // Databases created before refresh tokens recorded their parent gain the column.
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(refresh_tokens)').all();
    if (!columns.some((c) => c.name === 'parent_jti')) this.db.exec('ALTER TABLE refresh_tokens ADD COLUMN parent_jti TEXT');
    this.db.exec('CREATE INDEX IF NOT EXISTS refresh_tokens_parent ON refresh_tokens(parent_jti)');
    const db = this.db;
    this.statements = {
      insertOrganization: db.prepare<[string, string]>('INSERT OR IGNORE INTO organizations (id, name) VALUES (?, ?)'),
      organizationById: db.prepare<[string], OrganizationRow>('SELECT id, name FROM organizations WHERE id = ?'),
      organizationByName: db.prepare<[string], OrganizationRow>('SELECT id, name FROM organizations WHERE name = ?'),
      insertUser: db.prepare<[string, string, string, string, string, string]>(
        'INSERT INTO users (id, email, email_key, name, organization_id, password_hash) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      userById: db.prepare<[string], UserRow>(
        'SELECT id, email, name, organization_id, password_hash FROM users WHERE id = ?',
      ),
      userByEmailKey: db.prepare<[string], UserRow>(
        'SELECT id, email, name, organization_id, password_hash FROM users WHERE email_key = ?',
      ),
      userIdExists: db.prepare<[string, string], { found: 1 }>('SELECT 1 AS found FROM users WHERE id = ? OR email_key = ?'),
      anotherUser: db.prepare<[string], UserRow>(
        'SELECT id, email, name, organization_id, password_hash FROM users WHERE id <> ? ORDER BY email_key LIMIT 1',
      ),
      countUsers: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
      insertRefreshToken: db.prepare<[string, string, string, number, string | null]>(
        'INSERT INTO refresh_tokens (jti, family_id, user_id, expires_at, parent_jti) VALUES (?, ?, ?, ?, ?)',
      ),
      refreshTokenByJti: db.prepare<[string], RefreshTokenRow>(
        'SELECT jti, family_id, user_id, expires_at, used_at, revoked_at, parent_jti FROM refresh_tokens WHERE jti = ?',
      ),
      revokeChildren: db.prepare<[number, string]>('UPDATE refresh_tokens SET revoked_at = ? WHERE parent_jti = ? AND revoked_at IS NULL'),
      // The single-use guarantee (RFC 9700 §4.14.2): only an unused, unrevoked row changes.
      markUsedIfUnused: db.prepare<[number, string]>(
        'UPDATE refresh_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL AND revoked_at IS NULL',
      ),
      markUsed: db.prepare<[number, string]>('UPDATE refresh_tokens SET used_at = ? WHERE jti = ?'),
      revokeFamily: db.prepare<[number, string]>(
        'UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL',
      ),
      revokeUser: db.prepare<[number, string]>('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      deleteExpiredRefreshTokens: db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at < ?'),
      deleteFailuresBefore: db.prepare<[number]>('DELETE FROM failed_sign_ins WHERE at_ms <= ?'),
      insertFailure: db.prepare<[string, number]>('INSERT INTO failed_sign_ins (email_key, at_ms) VALUES (?, ?)'),
      failuresSince: db.prepare<[string, number], { at_ms: number }>(
        'SELECT at_ms FROM failed_sign_ins WHERE email_key = ? AND at_ms > ? ORDER BY at_ms',
      ),
      clearFailures: db.prepare<[string]>('DELETE FROM failed_sign_ins WHERE email_key = ?'),
      pruneFailures: db.prepare<[string, number]>('DELETE FROM failed_sign_ins WHERE email_key = ? AND at_ms <= ?'),
    };
  }

  // Organizations

  addOrganization(organization: OrganizationRow): void {
    this.statements.insertOrganization.run(organization.id, organization.name);
  }

  /** By id, or by exact name. */
  findOrganization(idOrName: string): OrganizationRow | undefined {
    return this.statements.organizationById.get(idOrName) ?? this.statements.organizationByName.get(idOrName);
  }

  // Users

  addUser(user: UserRow): void {
    this.statements.insertUser.run(user.id, user.email, emailKey(user.email), user.name, user.organization_id, user.password_hash);
  }

  hasUser(id: string, email: string): boolean {
    return this.statements.userIdExists.get(id, emailKey(email)) !== undefined;
  }

  findUserByEmail(email: string): UserRow | undefined {
    return this.statements.userByEmailKey.get(emailKey(email));
  }

  findUserById(id: string): UserRow | undefined {
    return this.statements.userById.get(id);
  }

  /** Some user other than `id` (used only by the `refresh-wrong-user` fault). */
  findAnotherUser(id: string): UserRow | undefined {
    return this.statements.anotherUser.get(id);
  }

  countUsers(): number {
    return this.statements.countUsers.get()?.n ?? 0;
  }

  /** Runs `work` in one transaction (all or nothing). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // Refresh tokens

  addRefreshToken(record: NewRefreshToken): void {
    this.statements.insertRefreshToken.run(record.jti, record.family_id, record.user_id, record.expires_at, record.parent_jti ?? null);
  }

  findRefreshToken(jti: string): RefreshTokenRow | undefined {
    return this.statements.refreshTokenByJti.get(jti);
  }

  /**
   * Marks `jti` used and records its successor in one transaction. Of any number of
   * concurrent calls with the same jti exactly one returns { ok: true }.
   */
  consumeRefreshToken(
    jti: string,
    atMs: number,
    successor: NewRefreshToken | null,
  ): { ok: true } | { ok: false; failure: ConsumeFailure; familyId?: string } {
    return this.transaction(() => {
      if (this.statements.markUsedIfUnused.run(atMs, jti).changes === 1) {
        if (successor) this.addRefreshToken(successor);
        return { ok: true as const };
      }
      const row = this.findRefreshToken(jti);
      if (!row) return { ok: false as const, failure: 'unknown' as const };
      if (row.revoked_at !== null) return { ok: false as const, failure: 'revoked' as const, familyId: row.family_id };
      return { ok: false as const, failure: 'already-used' as const, familyId: row.family_id };
    });
  }

  /** Marks used without any condition (the non-atomic path of the `refresh-race` fault). */
  markRefreshTokenUsed(jti: string, atMs: number): void {
    this.statements.markUsed.run(atMs, jti);
  }

  revokeFamily(familyId: string, atMs: number): number {
    return this.statements.revokeFamily.run(atMs, familyId).changes;
  }

  /** The tokens issued directly from `jti`, and no further down (the `revocation-one-step` fault). */
  revokeChildren(jti: string, atMs: number): number {
    return this.statements.revokeChildren.run(atMs, jti).changes;
  }

  /** Every refresh token of the user, whatever its family (the `reuse-revokes-all-sessions` variation). */
  revokeUserRefreshTokens(userId: string, atMs: number): number {
    return this.statements.revokeUser.run(atMs, userId).changes;
  }

  /** Housekeeping: drops refresh-token records that expired before `unixSeconds` and failures at or before `failuresUpToMs`. */
  purge(unixSeconds: number, failuresUpToMs: number): { refreshTokens: number; failures: number } {
    return this.transaction(() => ({
      refreshTokens: this.statements.deleteExpiredRefreshTokens.run(unixSeconds).changes,
      failures: this.statements.deleteFailuresBefore.run(failuresUpToMs).changes,
    }));
  }

  // Failed sign-ins (lockout)

  recordFailure(key: string, atMs: number): void {
    this.statements.insertFailure.run(key, atMs);
  }

  /** Failure times (ms, oldest first) strictly after `sinceMs`. */
  failuresSince(key: string, sinceMs: number): number[] {
    return this.statements.failuresSince.all(key, sinceMs).map((row) => row.at_ms);
  }

  pruneFailures(key: string, upToMs: number): void {
    this.statements.pruneFailures.run(key, upToMs);
  }

  clearFailures(key: string): void {
    this.statements.clearFailures.run(key);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
