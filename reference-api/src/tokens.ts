/**
 * JWT access and refresh tokens (jose).
 *
 * Access token (RFC 9068 profile): header typ "at+jwt"; claims iss, aud, sub (user id),
 * org, jti, iat, exp, token_use "access". Refresh token: header typ "JWT"; claims iss,
 * a different aud, sub, jti, fam (rotation family), iat, exp, token_use "refresh".
 * Verification checks signature, alg, iss, aud, exp, typ and token_use, so neither kind
 * of token is accepted where the other is expected (RFC 9700 §4.12, §4.14; RFC 8725 §3.11).
 */
import { X509Certificate, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  SignJWT,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTHeaderParameters,
} from 'jose';
import { ConfigError } from '../../lib/errors.ts';
import type { TokenBehaviour } from './behaviour.ts';
import { unixSeconds, type Clock } from './clock.ts';

export const ISSUER = 'https://reference-api.puppilot.test';
/** Audience of access tokens: the resource endpoints. */
export const ACCESS_AUDIENCE = 'https://reference-api.puppilot.test/api';
/** Audience of refresh tokens: only the token endpoint, so no resource server accepts one. */
export const REFRESH_AUDIENCE = 'https://reference-api.puppilot.test/auth/refresh-token';

export type TokenUse = 'access' | 'refresh';

const TYP: Record<TokenUse, string> = { access: 'at+jwt', refresh: 'JWT' };
const AUDIENCE: Record<TokenUse, string> = { access: ACCESS_AUDIENCE, refresh: REFRESH_AUDIENCE };

/** Longest token we even try to parse; the request schema allows 8192 characters. */
const MAX_TOKEN_LENGTH = 8192;
/** jose wants a finite tolerance; a century is "ignore exp" for the faults that need it. */
const IGNORE_EXPIRY_TOLERANCE = 100 * 365 * 86_400;

export interface AccessClaims {
  sub: string;
  org: string;
  jti: string;
  iat: number;
  exp: number;
  token_use: 'access';
}

export interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  iat: number;
  exp: number;
  token_use: 'refresh';
}

export type VerifiedToken = { use: 'access'; claims: AccessClaims } | { use: 'refresh'; claims: RefreshClaims };

export interface VerifyPolicy {
  accept: ReadonlyArray<TokenUse>;
  verifySignature: boolean;
  checkExpiry: boolean;
}

export const STRICT_ACCESS: VerifyPolicy = { accept: ['access'], verifySignature: true, checkExpiry: true };
export const STRICT_REFRESH: VerifyPolicy = { accept: ['refresh'], verifySignature: true, checkExpiry: true };

// ---------------------------------------------------------------------------------------
// Keys

export interface SigningKey {
  alg: 'ES256' | 'RS256';
  kid: string;
  privateKey: KeyObject | CryptoKey;
  publicKey: KeyObject | CryptoKey;
  /** The public key as published in the JWKS. */
  publicJwk: JWK;
}

/** A fresh key pair per start, or the PKCS8 PEM private key at `pemPath` (ES256 only). */
export async function loadSigningKey(alg: 'ES256' | 'RS256', pemPath: string | null): Promise<SigningKey> {
  let privateKey: KeyObject | CryptoKey;
  let publicKey: KeyObject | CryptoKey;
  if (pemPath === null) {
    ({ privateKey, publicKey } = await generateKeyPair(alg, { extractable: true }));
  } else {
    ({ privateKey, publicKey } = readPrivateKeyFile(pemPath));
  }
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { alg, kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

function readPrivateKeyFile(pemPath: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const variable = 'REFERENCE_JWT_PRIVATE_KEY';
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: readFileSync(pemPath, 'utf8'), format: 'pem' });
  } catch {
    throw new ConfigError(variable, 'the file is not a readable PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(variable, 'the key must be an EC P-256 key (ES256)');
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

// ---------------------------------------------------------------------------------------
// Issuing and verifying

export interface IssuedAccessToken {
  token: string;
  /** Unix seconds; the body's expires_at. */
  expiresAt: number;
}

export interface RefreshTokenRequest {
  userId: string;
  jti: string;
  familyId: string;
  /** Unix seconds, as stored in the refresh-token record. */
  expiresAt: number;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class TokenService {
  constructor(
    private readonly key: SigningKey,
    private readonly behaviour: TokenBehaviour,
    private readonly clock: Clock,
  ) {}

  get accessTtlSeconds(): number {
    return this.behaviour.accessTtlSeconds;
  }

  get refreshTtlSeconds(): number {
    return this.behaviour.refreshTtlSeconds;
  }

  /** True only under the refresh-equals-access fault: the access token doubles as refresh token. */
  get handsOutAccessAsRefresh(): boolean {
    return this.behaviour.refreshTokenIsAccessToken;
  }

  /** The JWKS document (RFC 7517 §5): public keys only. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  async issueAccessToken(user: { id: string; organization_id: string }): Promise<IssuedAccessToken> {
    const now = unixSeconds(this.clock);
    const expiresAt = now + this.behaviour.accessTtlSeconds;
    const claims: AccessClaims = {
      sub: user.id,
      org: user.organization_id,
      jti: randomUUID(),
      iat: now + this.behaviour.iatSkewSeconds,
      exp: expiresAt + this.behaviour.accessExpClaimSkewSeconds,
      token_use: 'access',
    };
    return { token: await this.sign('access', claims), expiresAt };
  }

  /** The refresh token's expiry in Unix seconds, for a token issued now. */
  refreshExpiryFromNow(): number {
    return unixSeconds(this.clock) + this.behaviour.refreshTtlSeconds;
  }

  issueRefreshToken(request: RefreshTokenRequest): Promise<string> {
    const claims: RefreshClaims = {
      sub: request.userId,
      jti: request.jti,
      fam: request.familyId,
      iat: unixSeconds(this.clock) + this.behaviour.iatSkewSeconds,
      exp: request.expiresAt,
      token_use: 'refresh',
    };
    return this.sign('refresh', claims);
  }

  private async sign(use: TokenUse, claims: AccessClaims | RefreshClaims): Promise<string> {
    const payload = { iss: ISSUER, aud: AUDIENCE[use], ...claims };
    if (this.behaviour.algorithm === 'none') {
      return `${base64url({ alg: 'none', typ: TYP[use] })}.${base64url(payload)}.`;
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg: this.key.alg, typ: TYP[use], kid: this.key.kid })
      .sign(this.key.privateKey);
  }

  /** The verified token, or null for anything that fails any check (the caller answers 401). */
  async verify(token: string, policy: VerifyPolicy): Promise<VerifiedToken | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    try {
      const checkSignature = policy.verifySignature && this.behaviour.algorithm !== 'none';
      const options = {
        issuer: ISSUER,
        audience: policy.accept.map((use) => AUDIENCE[use]),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        currentDate: new Date(this.clock()),
        clockTolerance: policy.checkExpiry ? 0 : IGNORE_EXPIRY_TOLERANCE,
      };
      const faulty = checkSignature ? await this.faultyVerification(token) : undefined;
      const { payload, protectedHeader } = !checkSignature
        ? this.decodeWithoutSignature(token, policy)
        : faulty?.kind === 'remote-jwks'
          ? await jwtVerify(token, faulty.jwks, { ...options, algorithms: faulty.algorithms })
          : faulty?.kind === 'key'
            ? await jwtVerify(token, faulty.key, { ...options, algorithms: faulty.algorithms })
            : await jwtVerify(token, this.key.publicKey, { ...options, algorithms: [this.key.alg] });
      return classify(payload, protectedHeader, policy);
    } catch {
      return null;
    }
  }

  /**
   * The key a faulty instance takes from the token itself instead of its own (only the
   * faults hmac-public-key-accepted, trusts-jku-header and trusts-x5u-header get here).
   */
  private async faultyVerification(
    token: string,
  ): Promise<{ kind: 'key'; key: KeyObject | Uint8Array; algorithms: string[] } | { kind: 'remote-jwks'; jwks: ReturnType<typeof createRemoteJWKSet>; algorithms: string[] } | undefined> {
    const { acceptHmacWithPublicKey, trustHeaderKeyUrl } = this.behaviour;
    if (!acceptHmacWithPublicKey && trustHeaderKeyUrl === 'none') return undefined;
    const header = decodeProtectedHeader(token);
    if (acceptHmacWithPublicKey && header.alg === 'HS256') {
      const pem = await exportSPKI(this.key.publicKey);
      return { kind: 'key', key: new TextEncoder().encode(pem), algorithms: ['HS256'] };
    }
    const location = trustHeaderKeyUrl === 'jku' ? header.jku : trustHeaderKeyUrl === 'x5u' ? header.x5u : undefined;
    if (typeof location !== 'string' || typeof header.alg !== 'string') return undefined;
    const url = loopbackUrl(location);
    if (trustHeaderKeyUrl === 'jku') return { kind: 'remote-jwks', jwks: createRemoteJWKSet(url, { timeoutDuration: 2_000 }), algorithms: [header.alg] };
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const certificate = new X509Certificate(await response.text());
    return { kind: 'key', key: certificate.publicKey, algorithms: [header.alg] };
  }

  /** Only reachable through faults (alg-none, tampered-refresh-accepted, chat-ignores-signature). */
  private decodeWithoutSignature(token: string, policy: VerifyPolicy): { payload: JWTPayload; protectedHeader: JWTHeaderParameters } {
    const protectedHeader = decodeProtectedHeader(token) as JWTHeaderParameters;
    const payload = decodeJwt(token);
    if (payload.iss !== ISSUER) throw new Error('iss');
    if (typeof payload.exp !== 'number') throw new Error('exp');
    if (policy.checkExpiry && payload.exp <= unixSeconds(this.clock)) throw new Error('expired');
    return { payload, protectedHeader };
  }
}

/** A key URL from a token header, refused unless it is plain http on a loopback address. */
function loopbackUrl(location: string): URL {
  const url = new URL(location);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('not a loopback URL');
  return url;
}

/** Which kind of token this is, if every marker agrees (token_use, aud, typ) and it is accepted. */
function classify(payload: JWTPayload, header: JWTHeaderParameters, policy: VerifyPolicy): VerifiedToken | null {
  const use = payload.token_use;
  if (use !== 'access' && use !== 'refresh') return null;
  if (!policy.accept.includes(use)) return null;
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length !== 1 || audiences[0] !== AUDIENCE[use]) return null;
  if (header.typ?.toLowerCase() !== TYP[use].toLowerCase()) return null;
  const { sub, jti, iat, exp } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return null;
  if (use === 'access') {
    return typeof payload.org === 'string'
      ? { use, claims: { sub, jti, iat, exp, org: payload.org, token_use: use } }
      : null;
  }
  return typeof payload.fam === 'string' ? { use, claims: { sub, jti, iat, exp, fam: payload.fam, token_use: use } } : null;
}
