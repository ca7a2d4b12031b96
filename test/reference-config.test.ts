import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../lib/errors.ts';
import { DEFAULT_SEED_PATH, loadConfig } from '../reference-api/src/config.ts';

test('defaults', () => {
  const config = loadConfig({});
  assert.deepEqual(config, {
    host: '127.0.0.1',
    port: 8787,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 604800,
    ttlsSetExplicitly: false,
    lockoutThreshold: 5,
    lockoutWindowSeconds: 900,
    passwordHashCost: 17,
    databasePath: ':memory:',
    seedPath: DEFAULT_SEED_PATH,
    requestLog: 'requests',
    fault: null,
    bodyLimitBytes: 65536,
    jwtPrivateKeyPath: null,
  });
});

test('valid overrides', () => {
  const config = loadConfig({
    REFERENCE_PORT: '0',
    REFERENCE_HOST: '::1',
    ACCESS_TOKEN_TTL: '2',
    REFRESH_TOKEN_TTL: '5',
    PASSWORD_HASH_COST: '10',
    REFERENCE_SEED: 'none',
    REFERENCE_LOG: 'off',
    REFERENCE_FAULT: 'no-lockout',
  });
  assert.equal(config.port, 0);
  assert.equal(config.host, '::1');
  assert.equal(config.ttlsSetExplicitly, true);
  assert.equal(config.seedPath, null);
  assert.equal(config.fault, 'no-lockout');
});

const BAD: Array<[variable: string, env: Record<string, string>]> = [
  ['REFERENCE_HOST', { REFERENCE_HOST: 'not a host!' }],
  ['REFERENCE_PORT', { REFERENCE_PORT: '65536' }],
  ['REFERENCE_PORT', { REFERENCE_PORT: 'http' }],
  ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '0' }],
  ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '1.5' }],
  ['REFRESH_TOKEN_TTL', { REFRESH_TOKEN_TTL: '-3' }],
  ['REFRESH_TOKEN_TTL', { ACCESS_TOKEN_TTL: '600', REFRESH_TOKEN_TTL: '600' }],
  ['LOCKOUT_THRESHOLD', { LOCKOUT_THRESHOLD: '0' }],
  ['LOCKOUT_WINDOW', { LOCKOUT_WINDOW: 'ten' }],
  ['PASSWORD_HASH_COST', { PASSWORD_HASH_COST: '9' }],
  ['PASSWORD_HASH_COST', { PASSWORD_HASH_COST: '21' }],
  ['REFERENCE_DB', { REFERENCE_DB: '/no/such/dir/ref.db' }],
  ['REFERENCE_DB', { REFERENCE_DB: '/tmp' }],
  ['REFERENCE_SEED', { REFERENCE_SEED: '/no/such/seed.json' }],
  ['REFERENCE_LOG', { REFERENCE_LOG: 'verbose' }],
  ['REFERENCE_FAULT', { REFERENCE_FAULT: 'no-such-fault' }],
  ['REFERENCE_BODY_LIMIT', { REFERENCE_BODY_LIMIT: '10' }],
  ['REFERENCE_JWT_PRIVATE_KEY', { REFERENCE_JWT_PRIVATE_KEY: '/no/such/key.pem' }],
];

for (const [variable, env] of BAD) {
  test(`a bad ${variable} (${JSON.stringify(env)}) is a ConfigError naming it`, () => {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, new RegExp(`^${variable}: `));
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  });
}
