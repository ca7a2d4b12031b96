import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor, tokenStub } from '../lib/redact.ts';

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.MEUCIQDabcdefghijklmnopqrstuvwxyz012345';

test('given secrets are replaced wherever they appear', () => {
  const r = new Redactor(['S3cret-Passw0rd!']);
  assert.equal(r.text('password was S3cret-Passw0rd! here'), 'password was [redacted] here');
});

test('JWTs are cut to a stub that keeps only their first characters', () => {
  const out = new Redactor().text(`token ${jwt} end`);
  assert.ok(!out.includes(jwt));
  assert.equal(out, `token ${tokenStub(jwt)} end`);
});

test('opaque bearer credentials are cut too', () => {
  const out = new Redactor().text('Authorization: Bearer abcdefghijklmnop1234');
  assert.ok(!out.includes('abcdefghijklmnop1234'));
});

test('secret JSON members are redacted even when their value is unknown', () => {
  const out = new Redactor().json({ password: 'hunter2-unknown', refresh_token: 'opaque-refresh-value', email: 'a@b.c' });
  assert.ok(!out.includes('hunter2-unknown'));
  assert.ok(!out.includes('opaque-refresh-value'));
  assert.ok(out.includes('a@b.c'));
});

test('short values are not treated as secrets (would shred ordinary text)', () => {
  assert.equal(new Redactor(['a']).text('a cat'), 'a cat');
});

test('long excerpts are cut with a count of what was left out', () => {
  const out = new Redactor().json({ text: 'x'.repeat(1000) }, 100);
  assert.match(out, /… \(\d+ more chars\)$/);
});
