/**
 * The service's behaviour switches. Production behaviour is PRODUCTION_BEHAVIOUR; a fault
 * (faults.ts) is a different Behaviour value, built once at start-up and handed to the
 * services. Services read plain fields, so an instance without a fault pays nothing, and
 * no module needs to know which faults exist.
 */
import type { Clock } from './clock.ts';
import type { ReferenceStore } from './db.ts';

export type SigningAlgorithm = 'ES256' | 'RS256' | 'none';

export type CredentialFailure = 'unknown-email' | 'wrong-password';

export interface SignInBehaviour {
  /** Any password is accepted for an existing account. */
  acceptAnyPassword: boolean;
  /** Hash the submitted password against a dummy hash when the email is unknown, so timing is equal. */
  equalWorkForUnknownEmail: boolean;
  /** The status and detail of a rejected sign-in. Production: identical for both reasons. */
  rejection(reason: CredentialFailure): { status: number; detail: string };
}

export interface TokenBehaviour {
  algorithm: SigningAlgorithm;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Added to the access token's exp claim only (the body's expires_at keeps the true value). */
  accessExpClaimSkewSeconds: number;
  /** Added to the iat claim of both tokens. */
  iatSkewSeconds: number;
  /** The "refresh token" handed out is the access token itself. */
  refreshTokenIsAccessToken: boolean;
  /**
   * Verification takes an HS256 token with the signing key's public key (its SPKI PEM text)
   * as the HMAC secret: algorithm confusion (RFC 8725 §2.1). Production: false.
   */
  acceptHmacWithPublicKey: boolean;
  /**
   * Verification trusts a key location named in the token's header: 'jku' (a JWK Set URL)
   * or 'x5u' (an X.509 certificate URL), fetched from loopback addresses only (RFC 8725
   * §3.1 says never to). Production: 'none', only the server's own key counts.
   */
  trustHeaderKeyUrl: 'none' | 'jku' | 'x5u';
}

export interface RefreshBehaviour {
  acceptAccessTokens: boolean;
  verifySignature: boolean;
  checkExpiry: boolean;
  /** 'rotate': a new refresh token per refresh; 'none': the presented one is handed back. */
  rotation: 'rotate' | 'none';
  /**
   * How the presented token is marked used. 'atomic': one conditional UPDATE in a
   * transaction, so of concurrent refreshes at most one wins; 'check-then-update': read,
   * await, write (a race); 'never': the token stays usable.
   */
  consume: 'atomic' | 'check-then-update' | 'never';
  /**
   * What a replayed refresh token revokes. 'family': its whole family, the successor
   * included (RFC 9700 §4.14.2); 'user': every refresh token of its user (some servers log
   * out everywhere on a detected theft; the contract allows it); 'successor': only the
   * token issued directly from the replayed one (its parent link), not those issued
   * further down the chain; 'none': nothing.
   */
  revokeOnReuse: 'family' | 'user' | 'successor' | 'none';
  /**
   * An Authorization header on a refresh must carry a valid, unexpired access token.
   * Production ignores the header: decision 1 lets a client with an expired one refresh.
   */
  requireValidBearer: boolean;
}

export interface ChatBehaviour {
  requireToken: boolean;
  verifySignature: boolean;
  checkExpiry: boolean;
  acceptRefreshTokens: boolean;
  /**
   * How the Authorization header is read. 'bearer': the Bearer scheme in any case (RFC 9110
   * §11.1); 'exact-case': only "Bearer"; 'any-scheme': the second word, whatever the scheme.
   */
  scheme: 'bearer' | 'exact-case' | 'any-scheme';
  /** A missing or empty X-API-Version gets 422. */
  requireApiVersion: boolean;
  /** Numbers, booleans and null in the body's string fields are turned into strings before validation. */
  coerceTypes: boolean;
}

export interface LockoutBehaviour {
  enabled: boolean;
  /** Failures for unknown emails count too, so a 429 reveals nothing about registration. */
  countUnknownEmails: boolean;
  /** A locked email gets 429 before its password is looked at, the right one included. */
  checkBeforePassword: boolean;
}

/** A response on its way out, as the response mutation hook sees it. */
export interface OutgoingResponse {
  readonly method: string;
  /** The route's URL pattern, e.g. '/auth/sign-in'; the raw path for unknown routes. */
  readonly route: string;
  /** A 200 from sign-in or refresh. */
  readonly isTokenResponse: boolean;
  /** The request body: its JSON value, its text when it is not JSON, undefined when absent. */
  readonly requestBody: unknown;
  status: number;
  /** The parsed JSON body (undefined when the body is not JSON); assign to replace it. */
  body: unknown;
  /** Set to send this text instead of any body (a page that is not JSON); set content-type too. */
  rawText?: string;
  getHeader(name: string): string | undefined;
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  /** Closes the connection without answering: the client sees it reset. */
  destroyConnection(): void;
}

export interface MutationContext {
  store: ReferenceStore;
  /** The app's clock: faults that act on time read it, so tests can put them at any moment. */
  clock: Clock;
}

/** Rewrites a response before it is sent (status, headers, body). Only faults install one. */
export type ResponseMutation = (response: OutgoingResponse, context: MutationContext) => void | Promise<void>;

export interface Behaviour {
  signIn: SignInBehaviour;
  tokens: TokenBehaviour;
  refresh: RefreshBehaviour;
  chat: ChatBehaviour;
  lockout: LockoutBehaviour;
  /** null in production: no onSend hook is registered at all. */
  mutateResponse: ResponseMutation | null;
}

/** The one 401 text for any failed sign-in (the contract: same status and body whatever the reason). */
export const INVALID_CREDENTIALS_DETAIL = 'Incorrect email or password';

export interface TtlSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export function productionBehaviour(ttls: TtlSettings): Behaviour {
  return {
    signIn: {
      acceptAnyPassword: false,
      equalWorkForUnknownEmail: true,
      rejection: () => ({ status: 401, detail: INVALID_CREDENTIALS_DETAIL }),
    },
    tokens: {
      algorithm: 'ES256',
      accessTtlSeconds: ttls.accessTokenTtlSeconds,
      refreshTtlSeconds: ttls.refreshTokenTtlSeconds,
      accessExpClaimSkewSeconds: 0,
      iatSkewSeconds: 0,
      refreshTokenIsAccessToken: false,
      acceptHmacWithPublicKey: false,
      trustHeaderKeyUrl: 'none',
    },
    refresh: {
      acceptAccessTokens: false,
      verifySignature: true,
      checkExpiry: true,
      rotation: 'rotate',
      consume: 'atomic',
      revokeOnReuse: 'family',
      requireValidBearer: false,
    },
    chat: {
      requireToken: true,
      verifySignature: true,
      checkExpiry: true,
      acceptRefreshTokens: false,
      scheme: 'bearer',
      requireApiVersion: true,
      coerceTypes: false,
    },
    lockout: { enabled: true, countUnknownEmails: true, checkBeforePassword: true },
    mutateResponse: null,
  };
}
