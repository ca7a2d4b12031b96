/** The enumeration comparison of two whole answers (specs/support/answers.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerDifferences, describeDifferences, PER_RESPONSE_HEADERS } from '../specs/support/answers.ts';

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status,
    text,
    json,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), date: 'Wed, 02 Dec 2026 07:00:00 GMT', ...headers },
  };
}

const DETAIL = { detail: 'Incorrect email or password' };

test('identical answers: no difference, whatever the per-response headers say', () => {
  const a = answer(401, DETAIL, { 'x-request-id': 'a1', date: 'Wed, 02 Dec 2026 07:00:00 GMT', traceparent: '00-aa-01' });
  const b = answer(401, DETAIL, { 'x-request-id': 'b2', date: 'Wed, 02 Dec 2026 07:00:01 GMT', traceparent: '00-bb-01' });
  assert.deepEqual(answerDifferences(a, b), []);
});

test('request ids inside equal bodies: the bodies and their Content-Length are exempt', () => {
  const a = answer(401, { ...DETAIL, request_id: 'short' });
  const b = answer(401, { ...DETAIL, request_id: 'a-much-longer-identifier' });
  assert.notEqual(a.headers['content-length'], b.headers['content-length']);
  assert.deepEqual(answerDifferences(a, b), []);
});

test('a header value that differs is a difference: WWW-Authenticate naming the account as unknown', () => {
  const a = answer(401, DETAIL, { 'www-authenticate': 'Bearer error="invalid_grant", error_description="no account with this email"' });
  const b = answer(401, DETAIL, { 'www-authenticate': 'Bearer error="invalid_grant"' });
  const differences = answerDifferences(a, b);
  assert.deepEqual(differences.map((d) => [d.part, d.name]), [['header', 'www-authenticate']]);
});

test('a header on one side only is a difference', () => {
  const a = answer(401, DETAIL, { link: '</auth/sign-up>; rel="register"' });
  const b = answer(401, DETAIL);
  assert.deepEqual(answerDifferences(a, b), [{ part: 'header', name: 'link', first: '</auth/sign-up>; rel="register"', second: undefined }]);
});

test('status and body differences are reported, and Content-Length then counts too', () => {
  const differences = answerDifferences(answer(404, { detail: 'No such account' }), answer(401, DETAIL));
  assert.deepEqual(differences.map((d) => d.name ?? d.part), ['status', 'body', 'content-length']);
});

test('bodies that are not JSON are compared as text', () => {
  assert.deepEqual(answerDifferences(answer(401, 'denied'), answer(401, 'denied')), []);
  assert.deepEqual(answerDifferences(answer(401, 'denied'), answer(401, 'no account')).map((d) => d.name ?? d.part), ['body', 'content-length']);
});

test('key order and header name case do not matter', () => {
  const a = answer(401, { detail: 'x', code: 'invalid_credentials' });
  const b = answer(401, { code: 'invalid_credentials', detail: 'x' });
  assert.deepEqual(answerDifferences(a, b), []);
});

test('the allowlist is extended by ignoreHeaders; presenceOnly compares presence, not value', () => {
  const a = answer(429, DETAIL, { 'x-edge-id': 'pop-1', 'retry-after': '900' });
  const b = answer(429, DETAIL, { 'x-edge-id': 'pop-2', 'retry-after': '897' });
  assert.deepEqual(answerDifferences(a, b).map((d) => d.name), ['retry-after', 'x-edge-id']);
  assert.deepEqual(answerDifferences(a, b, { ignoreHeaders: ['X-Edge-Id'], presenceOnly: ['Retry-After'] }), []);
  const withoutRetryAfter = answer(429, DETAIL, { 'x-edge-id': 'pop-2' });
  assert.deepEqual(answerDifferences(a, withoutRetryAfter, { ignoreHeaders: ['x-edge-id'], presenceOnly: ['retry-after'] }).map((d) => d.name), ['retry-after']);
});

test('the allowlist holds only per-response headers, in lower case', () => {
  for (const name of PER_RESPONSE_HEADERS) assert.equal(name, name.toLowerCase());
  for (const leaky of ['www-authenticate', 'link', 'set-cookie', 'location', 'content-type', 'retry-after']) {
    assert.ok(!PER_RESPONSE_HEADERS.includes(leaky), `${leaky} can tell two answers apart: it must be compared`);
  }
});

test('the description names each difference in one line', () => {
  const lines = describeDifferences(answerDifferences(answer(401, DETAIL, { link: '<x>' }), answer(401, DETAIL)), ['unknown email', 'wrong password']);
  assert.deepEqual(lines, ['header link: unknown email "<x>", wrong password (absent)']);
});
