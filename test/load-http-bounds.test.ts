/**
 * Every request of the load engine is bounded (load/engine/http.ts): one deadline from
 * connect to the last byte (LOAD_TIMEOUT), and a body cap (LOAD_MAX_BODY) past which the
 * body is not read and its connection is destroyed. Each case aims HttpTarget.send at a
 * hostile loopback server and checks the failure kind, its timing and, for huge bodies,
 * that memory stays small. Also: LOAD_MAX_BODY's parsing.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DEFAULTS, loadConfig, parseByteSize } from '../load/cli/config.ts';
import { classifyError, DEFAULT_MAX_BODY_BYTES, describeErrorKind, HttpTarget, type HttpResult, type TransportErrorKind } from '../load/engine/http.ts';
import smoke from '../load/scenarios/smoke.ts';
import { HUGE_BODY_BYTES, startHostileServer, type HostileMode, type HostileOptions, type HostileServer } from './fixtures/hostile-server.ts';
import { configErrorOf } from './fixtures/seeded.ts';

const TIMEOUT_MS = 400;
const GET = { method: 'GET', path: '/chat', headers: { accept: 'application/json' } } as const;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function hostile(mode: HostileMode, options?: HostileOptions): Promise<{ server: HostileServer; target: HttpTarget }> {
  const server = await startHostileServer(mode, options);
  const target = new HttpTarget(server.url, { connections: 4, timeoutMs: TIMEOUT_MS });
  cleanups.push(
    () => target.close(true),
    () => server.close(),
  );
  return { server, target };
}

function failure(result: HttpResult, kind: TransportErrorKind): Extract<HttpResult, { ok: false }> {
  assert.equal(result.ok, false, `expected a failure, got ${result.ok ? `status ${result.status}` : ''}`);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.error, kind, `expected ${kind}, got ${result.error}: ${result.detail}`);
  return result;
}

const elapsed = (result: HttpResult): number => result.endedAt - result.sentAt;

/** The client destroyed the connection it gave up on: the server sees it closed (undici may open a fresh one). */
async function connectionDropped(server: HostileServer): Promise<void> {
  for (let i = 0; i < 50 && server.connectionsClosed() === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(server.connectionsClosed(), 1, 'the connection given up on is still open');
}

describe('a request is bounded in time: LOAD_TIMEOUT covers connect to the last byte', () => {
  test('a target that never answers: timeout at the deadline', async () => {
    const { server, target } = await hostile('never-answers');
    const result = await target.send(GET);
    const fail = failure(result, 'timeout');
    assert.ok(elapsed(result) >= TIMEOUT_MS - 20 && elapsed(result) < TIMEOUT_MS + 400, `ended after ${elapsed(result)} ms`);
    assert.ok(fail.detail.includes(new URL(server.url).host), fail.detail);
    await connectionDropped(server);
  });

  test('a target that trickles a byte every 100 ms: cut at the deadline, not after the whole body', async () => {
    const { server, target } = await hostile('trickles');
    const result = await target.send(GET);
    failure(result, 'timeout');
    assert.ok(elapsed(result) >= TIMEOUT_MS - 20 && elapsed(result) < TIMEOUT_MS + 400, `ended after ${elapsed(result)} ms`);
    await connectionDropped(server);
  });

  test('a trickle that ends within the deadline is an answer', async () => {
    const { target } = await hostile('trickles', { trickleBytes: 2 });
    const result = await target.send(GET);
    assert.equal(result.ok, true, result.ok ? '' : result.detail);
  });
});

describe('a connection that breaks is a reset', () => {
  test('a target that resets the connection', async () => {
    const { server, target } = await hostile('resets');
    const fail = failure(await target.send(GET), 'reset');
    assert.ok(fail.detail.endsWith(`(${new URL(server.url).host})`), fail.detail);
    assert.equal(server.requests(), 1, 'a reset is not retried');
  });

  test('a target that closes the connection after the headers', async () => {
    const { target } = await hostile('closes-after-headers');
    failure(await target.send(GET), 'reset');
  });
});

describe('a request is bounded in size: LOAD_MAX_BODY', () => {
  test('a 50 MB body with its Content-Length is refused at once and its connection dropped', async () => {
    const { server, target } = await hostile('huge-body');
    const fail = failure(await target.send(GET), 'body_too_large');
    assert.match(fail.detail, /above 1 MiB/);
    await connectionDropped(server);
    assert.ok(server.bytesSent() < 20 * 1024 * 1024, `the server got to send ${server.bytesSent()} bytes`);
  });

  test('a 50 MB body without a length is read up to the cap, then its connection dropped', async () => {
    const { server, target } = await hostile('huge-body', { declareLength: false });
    const fail = failure(await target.send(GET), 'body_too_large');
    assert.match(fail.detail, /body larger than 1 MiB/);
    await connectionDropped(server);
    assert.ok(server.bytesSent() < 20 * 1024 * 1024, `the server got to send ${server.bytesSent()} bytes`);
  });

  test('a smaller cap applies to a small body', async () => {
    const server = await startHostileServer('html');
    const target = new HttpTarget(server.url, { connections: 1, timeoutMs: TIMEOUT_MS, maxBodyBytes: 16 });
    cleanups.push(() => target.close(true), () => server.close());
    failure(await target.send(GET), 'body_too_large');
  });

  test('memory stays small across huge bodies', async () => {
    const withLength = await hostile('huge-body');
    const chunked = await hostile('huge-body', { declareLength: false });
    const rounds = 4;
    const before = process.memoryUsage().rss;
    const results = await Promise.all(
      Array.from({ length: rounds }, (_, i) => [withLength.target.send(GET), chunked.target.send(GET)][i % 2]!),
    );
    const growth = process.memoryUsage().rss - before;
    for (const result of results) failure(result, 'body_too_large');
    assert.ok(growth < 30 * 1024 * 1024, `rss grew by ${Math.round(growth / 1024 / 1024)} MiB over ${rounds} bodies of ${HUGE_BODY_BYTES / 1024 / 1024} MiB`);
  });
});

describe('a target that goes away; answers that are for the client to judge', () => {
  test('a target that dies: answered before, refused after (connect)', async () => {
    const { server, target } = await hostile('dies', { dieAfterMs: 150 });
    const first = await target.send(GET);
    assert.equal(first.ok, true, first.ok ? '' : first.detail);
    await server.died;
    const fail = failure(await target.send(GET), 'connect');
    assert.equal(fail.detail, `connection refused (${new URL(server.url).host})`);
  });

  for (const mode of ['non-json', 'html'] as const) {
    test(`${mode}: a 200 with its body, for the client to judge`, async () => {
      const { target } = await hostile(mode);
      const result = await target.send(GET);
      assert.equal(result.ok, true, result.ok ? '' : result.detail);
      if (!result.ok) return;
      assert.equal(result.status, 200);
      if (mode === 'non-json') {
        assert.equal(result.text, 'not json');
        assert.equal(result.headers['content-type'], 'application/json');
      } else assert.match(result.headers['content-type'] ?? '', /^text\/html/);
    });
  }
});

describe('failure kinds', () => {
  test('every kind has words', () => {
    const kinds: TransportErrorKind[] = ['connect', 'timeout', 'reset', 'body_too_large', 'other'];
    assert.deepEqual(kinds.map(describeErrorKind), [
      'connection refused or unreachable',
      'no complete answer within LOAD_TIMEOUT',
      'connection reset',
      'body larger than LOAD_MAX_BODY',
      'transport error',
    ]);
  });

  test('undici errors keep their kinds; a closed connection is a reset', () => {
    const coded = (code: string, message = code, cause?: unknown) => Object.assign(new Error(message, { cause }), { code });
    assert.equal(classifyError(coded('ECONNREFUSED')), 'connect');
    assert.equal(classifyError(coded('UND_ERR_CONNECT_TIMEOUT')), 'connect');
    assert.equal(classifyError(coded('UND_ERR_HEADERS_TIMEOUT')), 'timeout');
    assert.equal(classifyError(coded('UND_ERR_BODY_TIMEOUT')), 'timeout');
    assert.equal(classifyError(coded('ECONNRESET')), 'reset');
    assert.equal(classifyError(coded('UND_ERR_SOCKET', 'other side closed')), 'reset');
    assert.equal(classifyError(coded('UND_ERR_SOCKET', 'other side closed', new Error('no code'))), 'reset');
    assert.equal(classifyError(coded('UND_ERR_SOCKET', 'socket error', coded('ECONNRESET'))), 'reset');
    assert.equal(classifyError(coded('UND_ERR_SOCKET', 'socket error', coded('ETIMEDOUT'))), 'timeout');
    assert.equal(classifyError(coded('UND_ERR_RES_EXCEEDED_MAX_SIZE')), 'body_too_large');
    assert.equal(classifyError(new Error('something else')), 'other');
  });
});

describe('LOAD_MAX_BODY', () => {
  test('bytes or a size with a unit', () => {
    assert.equal(parseByteSize('1048576', 'LOAD_MAX_BODY'), 1_048_576);
    assert.equal(parseByteSize('512KiB', 'LOAD_MAX_BODY'), 512 * 1024);
    assert.equal(parseByteSize('1MiB', 'LOAD_MAX_BODY'), 1024 * 1024);
    assert.equal(parseByteSize('1.5 MiB', 'LOAD_MAX_BODY'), 1.5 * 1024 * 1024);
    assert.equal(parseByteSize('2MB', 'LOAD_MAX_BODY'), 2_000_000);
    assert.equal(parseByteSize('64kib', 'LOAD_MAX_BODY'), 64 * 1024);
    assert.equal(parseByteSize('100B', 'LOAD_MAX_BODY'), 100);
  });

  test('the default is 1 MiB, in the configuration and in the HTTP layer', () => {
    assert.equal(parseByteSize(DEFAULTS.maxBody, 'LOAD_MAX_BODY'), DEFAULT_MAX_BODY_BYTES);
    assert.equal(DEFAULT_MAX_BODY_BYTES, 1024 * 1024);
    assert.equal(loadConfig(smoke, {}).maxBodyBytes, 1024 * 1024);
    assert.equal(loadConfig(smoke, { LOAD_MAX_BODY: '256KiB' }).maxBodyBytes, 256 * 1024);
  });

  for (const bad of ['abc', '1 MiBs', '-1', '0', '1TB', '2GiB', '1e6', 'MiB']) {
    test(`'${bad}' is a ConfigError naming LOAD_MAX_BODY, on one line`, () => {
      const error = configErrorOf(() => loadConfig(smoke, { LOAD_MAX_BODY: bad }));
      assert.equal(error.variable, 'LOAD_MAX_BODY');
      assert.ok(error.message.startsWith('LOAD_MAX_BODY: '), error.message);
      assert.ok(error.message.includes(`'${bad}'`), error.message);
      assert.ok(!error.message.includes('\n'));
    });
  }
});
