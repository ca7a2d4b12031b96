/**
 * The shape of the issued tokens (contracts/CONTRACT.md decision 6): compact JWTs with an
 * allowlisted algorithm (never `none`), JSON header and claims, `exp` claims that equal the
 * body's expiry times, no `iat` from the future, `sub` naming the user where present, two
 * distinct tokens, and (when the suite has the key) signatures that verify.
 * Nothing here assumes the reference API's algorithm, key or claim set.
 */
import { expect, requireCapability, test } from './fixtures.ts';
import { refreshOk, signInOk } from './support/flows.ts';
import { decodeJwtParts, isAlgNone, isCompactJws, signaturePart, tamperSignature, verifySignature } from './support/jwt.ts';
import { serverTime } from './support/server-time.ts';

const TOKENS = ['access_token', 'refresh_token'] as const;
type TokenName = (typeof TOKENS)[number];

/** The body field each token's `exp` claim must equal. */
const EXPIRY_FIELD: Record<TokenName, 'expires_at' | 'refresh_expires_at'> = {
  access_token: 'expires_at',
  refresh_token: 'refresh_expires_at',
};

test.describe('token shape', () => {
  test('both tokens are compact JWTs with JSON header and claims @smoke', async ({ sharedSession: session }) => {
    for (const name of TOKENS) {
      const token = session[name];
      expect(isCompactJws(token), `${name} is not a compact JWT (three base64url parts)`).toBe(true);
      expect(signaturePart(token).length, `${name} has an empty signature part`).toBeGreaterThan(0);
      expect(() => decodeJwtParts(token), `${name}: header and claims must decode as JSON objects`).not.toThrow();
    }
  });

  test('header alg is one of the allowed algorithms, never none', async ({ sharedSession: session, config }) => {
    for (const name of TOKENS) {
      const { header } = decodeJwtParts(session[name]);
      expect(isAlgNone(header.alg), `${name} is unsigned (alg none)`).toBe(false);
      expect(config.jwt.algorithms, `${name}: alg must be allowlisted (JWT_ALGORITHMS)`).toContain(header.alg);
    }
  });

  test('the exp claims equal expires_at and refresh_expires_at', async ({ sharedSession: session }) => {
    for (const name of TOKENS) {
      const { payload } = decodeJwtParts(session[name]);
      expect(payload.exp, `${name} exp claim must equal ${EXPIRY_FIELD[name]}`).toBe(session[EXPIRY_FIELD[name]]);
    }
  });

  test('iat, where present, is not in the future of the server clock', async ({ api, config }, testInfo) => {
    const { res, tokens } = await signInOk(api, config.user);
    const now = serverTime(res);
    if (!now.fromDateHeader) testInfo.annotations.push({ type: 'note', description: 'no Date header: judged against the local clock' });
    let seen = 0;
    for (const name of TOKENS) {
      const { payload } = decodeJwtParts(tokens[name]);
      if (payload.iat === undefined) continue;
      seen += 1;
      expect(typeof payload.iat, `${name} iat must be a NumericDate`).toBe('number');
      expect(payload.iat, `${name} iat lies beyond the server's Date plus ${config.clockSkewSeconds} s skew`).toBeLessThanOrEqual(
        now.seconds + config.clockSkewSeconds,
      );
    }
    if (seen === 0) testInfo.annotations.push({ type: 'note', description: 'neither token carries iat' });
  });

  test('sub, where present, identifies user.id', async ({ sharedSession: session }, testInfo) => {
    let seen = 0;
    for (const name of TOKENS) {
      const { payload } = decodeJwtParts(session[name]);
      if (payload.sub === undefined) continue;
      seen += 1;
      expect(payload.sub, `${name} sub must be the user's id`).toBe(session.user.id);
    }
    if (seen === 0) testInfo.annotations.push({ type: 'note', description: 'neither token carries sub' });
  });

  test('the access token and the refresh token differ', async ({ sharedSession: session }) => {
    // Compared as a boolean so a failure never prints a token.
    expect(session.access_token === session.refresh_token, 'the refresh token is the access token').toBe(false);
  });

  test('tokens issued by a refresh have the same shape and exp claims', async ({ api, session, config }) => {
    const { tokens } = await refreshOk(api, session.refresh_token);
    for (const name of TOKENS) {
      const token = tokens[name];
      expect(isCompactJws(token), `refreshed ${name} is not a compact JWT`).toBe(true);
      const { header, payload } = decodeJwtParts(token);
      expect(isAlgNone(header.alg), `refreshed ${name} is unsigned (alg none)`).toBe(false);
      expect(config.jwt.algorithms, `refreshed ${name}: alg must be allowlisted`).toContain(header.alg);
      expect(payload.exp, `refreshed ${name} exp claim must equal ${EXPIRY_FIELD[name]}`).toBe(tokens[EXPIRY_FIELD[name]]);
      if (payload.sub !== undefined) expect(payload.sub, `refreshed ${name} sub must be the user's id`).toBe(tokens.user.id);
    }
    expect(tokens.access_token === tokens.refresh_token, 'the refreshed refresh token is the access token').toBe(false);
  });
});

test.describe('token signatures', () => {
  // Only tokens from the main target: the expiry target may sign with another key.
  test('both signatures verify with the configured key', async ({ sharedSession: session, config, verifyKey }) => {
    requireCapability(config, 'signatureVerification');
    expect(verifyKey, 'signature verification needs JWT_JWKS_URL or JWT_VERIFY_KEY').toBeDefined();
    for (const name of TOKENS) {
      await expect(verifySignature(session[name], verifyKey!, config), `${name} signature must verify`).resolves.toBeDefined();
    }
  });

  test('a token with a tampered signature does not verify', async ({ sharedSession: session, config, verifyKey }) => {
    requireCapability(config, 'signatureVerification');
    expect(verifyKey, 'signature verification needs JWT_JWKS_URL or JWT_VERIFY_KEY').toBeDefined();
    for (const name of TOKENS) {
      await expect(verifySignature(session[name], verifyKey!, config), `${name} must verify untouched`).resolves.toBeDefined();
      await expect(verifySignature(tamperSignature(session[name]), verifyKey!, config), `tampered ${name} verified`).rejects.toThrow();
    }
  });
});
