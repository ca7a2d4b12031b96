/**
 * Starts the embedded reference API as a child process on a free loopback port and stops
 * it again: for the self-check, the project's tests and the benchmarks. (The contract
 * suite itself has Playwright's webServer start it.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { PROJECT_ROOT, readSeedAccounts, REFERENCE_SEED_FILE, SAME_CLOCK_SKEW_SECONDS } from './config.ts';
import { SuiteError } from './errors.ts';

export interface RunningReference {
  url: string;
  port: number;
  /** Sends SIGTERM and waits for the process to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Children still running: ended with this process, even when it is interrupted. */
const running = new Set<ChildProcess>();
let cleanupInstalled = false;

function endChildrenWithThisProcess(exitOnSignal: boolean): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
  if (!exitOnSignal) return;
  // A signal's default action skips 'exit' handlers: turn it into an orderly exit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `reference-api/src/main.ts` (or `bundle`, reference-bundle.ts) with `env` on top
 * of the environment (request logs off unless asked) and resolves once its JWKS answers.
 */
export async function startReference(
  env: Record<string, string> = {},
  {
    readyTimeoutMs = 30_000,
    // A caller with its own orderly shutdown (a load run writing its summary) handles signals itself.
    exitOnSignal = true,
    bundle = undefined as string | undefined,
  } = {},
): Promise<RunningReference> {
  const port = await freePort();
  // A bundle does not sit beside the seed file its source finds by its own location.
  const entry = bundle === undefined ? { args: ['--import', 'tsx', 'reference-api/src/main.ts'], env: {} } : { args: [bundle], env: { REFERENCE_SEED: REFERENCE_SEED_FILE } };
  const child = spawn(process.execPath, entry.args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, REFERENCE_LOG: 'off', ...entry.env, ...env, REFERENCE_HOST: '127.0.0.1', REFERENCE_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  endChildrenWithThisProcess(exitOnSignal);
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new SuiteError('TARGET_UNREACHABLE', `the reference API exited with ${child.exitCode}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    }
    try {
      const res = await fetch(`${url}/.well-known/jwks.json`);
      if (res.ok) return { url, port, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new SuiteError('TARGET_UNREACHABLE', `the reference API did not answer on ${url} within ${readyTimeoutMs} ms`);
}

/**
 * The suite's variables for testing a running reference API as if it were any other
 * target: its URL and the seeded accounts (main, probe, reuse, lockout), with the JWKS it serves.
 * `expiry` is a short-TTL instance for the expiry waits. The instances share this
 * machine's clock, so the clock allowance is the embedded target's.
 */
export function referenceTargetEnv(main: RunningReference, expiry?: RunningReference): Record<string, string> {
  const seed = readSeedAccounts();
  const account = (localPart: string) => seed.get(localPart)!;
  return {
    BASE_URL: main.url,
    TEST_USER_EMAIL: account('test').email,
    TEST_USER_PASSWORD: account('test').password,
    PROBE_USER_EMAIL: account('probe').email,
    PROBE_USER_PASSWORD: account('probe').password,
    REUSE_USER_EMAIL: account('reuse').email,
    REUSE_USER_PASSWORD: account('reuse').password,
    LOCKOUT_USER_EMAIL: account('lockout').email,
    LOCKOUT_USER_PASSWORD: account('lockout').password,
    JWT_JWKS_URL: `${main.url}/.well-known/jwks.json`,
    CLOCK_SKEW_SECONDS: String(SAME_CLOCK_SKEW_SECONDS),
    ...(expiry ? { EXPIRY_BASE_URL: expiry.url, CAP_EXPIRY_WAIT: 'true' } : {}),
  };
}
