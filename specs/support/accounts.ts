/**
 * Accounts that tests must not share while they use them: the probe account (wrong
 * passwords) and the reuse account (replayed refresh tokens).
 *
 * Wrong-password probes without locking anyone out.
 *
 * Wrong passwords go only to `config.probeUser` (which is the main account only on a
 * target that has no probe account). A lockout policy counting failed sign-ins per account
 * must never lock it, so:
 * - at most MAX_OUTSTANDING_FAILURES (2) failures are ever outstanding: before a third,
 *   the helper signs the probe in correctly, which any sane policy treats as a reset;
 * - the bound holds across the whole run, not per test: tests run in parallel worker
 *   processes, and four workers with two failures each would already be eight. The probe
 *   is therefore used under an exclusive cross-process lock (a directory created
 *   atomically in the OS temp dir, keyed by target and account), held from the first wrong
 *   password until the closing correct sign-in. A crashed holder is detected (its process
 *   is gone, or it stopped refreshing the lock) and its lock taken over.
 * - on release, outstanding failures are cleared by a correct sign-in, so the next user
 *   (or the next run) starts from zero.
 *
 * Usage:
 *   await withProbeAccount(api, async (probe) => {
 *     const res = await probe.wrongPassword();
 *   });
 *
 * Replayed refresh tokens without disturbing other tests: a target may answer a replay by
 * revoking every session of the user (RFC 9700 §4.14.2 asks for at least the family), so
 * the tests that replay on purpose use `config.reuseUser` under the same kind of lock
 * (`withExclusiveAccount`, through the `reuseAccount` fixture), and no other test uses it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '../../lib/config.ts';
import type { ApiResponse, AuthApi } from './api.ts';

/** Failures allowed between two correct sign-ins: far below any sane lockout threshold. */
export const MAX_OUTSTANDING_FAILURES = 2;

const HEARTBEAT_MS = 1_000;
/** A lock whose holder has not refreshed it for this long is abandoned. */
const STALE_AFTER_MS = 30_000;
const POLL_MS = 25;

/** A random password that is certainly not the account's. */
export function wrongPasswordFor(account: Account): string {
  let candidate: string;
  do candidate = `Wrong-${randomUUID()}!`;
  while (candidate === account.password);
  return candidate;
}

/** An address no target has registered (RFC 2606 reserves .invalid). */
export function unknownEmail(): string {
  return `nobody-${randomUUID()}@example.invalid`;
}

export class ProbeAccount {
  private outstanding = 0;

  constructor(
    private readonly api: AuthApi,
    /** The account receiving wrong passwords: config.probeUser. */
    readonly account: Account,
  ) {}

  /** Failures sent since the last correct sign-in. */
  get outstandingFailures(): number {
    return this.outstanding;
  }

  /**
   * Signs in with `password` (a fresh wrong one by default); when the budget of
   * outstanding failures is used up, first signs in correctly. The returned response is
   * the attempt's alone: its elapsedMs does not include the reset.
   */
  async wrongPassword(password: string = wrongPasswordFor(this.account)): Promise<ApiResponse> {
    if (password === this.account.password) throw new Error('wrongPassword() was given the correct password');
    if (this.outstanding >= MAX_OUTSTANDING_FAILURES) await this.reset();
    this.outstanding++;
    const res = await this.api.signIn({ email: this.account.email, password });
    // A 200 (a target accepting the wrong password) is a reset in any policy.
    if (res.status === 200) this.outstanding = 0;
    return res;
  }

  /** Signs the probe in correctly, clearing its failure count; throws if that fails. */
  async reset(): Promise<void> {
    const res = await this.api.signIn(this.account);
    if (res.status !== 200) {
      throw new Error(
        `the probe account (${this.account.email}) did not sign in with its correct password after ${this.outstanding} ` +
          `failure(s): ${res.method} ${res.path} → ${res.status}. It may be locked out, or PROBE_USER_PASSWORD is wrong.`,
      );
    }
    this.outstanding = 0;
  }
}

/**
 * Runs `use` with exclusive use of `account` on `api`'s target, across every worker
 * process on this machine. The lock is per account, so two roles played by one account
 * (a target with no probe or reuse account of its own) still take turns.
 */
export async function withExclusiveAccount<T>(api: AuthApi, account: Account, use: () => Promise<T>): Promise<T> {
  const release = await acquireLock(`${api.baseUrl}\n${account.email.toLowerCase()}`, account.email);
  try {
    return await use();
  } finally {
    release();
  }
}

/** Runs `use` with exclusive use of the probe account; leaves it with no outstanding failure. */
export async function withProbeAccount<T>(api: AuthApi, use: (probe: ProbeAccount) => Promise<T>): Promise<T> {
  const probe = new ProbeAccount(api, api.config.probeUser);
  return withExclusiveAccount(api, probe.account, async () => {
    try {
      return await use(probe);
    } finally {
      if (probe.outstandingFailures > 0) await probe.reset();
    }
  });
}

interface LockOwner {
  pid: number;
  token: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** True when the lock at `dir` is abandoned: its holder died or stopped refreshing it. */
function abandoned(dir: string): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(dir).mtimeMs;
  } catch {
    return false; // gone already: the next mkdir will tell
  }
  const age = Date.now() - mtimeMs;
  if (age > STALE_AFTER_MS) return true;
  const owner = readOwner(dir);
  // No owner file yet: the holder is between mkdir and write; give it a moment.
  if (owner === undefined) return age > 2_000;
  return !processAlive(owner.pid);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An exclusive lock shared by every process on this machine; resolves to its release function. */
async function acquireLock(key: string, what: string, timeoutMs = 120_000): Promise<() => void> {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 24);
  const dir = join(tmpdir(), `puppilot-contract-account-${digest}.lock`);
  const token = randomUUID();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, token } satisfies LockOwner));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (abandoned(dir)) {
      // Renaming is atomic: of several processes seeing the same abandoned lock, one wins.
      const grave = `${dir}.abandoned-${token}`;
      try {
        renameSync(dir, grave);
        rmSync(grave, { recursive: true, force: true });
      } catch {
        /* another process took it over first */
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for exclusive use of ${what} (lock ${dir})`);
    await sleep(POLL_MS + Math.random() * POLL_MS);
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(dir, now, now);
    } catch {
      /* released or taken over; release() below reports nothing either */
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    if (readOwner(dir)?.token === token) rmSync(dir, { recursive: true, force: true });
  };
}
