/**
 * The shape of the issued tokens (contracts/CONTRACT.md decision 6): compact JWTs with an
 * allowlisted algorithm (never `none`), JSON header and claims, `exp` claims that equal the
 * body's expiry times, no `iat` from the future, `sub` naming the user where present, two
 * distinct tokens, and (when the suite has the key) signatures that verify.
 * Nothing here assumes the reference API's algorithm, key or claim set. The rules on the
 * body are those of contracts/rules.ts, shared with the load checks.
 */
import {
  expClaimsMatchExpiry,
  issuedAtNotInFuture,
  readJwt,
  subjectIsUser,
  tokenAlgorithmsAllowed,
  tokensAreCompactJwts,
  tokensDiffer,
} from '../contracts/index.ts';
import { expect, requireCapability, test } from './fixtures.ts';
import { refreshOk, signInOk } from './support/flows.ts';
import { tamperSignature, verifySignature } from './support/jwt.ts';
import { answerClock, serverTime } from './support/server-time.ts';

const TOKENS = ['access_token', 'refresh_token'] as const;
type TokenName = (typeof TOKENS)[number];

/** How many of the two tokens carry `claim` (for a note when neither does). */
const carrying = (body: Record<TokenName, string>, claim: string) => TOKENS.filter((name) => readJwt(body[name])?.payload[claim] !== undefined).length;

test.describe('token shape', () => {
  test('both tokens are compact JWTs with JSON header and claims @smoke', async ({ sharedSession: session }) => {
    expect(tokensAreCompactJwts(session)).toHaveNoViolations();
  });

  test('header alg is one of the allowed algorithms, never none', async ({ sharedSession: session, config }) => {
    expect(tokenAlgorithmsAllowed(session, config.jwt.algorithms), 'alg must be allowlisted (JWT_ALGORITHMS)').toHaveNoViolations();
  });

  test('the exp claims equal expires_at and refresh_expires_at', async ({ sharedSession: session }) => {
    expect(expClaimsMatchExpiry(session)).toHaveNoViolations();
  });

  test('iat, where present, is not in the future of the server clock', async ({ api, config }, testInfo) => {
    const { res, tokens } = await signInOk(api, config.user);
    if (!serverTime(res).fromDateHeader) testInfo.annotations.push({ type: 'note', description: 'no Date header: judged against the local clock' });
    expect(issuedAtNotInFuture(tokens, answerClock(res, config.clockSkewSeconds))).toHaveNoViolations();
    if (carrying(tokens, 'iat') === 0) testInfo.annotations.push({ type: 'note', description: 'neither token carries iat' });
  });

  test('sub, where present, identifies user.id', async ({ sharedSession: session }, testInfo) => {
    expect(subjectIsUser(session)).toHaveNoViolations();
    if (carrying(session, 'sub') === 0) testInfo.annotations.push({ type: 'note', description: 'neither token carries sub' });
  });

  test('the access token and the refresh token differ', async ({ sharedSession: session }) => {
    // A rule's message never prints a token.
    expect(tokensDiffer(session)).toHaveNoViolations();
  });

  test('tokens issued by a refresh have the same shape and exp claims', async ({ api, session, config }) => {
    const { tokens } = await refreshOk(api, session.refresh_token);
    expect(
      [...tokensAreCompactJwts(tokens), ...tokenAlgorithmsAllowed(tokens, config.jwt.algorithms), ...expClaimsMatchExpiry(tokens), ...subjectIsUser(tokens), ...tokensDiffer(tokens)],
      'refreshed tokens',
    ).toHaveNoViolations();
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
