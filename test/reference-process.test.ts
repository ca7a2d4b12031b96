/**
 * The reference API as a process: `tsx reference-api/src/main.ts` on a free port, signed in
 * to, stopped with SIGTERM (exit 0); a bad variable ends it with one line and exit 2.
 * Also the add-user command against a file database.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { MAIN } from '../reference-api/testing/harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN_TS = 'reference-api/src/main.ts';
const ADD_USER_TS = 'reference-api/src/cli/add-user.ts';

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, env: Record<string, string>, args: string[] = [], stdin?: string): { child: ChildProcessWithoutNullStreams; done: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (stdin !== undefined) child.stdin.end(stdin);
  const done = new Promise<Finished>((resolveDone) => child.once('exit', (code) => resolveDone({ code, stdout, stderr })));
  return { child, done };
}

async function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms: ${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolveLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}`));
    });
  });
}

const signIn = (base: string, email: string, password: string) =>
  fetch(`${base}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

test('main.ts starts, serves a sign-in, logs one line per request and exits 0 on SIGTERM', async (t) => {
  const port = await freePort();
  const { child, done } = run(MAIN_TS, { REFERENCE_PORT: String(port), PASSWORD_HASH_COST: '10' });
  t.after(() => child.kill('SIGKILL'));
  const line = await waitForLine(child, /^reference API listening on /);
  assert.match(line, new RegExp(`^reference API listening on http://127\\.0\\.0\\.1:${port} \\(fault: none, `));

  const res = await signIn(`http://127.0.0.1:${port}`, MAIN.email, MAIN.password);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { access_token: string };

  child.kill('SIGTERM');
  const finished = await done;
  assert.equal(finished.code, 0);
  assert.match(finished.stdout, /^POST \/auth\/sign-in 200 [\d.]+ms$/m);
  assert.ok(!finished.stdout.includes(MAIN.password));
  assert.ok(!finished.stdout.includes(body.access_token));
  assert.equal(finished.stderr, '');
});

test('main.ts with port 0 reports the port it got', async (t) => {
  const { child, done } = run(MAIN_TS, { REFERENCE_PORT: '0', PASSWORD_HASH_COST: '10', REFERENCE_SEED: 'none' });
  t.after(() => child.kill('SIGKILL'));
  const line = await waitForLine(child, /^reference API listening on /);
  const port = Number(/:(\d+) /.exec(line)?.[1]);
  assert.ok(port > 0);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  child.kill('SIGINT');
  assert.equal((await done).code, 0);
});

for (const [variable, value] of [
  ['ACCESS_TOKEN_TTL', 'soon'],
  ['REFERENCE_FAULT', 'bogus'],
  ['PASSWORD_HASH_COST', '30'],
] as const) {
  test(`a bad ${variable} ends main.ts with one line and exit 2`, async () => {
    const { done } = run(MAIN_TS, { [variable]: value });
    const finished = await done;
    assert.equal(finished.code, 2);
    const lines = finished.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, finished.stderr);
    assert.match(lines[0]!, new RegExp(`^CONFIG_INVALID: ${variable}: `));
    assert.doesNotMatch(finished.stderr, /\s+at\s|\.ts:\d+/);
    assert.equal(finished.stdout, '');
  });
}

test('add-user adds a user to a file database who can then sign in', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reference-add-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'ref.db');
  const password = 'Another-Strong-Passw0rd';
  const env = { REFERENCE_DB: db, PASSWORD_HASH_COST: '10' };

  // Without the organization flag on an empty database: one line, exit 2.
  const missingOrg = await run(ADD_USER_TS, env, ['--email', 'new@puppilot.test', '--name', 'New User', '--organization', 'Acme', '--password-stdin'], password).done;
  assert.equal(missingOrg.code, 2);
  assert.equal(missingOrg.stderr.trimEnd().split('\n').length, 1);
  assert.match(missingOrg.stderr, /^USAGE: no organization/);

  const added = await run(
    ADD_USER_TS,
    env,
    ['--email', 'new@puppilot.test', '--name', 'New User', '--organization', 'Acme', '--create-organization', '--password-stdin'],
    `${password}\n`,
  ).done;
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /^added user [0-9a-f-]{36} <new@puppilot.test> to organization [0-9a-f-]{36} \(Acme\)$/m);
  assert.ok(!added.stdout.includes(password));

  const duplicate = await run(ADD_USER_TS, { ...env, NEW_USER_PASSWORD: password }, ['--email', 'NEW@puppilot.test', '--name', 'X', '--organization', 'Acme']).done;
  assert.equal(duplicate.code, 2);
  assert.match(duplicate.stderr, /already exists/);

  const weak = await run(ADD_USER_TS, { ...env, NEW_USER_PASSWORD: 'short' }, ['--email', 'w@puppilot.test', '--name', 'W', '--organization', 'Acme']).done;
  assert.equal(weak.code, 2);
  assert.ok(!weak.stderr.includes('short'));

  const port = await freePort();
  const server = run(MAIN_TS, { ...env, REFERENCE_PORT: String(port), REFERENCE_SEED: 'none' });
  t.after(() => server.child.kill('SIGKILL'));
  await waitForLine(server.child, /^reference API listening on /);
  const res = await signIn(`http://127.0.0.1:${port}`, 'new@puppilot.test', password);
  assert.equal(res.status, 200);
  server.child.kill('SIGTERM');
  assert.equal((await server.done).code, 0);
});
