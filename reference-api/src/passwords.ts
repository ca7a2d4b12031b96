/**
 * Password hashing with scrypt (node:crypto, run on libuv's thread pool so the event loop
 * stays free). The stored form carries its own parameters, `scrypt$N$r$p$salt$hash`
 * (salt and hash base64url), so hashes made at another cost still verify.
 *
 * Parameters follow OWASP's Password Storage Cheat Sheet: N=2^17, r=8, p=1 by default.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const BLOCK_SIZE = 8; // r
const PARALLELISM = 1; // p
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/**
 * The key derivation every hash and verification goes through. Tests pass a wrapper that
 * records each call, to see that a code path did the work rather than time it.
 */
export type DeriveKey = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) => Promise<Buffer>;

export const scrypt: DeriveKey = (password, salt, keyLength, options) =>
  new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

/** scrypt needs 128·N·r bytes; node refuses above `maxmem` (32 MiB by default), so give it room. */
const maxmemFor = (N: number, r: number) => 256 * N * r;

interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const ENCODED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function decode(encoded: string): ScryptHash | null {
  const match = ENCODED.exec(encoded);
  if (!match) return null;
  const [, N, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const parsed = { N: Number(N), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
  // Refuse parameters that would let a tampered row exhaust memory or CPU.
  const sane = parsed.N >= 2 && parsed.N <= 2 ** 20 && (parsed.N & (parsed.N - 1)) === 0 && parsed.r >= 1 && parsed.r <= 32 && parsed.p >= 1 && parsed.p <= 16;
  return sane && parsed.hash.length > 0 ? parsed : null;
}

const encode = ({ N, r, p, salt, hash }: ScryptHash) =>
  `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;

export interface PasswordHasher {
  /** The configured cost as log2(N). */
  readonly cost: number;
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false for a malformed stored hash. */
  verify(password: string, encoded: string): Promise<boolean>;
  /**
   * Does the work of one verification against a precomputed dummy hash and returns false.
   * Called when the email is unknown, so that a response's timing does not reveal whether
   * an account exists (OWASP Authentication Cheat Sheet, "Authentication responses").
   */
  verifyAgainstDummy(password: string): Promise<false>;
}

/** A new salted hash at `cost` (log2 of N). */
export async function hashPassword(password: string, cost: number, derive: DeriveKey = scrypt): Promise<string> {
  const N = 2 ** cost;
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: maxmemFor(N, BLOCK_SIZE) });
  return encode({ N, r: BLOCK_SIZE, p: PARALLELISM, salt, hash: key });
}

/** Recomputes with the parameters stored in `encoded`; constant-time comparison. */
export async function verifyPassword(password: string, encoded: string, derive: DeriveKey = scrypt): Promise<boolean> {
  const stored = decode(encoded);
  if (!stored) return false;
  const key = await derive(password, stored.salt, stored.hash.length, {
    N: stored.N,
    r: stored.r,
    p: stored.p,
    maxmem: maxmemFor(stored.N, stored.r),
  });
  return timingSafeEqual(key, stored.hash);
}

export async function createPasswordHasher(cost: number, derive: DeriveKey = scrypt): Promise<PasswordHasher> {
  const hash = (password: string) => hashPassword(password, cost, derive);
  const verify = (password: string, encoded: string) => verifyPassword(password, encoded, derive);

  // A hash of random bytes nobody knows: verifying against it costs exactly what a real
  // verification at the configured cost costs, and can never succeed.
  const dummy = await hash(randomBytes(32).toString('base64url'));

  return {
    cost,
    hash,
    verify,
    async verifyAgainstDummy(password: string): Promise<false> {
      await verify(password, dummy);
      return false;
    },
  };
}
