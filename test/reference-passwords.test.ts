import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPasswordHasher, hashPassword, verifyPassword } from '../reference-api/src/passwords.ts';

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

test('verifyAgainstDummy does a real verification and is always false', async () => {
  const hasher = await createPasswordHasher(12);
  const started = performance.now();
  assert.equal(await hasher.verifyAgainstDummy('anything'), false);
  const dummyMs = performance.now() - started;
  const hash = await hasher.hash('anything');
  const started2 = performance.now();
  await hasher.verify('wrong', hash);
  const realMs = performance.now() - started2;
  assert.ok(dummyMs > realMs / 4, `dummy ${dummyMs.toFixed(1)} ms vs real ${realMs.toFixed(1)} ms`);
});
