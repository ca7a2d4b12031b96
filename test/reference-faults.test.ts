/**
 * Every fault of the catalogue changes the behaviour it claims, and only under that fault:
 * each row's `symptom` must be true on an instance started with the fault and false on a
 * production instance built with the same environment.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import { validate } from '../contracts/index.ts';
import { FAULTS, FAULT_NAMES, isFaultName, type FaultName } from '../reference-api/src/faults.ts';
import { INVALID_CREDENTIALS_DETAIL } from '../reference-api/src/behaviour.ts';
import { withoutRequestIds } from '../specs/support/answers.ts';
import { hmacConfused, hmacSecretsFor, startKeyServer } from '../specs/support/forged-tokens.ts';
import { MAIN, MEMBER, jwtPart, seededUser, tamper, testApp, type TestApp, type TokenBody } from '../reference-api/testing/harness.ts';

const DAY = 86_400;
const nowSeconds = (api: TestApp) => Math.floor(api.clock.now() / 1000);

async function medianMs(times: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

interface Row {
  env?: Record<string, string>;
  symptom: (api: TestApp) => Promise<boolean>;
}

const signInBody = async (api: TestApp) => (await api.signIn()).json<Record<string, unknown> & { user: Record<string, unknown> }>();


/** Locks out the seeded lockout account and an unknown email (threshold 2), then answers a third wrong sign-in of each. */
async function lockedOutAnswers(api: TestApp) {
  const lockout = seededUser('lockout@puppilot.test');
  for (let i = 0; i < 2; i++) await Promise.all([api.signIn(lockout.email, 'x'), api.signIn('ghost@puppilot.test', 'x')]);
  return Promise.all([api.signIn(lockout.email, 'x'), api.signIn('ghost@puppilot.test', 'x')]);
}

const ROWS: Record<FaultName, Row> = {
  // shape
  'missing-organization-id': { symptom: async (api) => !('organization_id' in (await signInBody(api)).user) },
  'expires-at-string': { symptom: async (api) => typeof (await signInBody(api)).expires_at === 'string' },
  'expires-in-milliseconds': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      const ms = nowSeconds(api) * 1000;
      return body.expires_at > ms && body.refresh_expires_at > ms && jwtPart(body.access_token, 1).exp === body.expires_at / 1000;
    },
  },
  'user-id-not-uuid': { symptom: async (api) => (await signInBody(api)).user.id === '12345' },
  'leaks-password-hash': { symptom: async (api) => String((await signInBody(api)).user.password_hash).startsWith('scrypt$') },
  'nested-password-hash': {
    symptom: async (api) => {
      const account = (await signInBody(api)).user.account as { credentials?: { password_hash?: string } } | undefined;
      return String(account?.credentials?.password_hash).startsWith('scrypt$');
    },
  },
  'refresh-text-html': {
    symptom: async (api) => {
      const refreshed = await api.refresh((await api.tokens()).refresh_token);
      const signIn = await api.signIn();
      return String(refreshed.headers['content-type']).startsWith('text/html') && String(signIn.headers['content-type']).startsWith('application/json');
    },
  },
  'text-plain-content-type': { symptom: async (api) => String((await api.signIn()).headers['content-type']).startsWith('text/plain') },
  'token-type-mac': { symptom: async (api) => (await signInBody(api)).token_type === 'mac' },

  // credentials
  'accepts-wrong-password': { symptom: async (api) => (await api.signIn(MAIN.email, 'Definitely-Wrong-1')).statusCode === 200 },
  'enumeration-status': {
    symptom: async (api) => (await api.signIn('ghost@puppilot.test', 'x')).statusCode === 404 && (await api.signIn(MAIN.email, 'x')).statusCode === 401,
  },
  'enumeration-body': {
    symptom: async (api) => {
      const unknown = await api.signIn('ghost@puppilot.test', 'x');
      const wrong = await api.signIn(MAIN.email, 'x');
      return unknown.statusCode === 401 && wrong.statusCode === 401 && unknown.body !== wrong.body;
    },
  },
  'timing-leak': {
    env: { PASSWORD_HASH_COST: '14', LOCKOUT_THRESHOLD: '100' },
    symptom: async (api) => {
      const wrong = await medianMs(3, () => api.signIn(MAIN.email, 'x'));
      const unknown = await medianMs(3, () => api.signIn('ghost@puppilot.test', 'x'));
      return unknown < wrong / 3;
    },
  },
  'enumeration-www-authenticate': {
    symptom: async (api) => {
      const unknown = await api.signIn('ghost@puppilot.test', 'x');
      const wrong = await api.signIn(MAIN.email, 'x');
      return (
        unknown.statusCode === wrong.statusCode &&
        unknown.body === wrong.body &&
        /error_description="no account/.test(String(unknown.headers['www-authenticate'])) &&
        !/error_description/.test(String(wrong.headers['www-authenticate']))
      );
    },
  },
  'enumeration-signup-link': {
    symptom: async (api) => {
      const unknown = await api.signIn('ghost@puppilot.test', 'x');
      const wrong = await api.signIn(MAIN.email, 'x');
      return unknown.body === wrong.body && /rel="register"/.test(String(unknown.headers.link)) && wrong.headers.link === undefined;
    },
  },
  'timing-leak-partial': {
    env: { LOCKOUT_THRESHOLD: '100' },
    symptom: async (api) => {
      const wrong = await medianMs(5, () => api.signIn(MAIN.email, 'x'));
      const unknown = await medianMs(5, () => api.signIn('ghost@puppilot.test', 'x'));
      return wrong - unknown >= 12;
    },
  },

  // errors
  'invalid-json-500': { symptom: async (api) => (await api.post('/auth/sign-in', '{"email":')).statusCode === 500 },
  'error-leaks-stack': {
    symptom: async (api) => /\/[\w./-]+\.ts:\d+/.test(String((await api.signIn(MAIN.email, 'x')).json<{ trace?: string }>().trace)),
  },
  'missing-field-500': { symptom: async (api) => (await api.post('/auth/sign-in', { email: MAIN.email })).statusCode === 500 },
  'method-no-allow': {
    symptom: async (api) => {
      const res = await api.app.inject({ method: 'GET', url: '/auth/sign-in' });
      return res.statusCode === 405 && res.headers.allow === undefined;
    },
  },
  'validation-echoes-input': {
    symptom: async (api) => {
      const res = await api.post('/auth/sign-in', { password: 'Echoed-Back-1' });
      const detail = res.json<{ detail: Array<{ type: string; input?: unknown }> }>().detail;
      return res.statusCode === 422 && detail[0]?.type === 'missing' && JSON.stringify(detail[0]?.input) === '{"password":"Echoed-Back-1"}';
    },
  },
  'problem-details-errors': {
    symptom: async (api) => {
      const res = await api.signIn(MAIN.email, 'Definitely-Wrong-1');
      return res.statusCode === 401 && String(res.headers['content-type']).startsWith('application/problem+json') && res.json<{ title?: string }>().title === 'Unauthorized';
    },
  },
  'token-pattern-422': {
    symptom: async (api) => (await api.refresh('not-a-jwt')).statusCode === 422 && (await api.refresh('a.b.c')).statusCode === 401,
  },
  'unsupported-method-404': {
    symptom: async (api) => {
      const res = await api.app.inject({ method: 'PUT', url: '/auth/refresh-token' });
      return res.statusCode === 404 && res.headers.allow === undefined && res.json<{ detail: string }>().detail === 'Not Found';
    },
  },
  'oversized-500': {
    env: { REFERENCE_BODY_LIMIT: '2048' },
    symptom: async (api) => (await api.post('/auth/sign-in', { email: MAIN.email, password: 'x'.repeat(5000) })).statusCode === 500,
  },

  // tokens
  'alg-none': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      return [body.access_token, body.refresh_token].every((t) => jwtPart(t, 0).alg === 'none' && t.endsWith('.'));
    },
  },
  'exp-claim-mismatch': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      return jwtPart(body.access_token, 1).exp === body.expires_at + 3600;
    },
  },
  'iat-in-future': {
    symptom: async (api) => Number(jwtPart((await api.signIn()).json<TokenBody>().access_token, 1).iat) >= nowSeconds(api) + 3600,
  },
  'refresh-equals-access': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      return body.refresh_token === body.access_token && (await api.refresh(body.refresh_token)).statusCode === 200;
    },
  },
  'access-accepted-as-refresh': {
    symptom: async (api) => (await api.refresh((await api.tokens()).access_token)).statusCode === 200,
  },

  // expiry
  'refresh-expires-first': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      return body.refresh_expires_at < body.expires_at && jwtPart(body.refresh_token, 1).exp === body.refresh_expires_at;
    },
  },
  'access-ttl-30-days': {
    symptom: async (api) => (await api.signIn()).json<TokenBody>().expires_at - nowSeconds(api) === 30 * DAY,
  },

  // refresh
  'no-rotation': {
    symptom: async (api) => {
      const { refresh_token } = await api.tokens();
      const first = await api.refresh(refresh_token);
      const again = await api.refresh(refresh_token);
      return first.json<TokenBody>().refresh_token === refresh_token && again.statusCode === 200;
    },
  },
  'reuse-accepted': {
    symptom: async (api) => {
      const { refresh_token } = await api.tokens();
      const first = await api.refresh(refresh_token);
      const replay = await api.refresh(refresh_token);
      return first.json<TokenBody>().refresh_token !== refresh_token && replay.statusCode === 200;
    },
  },
  'no-family-revocation': {
    symptom: async (api) => {
      const { refresh_token } = await api.tokens();
      const successor = (await api.refresh(refresh_token)).json<TokenBody>().refresh_token;
      const replay = await api.refresh(refresh_token);
      return replay.statusCode === 401 && (await api.refresh(successor)).statusCode === 200;
    },
  },
  'reuse-revokes-all-sessions': {
    symptom: async (api) => {
      // Two sessions of one user; a replay in the first ends the second as well.
      const first = (await api.tokens()).refresh_token;
      const second = (await api.tokens()).refresh_token;
      await api.refresh(first);
      const replay = await api.refresh(first);
      return replay.statusCode === 401 && (await api.refresh(second)).statusCode === 401;
    },
  },
  'refresh-requires-valid-bearer': {
    env: { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' },
    symptom: async (api) => {
      const { access_token, refresh_token } = await api.tokens();
      api.clock.advanceSeconds(90);
      const res = await api.app.inject({
        method: 'POST',
        url: '/auth/refresh-token',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        payload: JSON.stringify({ token: refresh_token }),
      });
      return res.statusCode === 401;
    },
  },
  'expired-refresh-accepted': {
    env: { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' },
    symptom: async (api) => {
      const { refresh_token } = await api.tokens();
      api.clock.advanceSeconds(3600);
      return (await api.refresh(refresh_token)).statusCode === 200;
    },
  },
  'refresh-wrong-user': {
    symptom: async (api) => {
      const res = await api.refresh((await api.tokens()).refresh_token);
      return res.statusCode === 200 && res.json<TokenBody>().user.id !== MAIN.id;
    },
  },
  'tampered-refresh-accepted': {
    symptom: async (api) => (await api.refresh(tamper((await api.tokens()).refresh_token))).statusCode === 200,
  },
  'refresh-race': {
    symptom: async (api) => {
      const { refresh_token } = await api.tokens();
      const results = await Promise.all(Array.from({ length: 5 }, () => api.refresh(refresh_token)));
      return results.filter((r) => r.statusCode === 200).length > 1;
    },
  },

  // protected
  'chat-without-token': { symptom: async (api) => (await api.chat(undefined)).statusCode === 200 },
  'chat-accepts-expired': {
    env: { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' },
    symptom: async (api) => {
      const { access_token } = await api.tokens();
      api.clock.advanceSeconds(3600);
      return (await api.chat(`Bearer ${access_token}`)).statusCode === 200;
    },
  },
  'chat-accepts-refresh-token': {
    symptom: async (api) => (await api.chat(`Bearer ${(await api.tokens()).refresh_token}`)).statusCode === 200,
  },
  'chat-scheme-case-sensitive': {
    symptom: async (api) => (await api.chat(`bearer ${(await api.tokens()).access_token}`)).statusCode === 401,
  },
  'chat-ignores-scheme': {
    symptom: async (api) => (await api.chat(`Basic ${(await api.tokens()).access_token}`)).statusCode === 200,
  },
  'chat-no-www-authenticate': {
    symptom: async (api) => {
      const res = await api.chat(undefined);
      return res.statusCode === 401 && res.headers['www-authenticate'] === undefined;
    },
  },
  'chat-ignores-signature': {
    symptom: async (api) => (await api.chat(`Bearer ${tamper((await api.tokens()).access_token)}`)).statusCode === 200,
  },

  // headers
  'no-cache-control': {
    symptom: async (api) => {
      const res = await api.signIn();
      return res.headers['cache-control'] === undefined && res.headers.pragma === undefined;
    },
  },
  'cacheable-tokens': { symptom: async (api) => (await api.signIn()).headers['cache-control'] === 'public, max-age=3600' },

  // lockout
  'no-lockout': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      const lockout = seededUser('lockout@puppilot.test');
      for (let i = 0; i < 3; i++) await api.signIn(lockout.email, 'x');
      return (await api.signIn(lockout.email, lockout.password)).statusCode === 200;
    },
  },
  'lockout-known-emails-only': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      for (let i = 0; i < 3; i++) await api.signIn('ghost@puppilot.test', 'x');
      return (await api.signIn('ghost@puppilot.test', 'x')).statusCode === 401;
    },
  },
  'lockout-bypassed-by-correct-password': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      const lockout = seededUser('lockout@puppilot.test');
      for (let i = 0; i < 2; i++) await api.signIn(lockout.email, 'x');
      const wrong = await api.signIn(lockout.email, 'x');
      return wrong.statusCode === 429 && (await api.signIn(lockout.email, lockout.password)).statusCode === 200;
    },
  },
  'lockout-header-leak': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      const [known, unknown] = await lockedOutAnswers(api);
      return known.statusCode === 429 && unknown.statusCode === 429 && known.headers['x-account-locked'] === 'true' && unknown.headers['x-account-locked'] === undefined;
    },
  },
  'lockout-body-leak': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      const [known, unknown] = await lockedOutAnswers(api);
      return known.statusCode === 429 && unknown.statusCode === 429 && known.body !== unknown.body;
    },
  },
  'lockout-no-retry-after': {
    env: { LOCKOUT_THRESHOLD: '2' },
    symptom: async (api) => {
      const lockout = seededUser('lockout@puppilot.test');
      for (let i = 0; i < 2; i++) await api.signIn(lockout.email, 'x');
      const res = await api.signIn(lockout.email, lockout.password);
      return res.statusCode === 429 && res.headers['retry-after'] === undefined;
    },
  },

  // harmless
  'token-type-capitalized': { symptom: async (api) => (await signInBody(api)).token_type === 'Bearer' },
  'extra-fields': {
    symptom: async (api) => {
      const body = await signInBody(api);
      return body.scope === 'chat' && typeof body.user.avatar_url === 'string';
    },
  },
  'content-type-charset-upper': {
    symptom: async (api) => (await api.signIn()).headers['content-type'] === 'application/json; charset=UTF-8',
  },
  'reordered-keys': {
    symptom: async (api) => {
      const body = await signInBody(api);
      return Object.keys(body)[0] === 'user' && Object.keys(body.user)[0] === 'organization_id';
    },
  },
  'latency-150ms': {
    symptom: async (api) => (await medianMs(1, () => api.app.inject({ method: 'GET', url: '/healthz' }))) >= 150,
  },
  'latency-40ms': {
    symptom: async (api) => (await medianMs(1, () => api.app.inject({ method: 'GET', url: '/healthz' }))) >= 40,
  },
  'latency-jitter': {
    // 20 draws from 0–30 ms: their spread exceeds 10 ms unless the draws are not random.
    symptom: async (api) => {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) times.push(await medianMs(1, () => api.app.inject({ method: 'GET', url: '/healthz' })));
      return Math.max(...times) - Math.min(...times) > 10;
    },
  },
  'request-ids': {
    symptom: async (api) => {
      const [first, second] = [await api.signIn('ghost@puppilot.test', 'x'), await api.signIn(MAIN.email, 'x')];
      const id = String(first.headers['x-request-id']);
      return /^[0-9a-f-]{36}$/.test(id) && id !== second.headers['x-request-id'] && first.json<{ request_id?: string }>().request_id === id;
    },
  },
  'rs256-keys': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      const jwks = (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Array<{ kty: string }> }>();
      return jwtPart(body.access_token, 0).alg === 'RS256' && jwks.keys[0]?.kty === 'RSA';
    },
  },
  'other-error-wording': {
    symptom: async (api) => {
      const res = await api.signIn(MAIN.email, 'x');
      return res.statusCode === 401 && res.json<{ detail: string }>().detail !== INVALID_CREDENTIALS_DETAIL;
    },
  },
  'long-ttls': {
    symptom: async (api) => {
      const body = (await api.signIn()).json<TokenBody>();
      return body.expires_at - nowSeconds(api) === 3600 && body.refresh_expires_at - nowSeconds(api) === 30 * DAY;
    },
  },
  'oversized-html-page': {
    env: { REFERENCE_BODY_LIMIT: '2048' },
    symptom: async (api) => {
      const res = await api.post('/auth/sign-in', { email: MAIN.email, password: 'x'.repeat(5000) });
      return res.statusCode === 413 && String(res.headers['content-type']).startsWith('text/html') && res.body.startsWith('<html>');
    },
  },
  'chat-coerces-types': {
    symptom: async (api) => (await api.chat(`Bearer ${(await api.tokens()).access_token}`, { message: 42, target_context: true })).statusCode === 200,
  },
  'chat-missing-message-500': {
    symptom: async (api) => (await api.chat(`Bearer ${(await api.tokens()).access_token}`, { target_context: 'no message' })).statusCode === 500,
  },
  'chat-version-optional': {
    symptom: async (api) => {
      const bearer = `Bearer ${(await api.tokens()).access_token}`;
      return (await api.chat(bearer, { message: 'hello' }, {})).statusCode === 200 && (await api.chat(bearer, { message: 'hello' }, { 'x-api-version': '' })).statusCode === 200;
    },
  },
  'revocation-one-step': {
    symptom: async (api) => {
      const t0 = (await api.tokens()).refresh_token;
      const t1 = (await api.refresh(t0)).json<TokenBody>().refresh_token;
      const t2 = (await api.refresh(t1)).json<TokenBody>().refresh_token;
      const replay = await api.refresh(t0);
      return replay.statusCode === 401 && (await api.refresh(t2)).statusCode === 200;
    },
  },
  'hmac-public-key-accepted': {
    symptom: async (api) => {
      const { keys } = (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: object[] }>();
      const { access_token } = await api.tokens();
      let opened = false;
      for (const { secret } of hmacSecretsFor('key', createPublicKey({ key: keys[0] as never, format: 'jwk' }))) {
        if ((await api.chat(`Bearer ${await hmacConfused(access_token, secret)}`)).statusCode === 200) opened = true;
      }
      return opened;
    },
  },
  'trusts-jku-header': {
    symptom: async (api) => {
      const server = await startKeyServer();
      try {
        return (await api.chat(`Bearer ${await server.forge((await api.tokens()).access_token, 'jku')}`)).statusCode === 200;
      } finally {
        await server.close();
      }
    },
  },
  'trusts-x5u-header': {
    symptom: async (api) => {
      const server = await startKeyServer();
      try {
        return (await api.chat(`Bearer ${await server.forge((await api.tokens()).access_token, 'x5u')}`)).statusCode === 200;
      } finally {
        await server.close();
      }
    },
  },
  'contract-breaks-under-load': {
    symptom: async (api) => {
      let broken = 0;
      for (let i = 0; i < 20; i += 1) if (!validate('TokenResponse', (await api.signIn()).json()).ok) broken += 1;
      return broken === 1;
    },
  },
  // The harness's clock stands at a whole minute, the start of a stall window.
  'periodic-stall': {
    symptom: async (api) => (await medianMs(1, () => api.app.inject({ method: 'GET', url: '/healthz' }))) >= 450,
  },
  'rare-invalid-chat-body': {
    symptom: async (api) => {
      const bearer = `Bearer ${(await api.tokens()).access_token}`;
      let broken = 0;
      for (let i = 0; i < 100; i += 1) if (!validate('ChatResponse', (await api.chat(bearer)).json()).ok) broken += 1;
      return broken === 1;
    },
  },
  'token-issued-twice': {
    symptom: async (api) => {
      const first = await api.tokens();
      api.clock.advanceSeconds(3);
      const later = await Promise.all(Array.from({ length: 59 }, () => api.tokens()));
      return later.filter((b) => b.access_token === first.access_token && b.refresh_token === first.refresh_token).length === 1;
    },
  },
  'refresh-crossed-answers': {
    symptom: async (api) => {
      const users = [MAIN, MEMBER];
      const tokens = await Promise.all(users.map(async (u) => (await api.signIn(u.email, u.password)).json<TokenBody>()));
      let crossed = 0;
      for (let i = 0; i < 30; i += 1) {
        const answer = (await api.refresh(tokens[i % 2]!.refresh_token)).json<TokenBody>();
        if (answer.user.email !== users[i % 2]!.email) crossed += 1;
        else tokens[i % 2] = answer;
      }
      return crossed === 1;
    },
  },
  'sign-in-crossed-answers': {
    symptom: async (api) => {
      let crossed = 0;
      for (let i = 0; i < 30; i += 1) {
        const user = i % 2 === 0 ? MAIN : MEMBER;
        const answer = (await api.signIn(user.email, user.password)).json<TokenBody>();
        // Another account's answer, whole: its tokens are that account's too.
        if (answer.user.email !== user.email && jwtPart(answer.access_token, 1).sub === answer.user.id) crossed += 1;
      }
      return crossed === 1;
    },
  },
  'internal-errors-3-percent': {
    symptom: async (api) => {
      const bearer = `Bearer ${(await api.tokens()).access_token}`;
      const statuses = [];
      for (let i = 0; i < 65; i += 1) statuses.push((await api.chat(bearer)).statusCode);
      return statuses.filter((s) => s === 500).length === 2 && statuses.filter((s) => s === 200).length === 63;
    },
  },
  'unavailable-bursts': {
    symptom: async (api) => {
      const first = (await api.signIn()).statusCode;
      api.clock.advanceSeconds(1);
      const between = (await api.signIn()).statusCode;
      api.clock.advanceSeconds(2.1);
      const next = await api.signIn();
      return first === 503 && between === 200 && next.statusCode === 503 && next.headers['retry-after'] === '1';
    },
  },
  'connection-resets': {
    // Over a real connection: a reset is what the client sees of it.
    symptom: async (api) => {
      const origin = await api.app.listen({ host: '127.0.0.1', port: 0 });
      let resets = 0;
      for (let i = 0; i < 40; i += 1) {
        try {
          await fetch(`${origin}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: MAIN.email, password: MAIN.password }) });
        } catch {
          resets += 1;
        }
      }
      return resets === 1;
    },
  },
  'latency-creep': {
    symptom: async (api) => {
      const before = await medianMs(1, () => api.signIn());
      api.clock.advanceSeconds(3);
      return before < 150 && (await medianMs(1, () => api.signIn())) >= 430;
    },
  },
  'late-degradation': {
    symptom: async (api) => {
      const before = await medianMs(1, () => api.signIn());
      api.clock.advanceSeconds(2);
      const early = await medianMs(1, () => api.signIn());
      api.clock.advanceSeconds(1);
      return before < 150 && early < 150 && (await medianMs(1, () => api.signIn())) >= 380;
    },
  },
  'spent-refresh-accepted-now-and-then': {
    symptom: async (api) => {
      const first = (await api.tokens()).refresh_token;
      const rotated = await api.refresh(first);
      const again = await api.refresh(first);
      // Past the first 10 rotations, a rotation marks its token used, as production does.
      let token = rotated.json<TokenBody>().refresh_token;
      for (let i = 0; i < 8; i += 1) token = (await api.refresh(token)).json<TokenBody>().refresh_token;
      const next = await api.refresh(token);
      const replayed = await api.refresh(token);
      return rotated.statusCode === 200 && again.statusCode === 200 && next.statusCode === 200 && replayed.statusCode === 401;
    },
  },
  'expiry-order-broken-now-and-then': {
    symptom: async (api) => {
      const answers = [];
      for (let i = 0; i < 50; i += 1) answers.push(await api.tokens());
      const broken = answers.filter((b) => b.refresh_expires_at <= b.expires_at);
      return broken.length === 1 && broken[0] === answers[49] && jwtPart(broken[0]!.refresh_token, 1).exp === broken[0]!.refresh_expires_at;
    },
  },
  'extra-members-everywhere': {
    symptom: async (api) => {
      const body = await signInBody(api);
      const chat = (await api.chat(`Bearer ${String(body.access_token)}`)).json<Record<string, unknown>>();
      const error = (await api.signIn(MAIN.email, 'x')).json<Record<string, unknown>>();
      return body.served_by === 'reference-1' && body.user.locale === 'en-GB' && chat.served_by === 'reference-1' && error.api_revision === 7;
    },
  },
};

test('the catalogue: unique names, known areas, a test row for every fault', () => {
  assert.equal(new Set(FAULTS.map((f) => f.name)).size, FAULTS.length);
  assert.deepEqual(Object.keys(ROWS).sort(), [...FAULT_NAMES].sort());
  for (const fault of FAULTS) {
    assert.ok(isFaultName(fault.name));
    assert.ok(fault.description.length > 10, fault.name);
  }
  const harmless = FAULTS.filter((f) => f.harmless).map((f) => f.name).sort();
  assert.deepEqual(harmless, [
    'content-type-charset-upper',
    'extra-fields',
    'extra-members-everywhere',
    'latency-150ms',
    'latency-40ms',
    'latency-jitter',
    'long-ttls',
    'other-error-wording',
    'periodic-stall',
    'problem-details-errors',
    'reordered-keys',
    'request-ids',
    'reuse-revokes-all-sessions',
    'rs256-keys',
    'token-pattern-422',
    'token-type-capitalized',
    'unsupported-method-404',
    'validation-echoes-input',
  ]);
});

for (const fault of FAULTS) {
  const name = fault.name as FaultName;
  const row = ROWS[name];
  test(`fault ${name}: ${fault.description}`, async (t) => {
    const faulty = await testApp(t, { ...row.env, REFERENCE_FAULT: name });
    assert.equal(await row.symptom(faulty), true, 'the symptom shows under the fault');
    const production = await testApp(t, { ...row.env });
    assert.equal(await row.symptom(production), false, 'the symptom is absent in production');
  });
}

for (const fault of FAULTS.filter((f) => f.harmless)) {
  test(`harmless ${fault.name}: the whole flow still meets the contract`, async (t) => {
    const api = await testApp(t, { REFERENCE_FAULT: fault.name });
    const signIn = await api.signIn();
    assert.equal(signIn.statusCode, 200);
    assert.ok(validate('TokenResponse', signIn.json()).ok);
    assert.match(String(signIn.headers['cache-control']), /no-store/);
    const body = signIn.json<TokenBody>();
    const refreshed = await api.refresh(body.refresh_token);
    assert.equal(refreshed.statusCode, 200);
    assert.ok(validate('TokenResponse', refreshed.json()).ok);
    assert.equal((await api.refresh(body.refresh_token)).statusCode, 401, 'reuse still rejected');
    assert.equal((await api.chat(`Bearer ${refreshed.json<TokenBody>().access_token}`)).statusCode, 200);
    const unknown = await api.signIn('ghost@puppilot.test', 'x');
    const wrong = await api.signIn(MAIN.email, 'x');
    assert.equal(unknown.statusCode, 401);
    // Per-request identifiers aside (the request-ids variation), the same body.
    assert.deepEqual(withoutRequestIds(unknown.json()), withoutRequestIds(wrong.json()));
  });
}

test('long-ttls leaves explicitly set TTLs alone', async (t) => {
  const api = await testApp(t, { REFERENCE_FAULT: 'long-ttls', ACCESS_TOKEN_TTL: '300', REFRESH_TOKEN_TTL: '600' });
  const body = (await api.signIn()).json<TokenBody>();
  assert.equal(body.expires_at - nowSeconds(api), 300);
  assert.equal(body.refresh_expires_at - nowSeconds(api), 600);
});
