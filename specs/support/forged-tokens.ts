/**
 * Tokens a target must never accept because their key does not come from the target
 * (contracts/CONTRACT.md decision 10, RFC 8725 §2.1 and §3.1):
 * - algorithm confusion: the token's claims re-signed with HS256, the HMAC secret being
 *   the bytes of the target's own public key, as a verifier that lets the header pick the
 *   algorithm would check it;
 * - key locations in the header: the claims signed with a key the suite made, its header
 *   naming (`jku`) a JWK Set or (`x5u`) a certificate that the suite serves itself.
 *
 * The suite's key server listens on 127.0.0.1 only, on a port the system picks; nothing
 * here ever sends traffic elsewhere.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, decodeProtectedHeader, exportJWK, type JWK } from 'jose';
import { existsSync, readFileSync } from 'node:fs';
import type { SuiteConfig } from '../../lib/config.ts';

const encoder = new TextEncoder();

/** The claims of `token`, signed anew with `key` under `header`. */
export async function resign(token: string, header: Record<string, unknown>, key: KeyObject | Uint8Array): Promise<string> {
  const payload = Buffer.from(token.split('.')[1] ?? '', 'base64url');
  return new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** The header fields of `token` worth keeping in a forgery (typ, kid). */
function keptHeader(token: string): Record<string, unknown> {
  const { typ, kid } = decodeProtectedHeader(token);
  return { ...(typ === undefined ? {} : { typ }), ...(kid === undefined ? {} : { kid }) };
}

export interface HmacSecret {
  /** Names the key and the encoding, never the bytes. */
  name: string;
  secret: Uint8Array;
}

/**
 * The target's public keys, from JWT_JWKS_URL (every key of the set) or a PEM
 * JWT_VERIFY_KEY; empty when neither gives one (an HMAC JWT_VERIFY_KEY is no public key).
 */
export async function targetPublicKeys(config: SuiteConfig): Promise<Array<{ name: string; key: KeyObject }>> {
  if (config.jwt.jwksUrl) {
    const response = await fetch(config.jwt.jwksUrl, { signal: AbortSignal.timeout(10_000) });
    const { keys = [] } = (await response.json()) as { keys?: JWK[] };
    return keys
      .filter((jwk) => jwk.kty === 'RSA' || jwk.kty === 'EC' || jwk.kty === 'OKP')
      .map((jwk, i) => ({ name: `JWKS key ${jwk.kid ? `"${jwk.kid}"` : `#${i + 1}`} (${jwk.kty})`, key: createPublicKey({ key: jwk as never, format: 'jwk' }) }));
  }
  const given = config.jwt.verifyKey;
  if (given === undefined) return [];
  const text = existsSync(given) ? readFileSync(given, 'utf8') : given;
  return text.includes('-----BEGIN') ? [{ name: 'JWT_VERIFY_KEY', key: createPublicKey(text) }] : [];
}

/** The encodings of a public key a confused verifier may use as HMAC secret. */
export function hmacSecretsFor(name: string, key: KeyObject): HmacSecret[] {
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  const secrets: HmacSecret[] = [
    { name: `${name} as SPKI PEM with a final newline`, secret: encoder.encode(pem.endsWith('\n') ? pem : `${pem}\n`) },
    { name: `${name} as SPKI PEM without a final newline`, secret: encoder.encode(pem.trimEnd()) },
    { name: `${name} as SPKI DER`, secret: new Uint8Array(key.export({ type: 'spki', format: 'der' })) },
  ];
  if (key.asymmetricKeyType === 'rsa') {
    secrets.push({ name: `${name} as PKCS#1 PEM`, secret: encoder.encode(key.export({ type: 'pkcs1', format: 'pem' }).toString()) });
  }
  return secrets;
}

/** `token`'s claims re-signed with HS256 and `secret`, its typ and kid kept. */
export function hmacConfused(token: string, secret: Uint8Array): Promise<string> {
  return resign(token, { ...keptHeader(token), alg: 'HS256' }, secret);
}

// ---------------------------------------------------------------------------------------
// The suite's own key, served on loopback

export interface KeyServer {
  /** URL of a JWK Set holding the suite's public key. */
  jwksUrl: string;
  /** URL of a self-signed X.509 certificate (PEM) for the same key. */
  certificateUrl: string;
  /** `token`'s claims signed with the suite's key, the header naming `jku` or `x5u`. */
  forge(token: string, via: 'jku' | 'x5u'): Promise<string>;
  /** Requests the server has answered (a target that fetched the key shows here). */
  readonly fetches: number;
  close(): Promise<void>;
}

/** Starts the key server on 127.0.0.1 (a free port); close it when done. */
export async function startKeyServer(): Promise<KeyServer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `contract-suite-${randomUUID()}`;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] });
  const certificate = selfSignedCertificatePem(privateKey, publicKey);
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    fetches += 1;
    const path = (request.url ?? '').split('?')[0];
    if (path === '/jwks.json') response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(jwks);
    else if (path === '/certificate.pem') response.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(certificate);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUrl = `${origin}/jwks.json`;
  const certificateUrl = `${origin}/certificate.pem`;
  return {
    jwksUrl,
    certificateUrl,
    forge: (token, via) =>
      resign(token, { ...keptHeader(token), alg: 'ES256', kid, ...(via === 'jku' ? { jku: jwksUrl } : { x5u: certificateUrl }) }, privateKey),
    get fetches() {
      return fetches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// A minimal self-signed certificate (DER by hand: Node parses certificates but makes none)

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const SEQUENCE = 0x30;
const ECDSA_WITH_SHA256 = der(SEQUENCE, Buffer.from('06082a8648ce3d040302', 'hex'));

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

function commonName(name: string): Buffer {
  return der(SEQUENCE, der(0x31, der(SEQUENCE, Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(name, 'utf8')))));
}

/** A v3 certificate for `publicKey`, signed by its own private key, valid for a day around now. */
export function selfSignedCertificatePem(privateKey: KeyObject, publicKey: KeyObject): string {
  const now = Date.now();
  const name = commonName('contract suite key');
  const tbs = der(
    SEQUENCE,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 256))])),
    ECDSA_WITH_SHA256,
    name,
    der(SEQUENCE, utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = der(SEQUENCE, tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}
