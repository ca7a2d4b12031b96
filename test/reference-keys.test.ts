import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { ConfigError } from '../lib/errors.ts';
import { buildApp } from '../reference-api/src/app.ts';
import { loadConfig } from '../reference-api/src/config.ts';
import { testApp, TEST_ENV } from '../reference-api/testing/harness.ts';

function pemFile(t: import('node:test').TestContext, type: 'ec' | 'rsa'): string {
  const dir = mkdtempSync(join(tmpdir(), 'reference-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(dir, 'key.pem');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return file;
}

test('REFERENCE_JWT_PRIVATE_KEY: tokens are signed with the key from the file, the same kid across restarts', async (t) => {
  const file = pemFile(t, 'ec');
  const first = await testApp(t, { REFERENCE_JWT_PRIVATE_KEY: file });
  const second = await testApp(t, { REFERENCE_JWT_PRIVATE_KEY: file });
  const jwks = async (api: typeof first) => (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
  const [a, b] = [await jwks(first), await jwks(second)];
  assert.equal(a.keys[0]?.kid, b.keys[0]?.kid);
  // A token from the first instance verifies with the second's JWKS.
  const { access_token } = await first.tokens();
  await jwtVerify(access_token, createLocalJWKSet(b), { currentDate: new Date(first.clock.now()) });
});

test('REFERENCE_JWT_PRIVATE_KEY with an RSA key is a ConfigError naming the variable', async (t) => {
  const config = loadConfig({ ...TEST_ENV, REFERENCE_JWT_PRIVATE_KEY: pemFile(t, 'rsa') });
  await assert.rejects(buildApp({ config }), (error: unknown) => error instanceof ConfigError && error.variable === 'REFERENCE_JWT_PRIVATE_KEY');
});

test('REFERENCE_JWT_PRIVATE_KEY with a file that is no PEM is a ConfigError', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reference-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'key.pem');
  writeFileSync(file, 'not a key');
  const config = loadConfig({ ...TEST_ENV, REFERENCE_JWT_PRIVATE_KEY: file });
  await assert.rejects(buildApp({ config }), (error: unknown) => error instanceof ConfigError && !error.message.includes('not a key'));
});

test('each start without a key file has its own key', async (t) => {
  const [a, b] = [await testApp(t), await testApp(t)];
  const kid = async (api: typeof a) =>
    (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>().keys[0]?.kid;
  assert.notEqual(await kid(a), await kid(b));
});
