import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPasswordHasher, hashPassword, scrypt, verifyPassword, type DeriveKey } from '../reference-api/src/passwords.ts';

test('hashes encode their parameters and verify', async () => {
  const hash = await hashPassword('correct horse battery staple', 10);
  assert.match(hash, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapler', hash), false);
  assert.notEqual(await hashPassword('correct horse battery staple', 10), hash, 'salted');
});

test('a hash made at another cost still verifies (parameters come from the hash)', async () => {
  const hash = await hashPassword('pw-at-cost-11', 11);
  const hasher = await createPasswordHasher(10);
  assert.equal(await hasher.verify('pw-at-cost-11', hash), true);
});

test('malformed or hostile stored hashes never verify and never throw', async () => {
  for (const stored of ['', 'plaintext', 'scrypt$1024$8$1$$', 'scrypt$3$8$1$abc$def', 'scrypt$1073741824$8$1$abc$def', 'bcrypt$2b$10$x']) {
    assert.equal(await verifyPassword('x', stored), false, stored);
  }
});

test('verifyAgainstDummy does a real verification, at the configured cost, and is always false', async () => {
  // Counted, not timed: the derivations a call makes are the work it does.
  const costs: number[] = [];
  const recording: DeriveKey = (password, salt, keyLength, options) => {
    costs.push(options.N ?? 0);
    return scrypt(password, salt, keyLength, options);
  };
  const hasher = await createPasswordHasher(12, recording);
  const hash = await hasher.hash('anything');
  costs.length = 0;
  assert.equal(await hasher.verifyAgainstDummy('anything'), false);
  assert.equal(await hasher.verifyAgainstDummy(''), false);
  const dummy = costs.splice(0);
  assert.equal(await hasher.verify('wrong', hash), false);
  const real = costs.splice(0);
  assert.deepEqual(dummy, [2 ** 12, 2 ** 12], 'one derivation per dummy verification');
  assert.deepEqual(real, [2 ** 12], 'as a real verification');
});
