import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiResponse } from '../specs/support/api.ts';
import { errorBodyLeaks } from '../specs/support/leaks.ts';

const response = (body: unknown): ApiResponse => {
  const text = JSON.stringify(body);
  return { method: 'POST', path: '/auth/sign-in', status: 401, headers: {}, text, json: body, elapsedMs: 1 };
};

test('a plain FastAPI error body has no leak', () => {
  assert.deepEqual(errorBodyLeaks(response({ detail: 'Incorrect email or password' })), []);
});

test('regression: a URL in a validation error (pydantic links its docs) is not an internal path', () => {
  const body = { detail: [{ type: 'missing', loc: ['body', 'password'], msg: 'Field required', url: 'https://errors.pydantic.dev/app/v/missing' }] };
  assert.deepEqual(errorBodyLeaks(response(body)), []);
});

test('stack traces and internal paths are reported', () => {
  const leaks = errorBodyLeaks(response({ detail: 'boom', trace: 'Error: x\n    at signIn (/app/src/routes/sign-in.ts:12:5)' }));
  assert.ok(leaks.some((l) => l.includes('JavaScript stack frame')), leaks.join('; '));
  assert.ok(leaks.some((l) => l.includes('(/app/)')), leaks.join('; '));
  assert.ok(errorBodyLeaks(response({ detail: 'Traceback (most recent call last):' })).some((l) => l.includes('Python')));
});

test('a secret the test sent is reported without being quoted', () => {
  const password = 'Sup3r-Secret-Passw0rd';
  const leaks = errorBodyLeaks(response({ detail: [{ msg: 'bad', input: { password } }] }), { secrets: [password] });
  assert.ok(leaks.length >= 2, leaks.join('; '));
  assert.ok(leaks.every((l) => !l.includes(password)));
});

test('tokens and members named like secrets are reported', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  assert.ok(errorBodyLeaks(response({ detail: 'x', hint: jwt })).includes('the body contains a JWT-shaped token'));
  assert.ok(errorBodyLeaks(response({ detail: 'x', password_hash: 'abc' })).some((l) => l.includes('$.password_hash')));
});

test("regression: FastAPI's 422 `input` echoing the client's own password or token is no leak", () => {
  const password = 'Wrong-2f6c1f0e-Passw0rd!';
  const sent = JSON.stringify({ password });
  const echo = { detail: [{ type: 'missing', loc: ['body', 'email'], msg: 'Field required', input: { password } }] };
  assert.deepEqual(errorBodyLeaks(response(echo), { secrets: [password], sent }), []);
  const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4eXoxMjM0NTY3OCJ9.c2lnbmF0dXJl';
  const tokenEcho = { detail: [{ type: 'string_type', loc: ['body', 'token'], msg: 'Input should be a valid string', input: [token] }] };
  assert.deepEqual(errorBodyLeaks(response(tokenEcho), { secrets: [token], sent: JSON.stringify({ token: [token] }) }), []);
});

test('what the request did not carry is still a leak beside an echo', () => {
  const password = 'Wrong-2f6c1f0e-Passw0rd!';
  const stored = 'The-Main-Accounts-Passw0rd';
  const otherToken = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaGlqIn0.b3RoZXItc2lnbmF0dXJl';
  const body = { detail: [{ type: 'missing', loc: ['body', 'email'], input: { password } }], hint: stored, session: otherToken, user: { password_hash: 'scrypt$…' } };
  const leaks = errorBodyLeaks(response(body), { secrets: [password, stored], sent: JSON.stringify({ password }) });
  assert.deepEqual(leaks, [
    'the body contains secret #2 of the ones this test sent or holds',
    'the body contains a JWT-shaped token',
    'the body has a member named like a secret: $.user.password_hash',
  ]);
});
