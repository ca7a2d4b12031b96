import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loadSuiteConfig, PROJECT_ROOT, type Env } from '../lib/config.ts';
import { ConfigError } from '../lib/errors.ts';

const external: Env = { BASE_URL: 'https://staging.example.test', TEST_USER_EMAIL: 'qa@example.test', TEST_USER_PASSWORD: 'pw-from-env' };

function configErrorOf(env: Env): ConfigError {
  try {
    loadSuiteConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

test('no BASE_URL: the embedded reference API with its seeded accounts', () => {
  const config = loadSuiteConfig({});
  assert.equal(config.targetKind, 'embedded');
  assert.equal(config.baseUrl, 'http://127.0.0.1:8787');
  assert.equal(config.expiryBaseUrl, 'http://127.0.0.1:8788');
  assert.match(config.user.email, /^test@/);
  assert.notEqual(config.probeUser.email, config.user.email);
  assert.match(config.reuseUser.email, /^reuse@/);
  assert.ok(config.lockoutEmail);
  assert.ok(config.lockoutPassword);
  assert.equal(config.capabilities.expiryWait, true);
  assert.equal(config.capabilities.signatureVerification, true);
  assert.equal(config.capabilities.algorithmConfusion, true, 'the embedded JWKS gives the public key');
});

test('another target is one BASE_URL and credentials away', () => {
  const config = loadSuiteConfig({ ...external, BASE_URL: 'https://staging.example.test/api/' });
  assert.equal(config.targetKind, 'external');
  assert.equal(config.baseUrl, 'https://staging.example.test/api');
  assert.equal(config.expiryBaseUrl, config.baseUrl);
  assert.deepEqual(config.user, { email: 'qa@example.test', password: 'pw-from-env' });
  assert.deepEqual(config.probeUser, config.user, 'without a probe account, probes go to the main account');
  assert.deepEqual(config.reuseUser, config.user, 'without a reuse account, replays happen on the main account');
  assert.equal(config.lockoutEmail, undefined);
  assert.equal(config.capabilities.expiryWait, false, 'waiting for real expiry is opt-in on other targets');
  assert.equal(config.capabilities.signatureVerification, false);
  assert.equal(config.capabilities.algorithmConfusion, false, 'no public key, no algorithm-confusion check');
});

test('the algorithm-confusion check needs a public key, not an HMAC secret', () => {
  const at = { ...external, BASE_URL: 'https://staging.example.test' };
  assert.equal(loadSuiteConfig({ ...at, JWT_VERIFY_KEY: 'an-hmac-secret' }).capabilities.algorithmConfusion, false);
  assert.equal(loadSuiteConfig({ ...at, JWT_JWKS_URL: 'https://staging.example.test/jwks' }).capabilities.algorithmConfusion, true);
  assert.equal(
    loadSuiteConfig({ ...at, JWT_VERIFY_KEY: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }).capabilities.algorithmConfusion,
    true,
  );
  assert.throws(() => loadSuiteConfig({ ...at, CAP_ALG_CONFUSION: 'true' }), /CAP_ALG_CONFUSION/);
  assert.equal(loadSuiteConfig({ ...at, JWT_JWKS_URL: 'https://staging.example.test/jwks', CAP_ALG_CONFUSION: 'false' }).capabilities.algorithmConfusion, false);
});

test('defaults follow contracts/CONTRACT.md', () => {
  const config = loadSuiteConfig(external);
  assert.deepEqual(config.paths, { signIn: '/auth/sign-in', refresh: '/auth/refresh-token', protected: '/chat' });
  assert.equal(config.apiVersion, '0.2.0');
  assert.deepEqual(config.ttl, { accessMin: 60, accessMax: 86_400, refreshMax: 7_776_000 });
  assert.ok(!config.jwt.algorithms.includes('none'));
  assert.deepEqual(config.enumerationIgnoreHeaders, []);
  assert.equal(config.timing.falseAlarmRate, 0.01);
  assert.ok(config.timing.minSamples <= config.timing.maxSamples);
});

test('ENUMERATION_IGNORE_HEADERS: a comma-separated list of header names, in lower case', () => {
  const config = loadSuiteConfig({ ...external, ENUMERATION_IGNORE_HEADERS: ' X-Edge-Id, x-served-by ,' });
  assert.deepEqual(config.enumerationIgnoreHeaders, ['x-edge-id', 'x-served-by']);
});

// Each bad value names its variable in one line.
const badValues: Array<[string, Env]> = [
  ['BASE_URL', { ...external, BASE_URL: 'not a url' }],
  ['BASE_URL', { ...external, BASE_URL: 'ftp://example.test' }],
  ['BASE_URL', { ...external, BASE_URL: 'https://user:pw@example.test' }],
  ['TEST_USER_EMAIL', { BASE_URL: 'https://staging.example.test' }],
  ['TEST_USER_EMAIL', { ...external, TEST_USER_EMAIL: 'no-at-sign' }],
  ['TEST_USER_PASSWORD', { ...external, TEST_USER_PASSWORD: '' }],
  ['PROBE_USER_PASSWORD', { ...external, PROBE_USER_EMAIL: 'probe@example.test' }],
  ['REUSE_USER_EMAIL', { ...external, REUSE_USER_PASSWORD: 'pw-from-env' }],
  ['LOCKOUT_USER_PASSWORD', { ...external, LOCKOUT_USER_PASSWORD: 'pw-from-env' }],
  ['REUSE_USER_EMAIL', { ...external, REUSE_USER_EMAIL: 'reuse', REUSE_USER_PASSWORD: 'pw-from-env' }],
  ['LOCKOUT_USER_EMAIL', { ...external, LOCKOUT_USER_EMAIL: 'qa@example.test' }],
  ['LOCKOUT_USER_EMAIL', { ...external, REUSE_USER_EMAIL: 'reuse@example.test', REUSE_USER_PASSWORD: 'pw-from-env', LOCKOUT_USER_EMAIL: 'Reuse@example.test' }],
  ['SIGN_IN_PATH', { ...external, SIGN_IN_PATH: 'auth/sign-in' }],
  ['REFRESH_PATH', { ...external, REFRESH_PATH: '/auth/refresh token' }],
  ['PROTECTED_PATH', { ...external, PROTECTED_PATH: 'chat' }],
  ['CAP_ROTATION', { ...external, CAP_ROTATION: 'maybe' }],
  ['CAP_FAMILY_REVOCATION', { ...external, CAP_ROTATION: 'false' }],
  ['CAP_LOCKOUT', { ...external, CAP_LOCKOUT: '2' }],
  ['CAP_EXPIRY_WAIT', { ...external, CAP_EXPIRY_WAIT: 'sometimes' }],
  ['CAP_SIGNATURE_VERIFICATION', { ...external, CAP_SIGNATURE_VERIFICATION: 'true' }],
  ['JWT_JWKS_URL', { ...external, JWT_JWKS_URL: 'jwks' }],
  ['JWT_ALGORITHMS', { ...external, JWT_ALGORITHMS: 'RS256,XS999' }],
  ['JWT_ALGORITHMS', { ...external, JWT_ALGORITHMS: 'none' }],
  ['ACCESS_TTL_MIN', { ...external, ACCESS_TTL_MIN: '-1' }],
  ['ACCESS_TTL_MIN', { ...external, ACCESS_TTL_MIN: '90000' }],
  ['ACCESS_TTL_MAX', { ...external, ACCESS_TTL_MAX: '1.5' }],
  ['REFRESH_TTL_MAX', { ...external, REFRESH_TTL_MAX: '30' }],
  ['CLOCK_SKEW_SECONDS', { ...external, CLOCK_SKEW_SECONDS: 'five' }],
  ['TIMING_SAMPLES', { ...external, TIMING_SAMPLES: '2' }],
  ['TIMING_SAMPLES', { ...external, TIMING_MIN_SAMPLES: '20', TIMING_SAMPLES: '10' }],
  ['TIMING_MIN_SAMPLES', { ...external, TIMING_MIN_SAMPLES: '4' }],
  ['TIMING_FALSE_ALARM_RATE', { ...external, TIMING_FALSE_ALARM_RATE: '0.5' }],
  ['TIMING_MARGIN_MS', { ...external, TIMING_MARGIN_MS: 'x' }],
  ['TIMING_GOAL_RATIO', { ...external, TIMING_GOAL_RATIO: '-0.1' }],
  ['ENUMERATION_IGNORE_HEADERS', { ...external, ENUMERATION_IGNORE_HEADERS: 'x-edge-id, not a header' }],
  ['LOCKOUT_MAX_ATTEMPTS', { ...external, LOCKOUT_MAX_ATTEMPTS: '0' }],
  ['RESPONSE_TIME_LIMIT_MS', { ...external, RESPONSE_TIME_LIMIT_MS: '10' }],
  ['OVERSIZED_BODY_BYTES', { ...external, OVERSIZED_BODY_BYTES: '12' }],
  ['EXPIRY_WAIT_MAX_SECONDS', { ...external, EXPIRY_WAIT_MAX_SECONDS: '0' }],
  ['EXPIRY_BASE_URL', { ...external, EXPIRY_BASE_URL: '::' }],
  ['CONTRACT_WORKERS', { ...external, CONTRACT_WORKERS: '0' }],
  ['REFERENCE_PORT', { REFERENCE_PORT: '70000' }],
  ['REFERENCE_EXPIRY_PORT', { REFERENCE_PORT: '9000', REFERENCE_EXPIRY_PORT: '9000' }],
  ['REFERENCE_HASH_COST', { REFERENCE_HASH_COST: '40' }],
];

for (const [variable, env] of badValues) {
  const shown = Object.entries(env).find(([k]) => k === variable)?.[1];
  test(`a bad ${variable}${shown === undefined ? ' (missing)' : ` ('${shown}')`} is named in one line`, () => {
    const error = configErrorOf(env);
    assert.equal(error.variable, variable);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.ok(!error.message.includes('pw-from-env'), 'never echoes a password');
  });
}

test('the contract suite stops on a bad variable with one line and exit status 2, no stack trace', () => {
  const result = spawnSync('npx', ['playwright', 'test', '--list'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ENV_FILE: '', BASE_URL: 'https://staging.example.test', TEST_USER_EMAIL: '', TEST_USER_PASSWORD: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.deepEqual(lines, ['CONFIG_INVALID: TEST_USER_EMAIL: required when BASE_URL names a target other than the embedded reference API']);
});
