import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SEED_PATH } from '../reference-api/src/config.ts';
import { ReferenceStore } from '../reference-api/src/db.ts';
import { writeSeededDatabase } from '../reference-api/src/seed.ts';
import { MAIN, testApp } from '../reference-api/testing/harness.ts';

const ORG = { id: '11111111-1111-4111-8111-111111111111', name: 'Org' };
const USER = { id: '22222222-2222-4222-8222-222222222222', email: 'Someone@Example.test', name: 'S', organization_id: ORG.id, password_hash: 'scrypt$x' };

function store(): ReferenceStore {
  const s = new ReferenceStore(':memory:');
  s.addOrganization(ORG);
  s.addUser(USER);
  return s;
}

test('emails are unique and found case-insensitively', () => {
  const s = store();
  assert.equal(s.findUserByEmail('someone@example.TEST')?.id, USER.id);
  assert.throws(() => s.addUser({ ...USER, id: '33333333-3333-4333-8333-333333333333', email: 'SOMEONE@example.test' }), /UNIQUE/);
  s.close();
});

test('consumeRefreshToken: one winner, then already-used, then revoked after family revocation', () => {
  const s = store();
  const record = { jti: 'a', family_id: 'f', user_id: USER.id, expires_at: 2_000_000_000 };
  s.addRefreshToken(record);
  assert.deepEqual(s.consumeRefreshToken('a', 1, { ...record, jti: 'b' }), { ok: true });
  assert.deepEqual(s.consumeRefreshToken('a', 2, { ...record, jti: 'c' }), { ok: false, failure: 'already-used', familyId: 'f' });
  assert.equal(s.findRefreshToken('c'), undefined, 'a failed consume stores no successor');
  assert.equal(s.revokeFamily('f', 3), 2);
  assert.deepEqual(s.consumeRefreshToken('b', 4, null), { ok: false, failure: 'revoked', familyId: 'f' });
  assert.deepEqual(s.consumeRefreshToken('zzz', 4, null), { ok: false, failure: 'unknown' });
  s.close();
});

test("revokeUserRefreshTokens revokes every family of that user and no one else's", () => {
  const s = store();
  const other = { ...USER, id: '44444444-4444-4444-8444-444444444444', email: 'other@example.test' };
  s.addUser(other);
  s.addRefreshToken({ jti: 'a', family_id: 'f1', user_id: USER.id, expires_at: 2_000_000_000 });
  s.addRefreshToken({ jti: 'b', family_id: 'f2', user_id: USER.id, expires_at: 2_000_000_000 });
  s.addRefreshToken({ jti: 'c', family_id: 'f3', user_id: other.id, expires_at: 2_000_000_000 });
  assert.equal(s.revokeUserRefreshTokens(USER.id, 5), 2);
  assert.equal(s.findRefreshToken('b')?.revoked_at, 5);
  assert.equal(s.findRefreshToken('c')?.revoked_at, null);
  s.close();
});

test('purge drops expired refresh tokens and old failures only', () => {
  const s = store();
  s.addRefreshToken({ jti: 'old', family_id: 'f', user_id: USER.id, expires_at: 100 });
  s.addRefreshToken({ jti: 'new', family_id: 'f', user_id: USER.id, expires_at: 300 });
  s.recordFailure('k', 1000);
  s.recordFailure('k', 5000);
  assert.deepEqual(s.purge(200, 2000), { refreshTokens: 1, failures: 1 });
  assert.equal(s.findRefreshToken('old'), undefined);
  assert.ok(s.findRefreshToken('new'));
  assert.deepEqual(s.failuresSince('k', 0), [5000]);
  s.close();
});

test('a file database keeps refresh-token state across restarts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reference-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
  // The same signing key in both instances, so only the database can tell the replay.
  const env = { REFERENCE_DB: join(dir, 'ref.db'), REFERENCE_JWT_PRIVATE_KEY: key };
  const first = await testApp(t, env);
  const { refresh_token } = await first.tokens();
  const successor = (await first.refresh(refresh_token)).json<{ refresh_token: string }>().refresh_token;
  await first.app.close();

  const second = await testApp(t, env);
  assert.equal((await second.signIn()).json<{ user: { id: string } }>().user.id, MAIN.id, 'seed applied once, users kept');
  assert.equal((await second.refresh(refresh_token)).statusCode, 401, 'the replay is detected after the restart');
  assert.equal((await second.refresh(successor)).statusCode, 401, 'and the family revoked');
});

test('a template database from writeSeededDatabase starts an instance that hashes nothing but its dummy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reference-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const template = join(dir, 'template.db');
  await writeSeededDatabase(template, DEFAULT_SEED_PATH, 10);
  // A copy per instance, as the self-check makes them: the template itself stays as written.
  copyFileSync(template, join(dir, 'copy.db'));
  const api = await testApp(t, { REFERENCE_DB: join(dir, 'copy.db'), PASSWORD_HASH_COST: '10' });
  assert.deepEqual(api.derivations, [2 ** 10], 'start-up derived one key (the dummy hash), not one per seeded user');
  assert.equal((await api.signIn()).statusCode, 200, 'a seeded user signs in with the password hashed into the template');
  assert.equal((await api.signIn(MAIN.email, 'not-the-password')).statusCode, 401);
});
