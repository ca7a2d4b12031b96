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
