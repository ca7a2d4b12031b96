import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { validate } from '../contracts/index.ts';
import { ACCESS_AUDIENCE, ISSUER, REFRESH_AUDIENCE } from '../reference-api/src/tokens.ts';
import { MAIN, MEMBER, jwtPart, testApp, type TokenBody } from '../reference-api/testing/harness.ts';

test('sign-in returns a TokenResponse that fits the contract', async (t) => {
  const api = await testApp(t);
  const res = await api.signIn();
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const result = validate('TokenResponse', res.json());
  assert.ok(result.ok, JSON.stringify(!result.ok && result.violations));
  const body = res.json<TokenBody>();
  assert.equal(body.token_type, 'bearer');
  assert.deepEqual(body.user, { id: MAIN.id, email: MAIN.email, name: MAIN.name, organization_id: MAIN.organization_id });
  const now = Math.floor(api.clock.now() / 1000);
  assert.equal(body.expires_at, now + 900);
  assert.equal(body.refresh_expires_at, now + 604800);
});

test('token responses are not cacheable (RFC 6749 §5.1)', async (t) => {
  const api = await testApp(t);
  const signIn = await api.signIn();
  assert.equal(signIn.headers['cache-control'], 'no-store');
  assert.equal(signIn.headers.pragma, 'no-cache');
  const refresh = await api.refresh(signIn.json<TokenBody>().refresh_token);
  assert.equal(refresh.statusCode, 200);
  assert.equal(refresh.headers['cache-control'], 'no-store');
  assert.equal(refresh.headers.pragma, 'no-cache');
});

test('tokens verify against the published JWKS, with the documented claims', async (t) => {
  const api = await testApp(t);
  const body = await api.tokens();
  const jwks = (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0]?.alg, 'ES256');
  assert.equal(jwks.keys[0]?.d, undefined, 'no private part in the JWKS');
  const keys = createLocalJWKSet(jwks);
  const currentDate = new Date(api.clock.now());

  const access = await jwtVerify(body.access_token, keys, { issuer: ISSUER, audience: ACCESS_AUDIENCE, currentDate });
  assert.equal(access.protectedHeader.alg, 'ES256');
  assert.equal(access.protectedHeader.typ, 'at+jwt');
  assert.equal(access.payload.sub, MAIN.id);
  assert.equal(access.payload.org, MAIN.organization_id);
  assert.equal(access.payload.token_use, 'access');
  assert.equal(access.payload.exp, body.expires_at);
  assert.equal(access.payload.iat, Math.floor(api.clock.now() / 1000));
  assert.equal(typeof access.payload.jti, 'string');

  const refresh = await jwtVerify(body.refresh_token, keys, { issuer: ISSUER, audience: REFRESH_AUDIENCE, currentDate });
  assert.equal(refresh.protectedHeader.typ, 'JWT');
  assert.equal(refresh.payload.sub, MAIN.id);
  assert.equal(refresh.payload.token_use, 'refresh');
  assert.equal(refresh.payload.exp, body.refresh_expires_at);
  assert.equal(typeof refresh.payload.fam, 'string');
});

test('users of the second organization sign in with their organization', async (t) => {
  const api = await testApp(t);
  const res = await api.signIn(MEMBER.email, MEMBER.password);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json<TokenBody>().user.organization_id, MEMBER.organization_id);
  assert.notEqual(MEMBER.organization_id, MAIN.organization_id);
});

test('email lookup is case-insensitive', async (t) => {
  const api = await testApp(t);
  const res = await api.signIn(MAIN.email.toUpperCase(), MAIN.password);
  assert.equal(res.statusCode, 200);
});

test('unknown email and wrong password get the same 401, status and body', async (t) => {
  const api = await testApp(t);
  const wrong = await api.signIn(MAIN.email, `${MAIN.password}x`);
  const unknown = await api.signIn('nobody@puppilot.test', MAIN.password);
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  assert.equal(wrong.body, unknown.body);
  assert.deepEqual(wrong.json(), { detail: 'Incorrect email or password' });
  assert.equal(wrong.headers['content-type'], unknown.headers['content-type']);
  assert.ok(validate('ErrorBody', wrong.json()).ok);
});

test('an unknown email costs a password hash, like a wrong password', async (t) => {
  // Timing is measured by the contract suite; here the mechanism is counted, not timed:
  // each answer derives exactly one key, at the configured cost, whether the email exists.
  const api = await testApp(t);
  const N = 2 ** api.config.passwordHashCost;
  const derivationsOf = async (email: string, password: string) => {
    const before = api.derivations.length;
    assert.equal((await api.signIn(email, password)).statusCode, 401);
    return api.derivations.slice(before);
  };
  assert.deepEqual(await derivationsOf('nobody@puppilot.test', 'whatever-password'), [N], 'unknown email');
  assert.deepEqual(await derivationsOf(MAIN.email, 'whatever-password'), [N], 'wrong password');
});

const VALIDATION_CASES: Array<{ name: string; payload: string; headers?: Record<string, string>; loc: unknown[]; type: string }> = [
  { name: 'invalid JSON', payload: '{"email": "a@b.c", ', loc: ['body'], type: 'json_invalid' },
  { name: 'empty body', payload: '', loc: ['body'], type: 'missing' },
  { name: 'text/plain', payload: '{"email":"a@b.c","password":"x"}', headers: { 'content-type': 'text/plain' }, loc: ['header', 'content-type'], type: 'content_type' },
  { name: 'form encoded', payload: 'email=a@b.c&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, loc: ['header', 'content-type'], type: 'content_type' },
  { name: 'missing password', payload: '{"email":"a@b.c"}', loc: ['body', 'password'], type: 'missing' },
  { name: 'missing email', payload: '{"password":"x"}', loc: ['body', 'email'], type: 'missing' },
  { name: 'email not a string', payload: '{"email":42,"password":"x"}', loc: ['body', 'email'], type: 'string_type' },
  { name: 'password null', payload: '{"email":"a@b.c","password":null}', loc: ['body', 'password'], type: 'string_type' },
  { name: 'not an email', payload: '{"email":"not-an-email","password":"x"}', loc: ['body', 'email'], type: 'value_error' },
  { name: 'an array', payload: '[]', loc: ['body'], type: 'model_attributes_type' },
  { name: 'a bare string', payload: '"hello"', loc: ['body'], type: 'model_attributes_type' },
];

for (const c of VALIDATION_CASES) {
  test(`sign-in with ${c.name} → 422 FastAPI-style`, async (t) => {
    const api = await testApp(t);
    const res = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { 'content-type': 'application/json', ...c.headers },
      payload: c.payload,
    });
    assert.equal(res.statusCode, 422);
    const body = res.json<{ detail: Array<{ loc: unknown[]; msg: string; type: string }> }>();
    assert.ok(validate('ErrorBody', body).ok);
    assert.ok(
      body.detail.some((d) => JSON.stringify(d.loc) === JSON.stringify(c.loc) && d.type === c.type),
      JSON.stringify(body),
    );
  });
}

test('a body without Content-Type → 422', async (t) => {
  const api = await testApp(t);
  const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', payload: Buffer.from('{"email":"a@b.c","password":"x"}') });
  assert.equal(res.statusCode, 422);
});

test('a malformed Content-Type → 422, not 415 or 5xx', async (t) => {
  const api = await testApp(t);
  const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', headers: { 'content-type': '/;;;' }, payload: '{}' });
  assert.equal(res.statusCode, 422);
});

test('validation errors never echo the submitted password', async (t) => {
  const api = await testApp(t);
  const res = await api.post('/auth/sign-in', { email: 'not-an-email', password: 'Secret-Value-123' });
  assert.equal(res.statusCode, 422);
  assert.doesNotMatch(res.body, /Secret-Value-123/);
});

test('a body over the limit → 413', async (t) => {
  const api = await testApp(t, { REFERENCE_BODY_LIMIT: '2048' });
  const res = await api.post('/auth/sign-in', { email: MAIN.email, password: 'x'.repeat(4096) });
  assert.equal(res.statusCode, 413);
  assert.ok(validate('ErrorBody', res.json()).ok);
});

for (const path of ['/auth/sign-in', '/auth/refresh-token', '/chat']) {
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const) {
    test(`${method} ${path} → 405 with Allow: POST`, async (t) => {
      const api = await testApp(t);
      const res = await api.app.inject({ method, url: path, ...(method === 'PUT' ? { payload: 'x', headers: { 'content-type': 'text/plain' } } : {}) });
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers.allow, 'POST');
    });
  }
}

test('unknown paths → 404 {"detail":"Not Found"}', async (t) => {
  const api = await testApp(t);
  for (const url of ['/', '/auth', '/auth/sign-in/', '/AUTH/SIGN-IN', '/auth/sign-up']) {
    const res = await api.app.inject({ method: 'POST', url, payload: {} });
    assert.equal(res.statusCode, 404, url);
    assert.deepEqual(res.json(), { detail: 'Not Found' });
  }
});

test('the health and JWKS paths answer 405 to POST', async (t) => {
  const api = await testApp(t);
  const res = await api.app.inject({ method: 'POST', url: '/.well-known/jwks.json', payload: {} });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers.allow, 'GET, HEAD');
  assert.equal((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('hostile inputs never produce a 5xx', async (t) => {
  const api = await testApp(t);
  const payloads = [
    '{"email":"a@b.c","password":"x","__proto__":{"admin":true}}',
    '{"email":"a@b.c","password":"' + '\\u0000'.repeat(10) + '"}',
    '{"email":"' + 'a'.repeat(400) + '@b.c","password":"x"}',
    '{"email":"a@b.c","password":"' + 'p'.repeat(2000) + '"}',
    '\u0000\u0001\u0002',
    'null',
    '{"email":["a@b.c"],"password":{"$ne":null}}',
    '{"email":"a@b.c","password":"x"}{"again":1}',
  ];
  for (const payload of payloads) {
    const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', headers: { 'content-type': 'application/json' }, payload });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} for ${payload.slice(0, 40)}`);
  }
  const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in', headers: { 'content-type': 'application/json', 'content-length': 'abc' }, payload: '{}' });
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, String(res.statusCode));
});

test('the signed access token carries no password or hash', async (t) => {
  const api = await testApp(t);
  const body = await api.tokens();
  for (const token of [body.access_token, body.refresh_token]) {
    const claims = JSON.stringify(jwtPart(token, 1));
    assert.doesNotMatch(claims, /password|hash|scrypt/i);
  }
});

test('a URL that does not decode → 400 without quoting it back', async (t) => {
  const api = await testApp(t, { REFERENCE_LOG: 'requests' });
  const res = await api.app.inject({ method: 'POST', url: '/auth/sign-in%zz-secret', payload: {} });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.json(), { detail: 'Bad Request' });
});
