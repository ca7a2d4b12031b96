import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededUser, testApp } from '../reference-api/testing/harness.ts';

const LOCKOUT = seededUser('lockout@puppilot.test');
const wrong = `${LOCKOUT.password}-wrong`;

test('after THRESHOLD failures the email gets 429 with Retry-After, even with the right password', async (t) => {
  const api = await testApp(t, { LOCKOUT_THRESHOLD: '3', LOCKOUT_WINDOW: '600' });
  for (let i = 0; i < 3; i++) {
    assert.equal((await api.signIn(LOCKOUT.email, wrong)).statusCode, 401, `failure ${i + 1}`);
    api.clock.advanceSeconds(10);
  }
  const locked = await api.signIn(LOCKOUT.email, LOCKOUT.password);
  assert.equal(locked.statusCode, 429);
  // The first failure was 30 s ago; it leaves the 600 s window in 570 s.
  assert.equal(locked.headers['retry-after'], '570');
  assert.ok(typeof locked.json<{ detail: unknown }>().detail === 'string');
  // Other accounts are unaffected.
  assert.equal((await api.signIn()).statusCode, 200);
});

test('the lock lifts when the oldest counted failure leaves the window', async (t) => {
  const api = await testApp(t, { LOCKOUT_THRESHOLD: '2', LOCKOUT_WINDOW: '60' });
  await api.signIn(LOCKOUT.email, wrong);
  api.clock.advanceSeconds(20);
  await api.signIn(LOCKOUT.email, wrong);
  const locked = await api.signIn(LOCKOUT.email, LOCKOUT.password);
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.headers['retry-after'], '40');
  api.clock.advanceSeconds(39);
  assert.equal((await api.signIn(LOCKOUT.email, LOCKOUT.password)).statusCode, 429);
  api.clock.advanceSeconds(1);
  assert.equal((await api.signIn(LOCKOUT.email, LOCKOUT.password)).statusCode, 200);
});

test('a successful sign-in before the threshold clears the count', async (t) => {
  const api = await testApp(t, { LOCKOUT_THRESHOLD: '3' });
  await api.signIn(LOCKOUT.email, wrong);
  await api.signIn(LOCKOUT.email, wrong);
  assert.equal((await api.signIn(LOCKOUT.email, LOCKOUT.password)).statusCode, 200);
  await api.signIn(LOCKOUT.email, wrong);
  await api.signIn(LOCKOUT.email, wrong);
  assert.equal((await api.signIn(LOCKOUT.email, LOCKOUT.password)).statusCode, 200);
});

test('unknown emails are locked out the same way, so a 429 reveals no account', async (t) => {
  const api = await testApp(t, { LOCKOUT_THRESHOLD: '2' });
  const ghost = 'ghost@puppilot.test';
  assert.equal((await api.signIn(ghost, 'x')).statusCode, 401);
  assert.equal((await api.signIn(ghost, 'x')).statusCode, 401);
  const locked = await api.signIn(ghost, 'x');
  assert.equal(locked.statusCode, 429);
  assert.ok(locked.headers['retry-after']);
});

test('the count is per email, whatever its case', async (t) => {
  const api = await testApp(t, { LOCKOUT_THRESHOLD: '2' });
  await api.signIn(LOCKOUT.email.toUpperCase(), wrong);
  await api.signIn(LOCKOUT.email, wrong);
  assert.equal((await api.signIn(LOCKOUT.email, LOCKOUT.password)).statusCode, 429);
});
