import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate } from '../contracts/index.ts';
import { tamper, testApp } from '../reference-api/testing/harness.ts';

test('chat with a valid access token answers deterministically', async (t) => {
  const api = await testApp(t);
  const { access_token } = await api.tokens();
  const body = { message: 'What is on the page?', target_context: '<h1>Pricing</h1>' };
  const first = await api.chat(`Bearer ${access_token}`, body);
  assert.equal(first.statusCode, 200);
  assert.ok(validate('ChatResponse', first.json()).ok);
  const second = await api.chat(`bearer ${access_token}`, { ...body, conversation_id: 'conv-1' });
  assert.equal(second.statusCode, 200, 'the scheme is case-insensitive');
  const a = first.json<{ output: string; conversation_id: string }>();
  const b = second.json<{ output: string; conversation_id: string }>();
  assert.equal(a.output, b.output);
  assert.match(a.output, /What is on the page\?/);
  assert.match(a.output, /Pricing/);
  assert.match(a.conversation_id, /^[0-9a-f-]{36}$/);
  assert.equal(b.conversation_id, 'conv-1');
});

test('chat without Authorization → 401 with a bare Bearer challenge', async (t) => {
  const api = await testApp(t);
  for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer']) {
    const res = await api.chat(authorization);
    assert.equal(res.statusCode, 401, String(authorization));
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="puppilot"');
    assert.ok(validate('ErrorBody', res.json()).ok);
  }
});

test('chat with a bad token → 401 with error="invalid_token" (RFC 6750 §3.1)', async (t) => {
  const api = await testApp(t);
  const { access_token, refresh_token } = await api.tokens();
  const cases = {
    tampered: tamper(access_token),
    truncated: access_token.slice(0, -10),
    garbage: 'abc.def.ghi',
    'refresh token': refresh_token,
    'non-b64 characters': 'abc"def',
  };
  for (const [name, token] of Object.entries(cases)) {
    const res = await api.chat(`Bearer ${token}`);
    assert.equal(res.statusCode, 401, name);
    assert.match(String(res.headers['www-authenticate']), /^Bearer .*error="invalid_token"/, name);
  }
});

test('chat with an expired access token → 401 (frozen clock)', async (t) => {
  const api = await testApp(t, { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' });
  const { access_token } = await api.tokens();
  api.clock.advanceSeconds(59);
  assert.equal((await api.chat(`Bearer ${access_token}`)).statusCode, 200);
  api.clock.advanceSeconds(1);
  const res = await api.chat(`Bearer ${access_token}`);
  assert.equal(res.statusCode, 401);
  assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
});

test('authentication comes first: a bad token with a bad body is still 401', async (t) => {
  const api = await testApp(t);
  const res = await api.chat(undefined, '{not json', {});
  assert.equal(res.statusCode, 401);
});

test('chat without X-API-Version → 422 naming the header', async (t) => {
  const api = await testApp(t);
  const { access_token } = await api.tokens();
  const res = await api.chat(`Bearer ${access_token}`, { message: 'hi' }, {});
  assert.equal(res.statusCode, 422);
  assert.deepEqual(res.json<{ detail: Array<{ loc: unknown }> }>().detail[0]?.loc, ['header', 'x-api-version']);
});

test('chat body validation → 422', async (t) => {
  const api = await testApp(t);
  const { access_token } = await api.tokens();
  for (const body of [{}, { message: '' }, { message: 5 }, { message: 'x', conversation_id: '' }, '{']) {
    const res = await api.chat(`Bearer ${access_token}`, body);
    assert.equal(res.statusCode, 422, JSON.stringify(body));
  }
});
