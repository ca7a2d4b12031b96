/**
 * Verifying and forging the tokens a target issues. Nothing here assumes the reference
 * API's algorithm, key or claims beyond what contracts/CONTRACT.md decision 6 states.
 * Reading them (shape, header, claims) is contracts/rules.ts's business.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { SuiteConfig } from '../../lib/config.ts';

/** The same token with one character of its signature changed. */
export function tamperSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const c = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${c}${signature.slice(i + 1)}`;
}

/** The same token with a claim changed and the original signature kept. */
export function tamperClaim(token: string, claim: string, value: unknown): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims[claim] = value;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** The token re-encoded with `alg: none` and no signature: the classic downgrade. */
export function algNone(token: string): string {
  const [, payload] = token.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}

export type VerifyKey = Uint8Array | KeyObject | ReturnType<typeof createRemoteJWKSet>;

/** The key to verify signatures with, from JWT_JWKS_URL or JWT_VERIFY_KEY; undefined if neither. */
export function verificationKey(config: SuiteConfig): VerifyKey | undefined {
  if (config.jwt.jwksUrl) return createRemoteJWKSet(new URL(config.jwt.jwksUrl));
  const given = config.jwt.verifyKey;
  if (given === undefined) return undefined;
  const text = existsSync(given) ? readFileSync(given, 'utf8') : given;
  if (text.includes('-----BEGIN')) return createPublicKey(text) as KeyObject;
  return new TextEncoder().encode(text);
}

/** Verifies the signature against the configured key with the allowlisted algorithms only. */
export async function verifySignature(token: string, key: VerifyKey, config: SuiteConfig): Promise<JWTPayload> {
  // Expiry and audience are the subject of other tests; here only the signature counts.
  const options = { algorithms: [...config.jwt.algorithms], clockTolerance: Number.MAX_SAFE_INTEGER };
  const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
  return payload;
}

/** The signature part of a compact JWS ('' when it has none). */
export function signaturePart(token: string): string {
  return token.split('.')[2] ?? '';
}

/** Truncated forms of a token, by a name that never contains the token itself. */
export function truncatedVariants(token: string): Array<{ name: string; token: string }> {
  const [header = '', payload = ''] = token.split('.');
  return [
    { name: 'last character removed', token: token.slice(0, -1) },
    { name: 'half the signature removed', token: token.slice(0, token.length - Math.ceil(signaturePart(token).length / 2)) },
    { name: 'signature removed, trailing dot kept', token: `${header}.${payload}.` },
    { name: 'header and payload only', token: `${header}.${payload}` },
    { name: 'header only', token: header },
  ];
}
