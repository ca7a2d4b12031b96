import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApiDocument, schemaNames, validate } from '../contracts/index.ts';

const example = JSON.parse(readFileSync(new URL('../contracts/examples/sign-in-response.json', import.meta.url), 'utf8'));

/** A body that satisfies the contract, built from the documented example's values. */
function validBody(): Record<string, any> {
  return {
    ...structuredClone(example),
    access_token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
    refresh_token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2lnMg',
    user: { ...example.user, id: '7c0f1a52-3f7e-4b9b-9f5e-0a6f3c1d2e4b', organization_id: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' },
  };
}

test('the documented example has the shape of a token response', () => {
  assert.deepEqual(validate('TokenResponseShape', example), { ok: true, value: example });
});

test('the documented example is a shape, not an instance: its placeholder ids are not UUIDs', () => {
  const result = validate('TokenResponse', example);
  assert.equal(result.ok, false);
  assert.deepEqual(
    !result.ok && result.violations.map((v) => `${v.path} ${v.rule}`),
    ['$.user.id format', '$.user.organization_id format'],
  );
});

test('a complete body conforms', () => {
  assert.equal(validate('TokenResponse', validBody()).ok, true);
});

test('each documented field is required, and its absence is named by JSON path', () => {
  for (const field of ['access_token', 'refresh_token', 'token_type', 'expires_at', 'refresh_expires_at', 'user']) {
    const body = validBody();
    delete body[field];
    const result = validate('TokenResponse', body);
    assert.equal(result.ok, false, field);
    assert.deepEqual(!result.ok && result.violations[0], { path: `$.${field}`, rule: 'required', message: `must have required property '${field}'` });
  }
  for (const field of ['id', 'email', 'name', 'organization_id']) {
    const body = validBody();
    delete body.user[field];
    const result = validate('TokenResponse', body);
    assert.equal(!result.ok && result.violations[0]?.path, `$.user.${field}`);
  }
});

test('expiry timestamps must be integer seconds: strings, fractions and milliseconds are refused', () => {
  for (const value of ['1770000000', 1770000000.5, 1770000000000]) {
    const result = validate('TokenResponse', { ...validBody(), expires_at: value });
    assert.equal(result.ok, false, String(value));
  }
});

test('token_type "bearer" is compared case-insensitively (RFC 6749 §7.1)', () => {
  for (const tokenType of ['bearer', 'Bearer', 'BEARER']) assert.equal(validate('TokenResponse', { ...validBody(), token_type: tokenType }).ok, true);
  assert.equal(validate('TokenResponse', { ...validBody(), token_type: 'mac' }).ok, false);
});

test('additional non-sensitive fields are allowed (additive changes do not break clients)', () => {
  const body = { ...validBody(), scope: 'chat', user: { ...validBody().user, avatar_url: 'https://example.com/a.png' } };
  assert.equal(validate('TokenResponse', body).ok, true);
});

test('fields whose names expose secrets are a defect, wherever they appear', () => {
  for (const name of ['password', 'password_hash', 'passwordHash', 'client_secret', 'salt', 'private_key']) {
    const top = validate('TokenResponse', { ...validBody(), [name]: 'x' });
    assert.deepEqual(!top.ok && top.violations.map((v) => [v.path, v.rule]), [[`$.${name}`, 'no-sensitive-fields']], name);
    const nested = validate('TokenResponse', { ...validBody(), user: { ...validBody().user, [name]: 'x' } });
    assert.equal(nested.ok, false, `user.${name}`);
  }
});

test('the OpenAPI document describes the three endpoints with every schema as a component', () => {
  assert.equal(openApiDocument.openapi, '3.1.0');
  assert.deepEqual(Object.keys(openApiDocument.paths ?? {}).sort(), ['/auth/refresh-token', '/auth/sign-in', '/chat']);
  assert.deepEqual(Object.keys(openApiDocument.components?.schemas ?? {}).sort(), [...schemaNames].sort());
});

test("user.email is address-shaped, not held to ajv's ASCII dotted-domain format", () => {
  for (const email of ['qa@localhost', 'jörg@exämple.de', 'First.Last+tag@example.co.uk']) {
    assert.equal(validate('TokenResponse', { ...validBody(), user: { ...validBody().user, email } }).ok, true, email);
  }
  for (const email of ['', 'no-at-sign', 'two@@example.test', 'spa ce@example.test', '@example.test']) {
    const result = validate('TokenResponse', { ...validBody(), user: { ...validBody().user, email } });
    assert.deepEqual(!result.ok && result.violations.map((v) => `${v.path} ${v.rule}`), ['$.user.email pattern'], email);
  }
});

test('a secret-named member is a defect at any depth, named by its JSON path', () => {
  const body = { ...validBody(), meta: { items: [{ client_secret: 'x' }] }, user: { ...validBody().user, credentials: { Password_Hash: 'scrypt$…' } } };
  const result = validate('TokenResponse', body);
  assert.deepEqual(
    !result.ok && result.violations.map((v) => `${v.path} ${v.rule}`),
    ['$.user.credentials.Password_Hash no-sensitive-fields', '$.meta.items[0].client_secret no-sensitive-fields'],
  );
});
