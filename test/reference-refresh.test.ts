import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate } from '../contracts/index.ts';
import { MAIN, jwtPart, tamper, testApp, withClaims, type TokenBody } from '../reference-api/testing/harness.ts';

test('refresh rotates: new access and refresh tokens in the same family', async (t) => {
  const api = await testApp(t);
  const first = await api.tokens();
  api.clock.advanceSeconds(60);
  const res = await api.refresh(first.refresh_token);
  assert.equal(res.statusCode, 200);
  assert.ok(validate('TokenResponse', res.json()).ok);
  const second = res.json<TokenBody>();
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  assert.equal(jwtPart(second.refresh_token, 1).fam, jwtPart(first.refresh_token, 1).fam);
  assert.equal(second.expires_at, first.expires_at + 60);
  assert.equal(second.user.id, MAIN.id);
  // The successor works in turn.
  assert.equal((await api.refresh(second.refresh_token)).statusCode, 200);
});

test('a reused refresh token is rejected and revokes its family (RFC 9700 §4.14.2)', async (t) => {
  const api = await testApp(t);
  const first = await api.tokens();
  const second = (await api.refresh(first.refresh_token)).json<TokenBody>();
  const replay = await api.refresh(first.refresh_token);
  assert.equal(replay.statusCode, 401);
  assert.ok(validate('ErrorBody', replay.json()).ok);
  assert.equal((await api.refresh(second.refresh_token)).statusCode, 401, 'the successor is revoked too');
  // A new sign-in starts a new, healthy family.
  const fresh = await api.tokens();
  assert.equal((await api.refresh(fresh.refresh_token)).statusCode, 200);
});

test('of 5 concurrent refreshes with one token exactly one succeeds', async (t) => {
  const api = await testApp(t);
  const { refresh_token } = await api.tokens();
  const results = await Promise.all(Array.from({ length: 5 }, () => api.refresh(refresh_token)));
  const statuses = results.map((r) => r.statusCode).sort();
  assert.deepEqual(statuses, [200, 401, 401, 401, 401]);
});

test('an access token is not accepted as a refresh token', async (t) => {
  const api = await testApp(t);
  const { access_token } = await api.tokens();
  assert.equal((await api.refresh(access_token)).statusCode, 401);
});

test('an expired refresh token is rejected (frozen clock)', async (t) => {
  const api = await testApp(t, { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' });
  const body = await api.tokens();
  api.clock.advanceSeconds(119);
  const stillValid = await api.refresh(body.refresh_token);
  assert.equal(stillValid.statusCode, 200);
  // The successor expires 120 s after its own issue; step to exactly its exp.
  api.clock.advanceSeconds(120);
  assert.equal((await api.refresh(stillValid.json<TokenBody>().refresh_token)).statusCode, 401);
});

test('tampered, truncated, re-signed-claims and garbage tokens → 401', async (t) => {
  const api = await testApp(t);
  const { refresh_token } = await api.tokens();
  const claims = jwtPart(refresh_token, 1);
  const candidates = [
    tamper(refresh_token),
    refresh_token.slice(0, -5),
    refresh_token.split('.').slice(0, 2).join('.'),
    `${refresh_token.split('.').slice(0, 2).join('.')}.`,
    withClaims(refresh_token, { ...claims, exp: Number(claims.exp) + 3600 }),
    withClaims(refresh_token, { ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
    'not-a-jwt',
    'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'a.b.c',
  ];
  for (const token of candidates) {
    const res = await api.refresh(token);
    assert.equal(res.statusCode, 401, token.slice(0, 30));
  }
  // None of those attempts consumed the real token.
  assert.equal((await api.refresh(refresh_token)).statusCode, 200);
});

test('a refresh token with alg none is rejected', async (t) => {
  const api = await testApp(t);
  const { refresh_token } = await api.tokens();
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const unsigned = `${header}.${refresh_token.split('.')[1]}.`;
  assert.equal((await api.refresh(unsigned)).statusCode, 401);
});

test('invalid or missing refresh bodies → 422', async (t) => {
  const api = await testApp(t);
  for (const payload of ['{}', '{"token": 5}', '{"token": ""}', '{"refresh_token": "x"}', '{', '']) {
    const res = await api.post('/auth/refresh-token', payload);
    assert.equal(res.statusCode, 422, payload);
  }
});

test('the Authorization header is optional and ignored on refresh', async (t) => {
  const api = await testApp(t);
  const { refresh_token } = await api.tokens();
  const res = await api.post('/auth/refresh-token', { token: refresh_token }, { authorization: 'Bearer garbage' });
  assert.equal(res.statusCode, 200);
});

test('refresh keeps working after the access token has expired', async (t) => {
  const api = await testApp(t, { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600' });
  const body = await api.tokens();
  api.clock.advanceSeconds(61);
  assert.equal((await api.chat(`Bearer ${body.access_token}`)).statusCode, 401);
  const refreshed = await api.refresh(body.refresh_token);
  assert.equal(refreshed.statusCode, 200);
  assert.equal((await api.chat(`Bearer ${refreshed.json<TokenBody>().access_token}`)).statusCode, 200);
});
