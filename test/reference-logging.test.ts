import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLine } from '../reference-api/src/http/request-log.ts';
import { MAIN, testApp } from '../reference-api/testing/harness.ts';

test('one line per request, METHOD /path STATUS ms, with no password, token or header value', async (t) => {
  const api = await testApp(t, { REFERENCE_LOG: 'requests' });
  const body = await api.tokens();
  await api.signIn(MAIN.email, 'Wrong-Password-Value');
  await api.refresh(body.refresh_token);
  await api.chat(`Bearer ${body.access_token}`);
  await api.app.inject({ method: 'GET', url: `/auth/sign-in?token=${body.access_token}&password=${MAIN.password}` });
  await api.app.inject({ method: 'GET', url: `/no/${body.access_token}` });

  assert.equal(api.lines.length, 6);
  for (const line of api.lines) assert.match(line, /^[A-Z]+ \/\S* \d{3} \d+\.\dms$/);
  const heads = api.lines.map((l) => l.split(' ').slice(0, 3).join(' '));
  assert.deepEqual(heads.slice(0, 5), [
    'POST /auth/sign-in 200',
    'POST /auth/sign-in 401',
    'POST /auth/refresh-token 200',
    'POST /chat 200',
    'GET /auth/sign-in 405',
  ]);
  assert.match(api.lines[5]!, /^GET \/no\/\S+ 404 /);
  const all = api.lines.join('\n');
  for (const secret of [MAIN.password, 'Wrong-Password-Value', body.access_token, body.refresh_token, MAIN.email, '0.2.0']) {
    assert.ok(!all.includes(secret), `log contains ${secret.slice(0, 12)}`);
  }
  assert.doesNotMatch(all, /eyJ[\w-]{20,}\.[\w-]{10,}/, 'no JWT in the log');
});

test('REFERENCE_LOG=off writes nothing', async (t) => {
  const api = await testApp(t, { REFERENCE_LOG: 'off' });
  await api.signIn();
  assert.deepEqual(api.lines, []);
});

test('logLine cuts the query string and non-printable characters', () => {
  assert.equal(logLine('GET', '/a?b=c', 404, 1.234), 'GET /a 404 1.2ms');
  assert.equal(logLine('GET', '/a\nFAKE 200', 404, 0), 'GET /a?FAKE?200 404 0.0ms');
});
