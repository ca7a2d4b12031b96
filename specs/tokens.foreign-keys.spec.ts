/**
 * Keys the token proposes (contracts/CONTRACT.md decision 10, RFC 8725 §2.1 and §3.1): a
 * target verifies with its own key and algorithm, never with what the token's header
 * says. The forgeries keep the claims of a genuine token (so only the key decides):
 * - algorithm confusion: re-signed with HS256, the HMAC secret being the target's public
 *   key in each encoding a confused verifier may use (needs the public key: JWT_JWKS_URL
 *   or a PEM JWT_VERIFY_KEY, CAP_ALG_CONFUSION);
 * - `jku` / `x5u`: signed with a key of the suite's own, which the header points to on a
 *   loopback server the suite runs for the test (specs/support/forged-tokens.ts).
 * Each must get 401 at the protected endpoint and at the refresh endpoint.
 */
import { expect, requireCapability, test } from './fixtures.ts';
import { BEARER_CHALLENGE } from './support/flows.ts';
import { hmacConfused, hmacSecretsFor, startKeyServer, targetPublicKeys, type KeyServer } from './support/forged-tokens.ts';
import { rememberSecret } from './support/secrets.ts';

test.describe('algorithm confusion: HS256 with the public key as HMAC secret', () => {
  test.beforeEach(({ config }) => requireCapability(config, 'algorithmConfusion'));

  test('the protected endpoint answers 401 to an access token re-signed so', async ({ api, config, sharedSession: session }) => {
    const keys = await targetPublicKeys(config);
    expect(keys.length, 'no public key could be read from JWT_JWKS_URL or JWT_VERIFY_KEY').toBeGreaterThan(0);
    for (const { name, key } of keys) {
      for (const { name: encoding, secret } of hmacSecretsFor(name, key)) {
        await test.step(encoding, async () => {
          const forged = await hmacConfused(session.access_token, secret);
          rememberSecret(forged);
          const res = await api.chat(forged);
          expect(res, `an HS256 access token keyed with ${encoding} opened the protected endpoint`).toHaveStatus(401);
          expect(res).toHaveHeader('www-authenticate', BEARER_CHALLENGE);
        });
      }
    }
  });

  test('the refresh endpoint answers 401 to a refresh token re-signed so', async ({ api, config, sharedSession: session }) => {
    const keys = await targetPublicKeys(config);
    expect(keys.length, 'no public key could be read from JWT_JWKS_URL or JWT_VERIFY_KEY').toBeGreaterThan(0);
    for (const { name, key } of keys) {
      for (const { name: encoding, secret } of hmacSecretsFor(name, key)) {
        await test.step(encoding, async () => {
          const forged = await hmacConfused(session.refresh_token, secret);
          rememberSecret(forged);
          const res = await api.refresh(forged);
          expect(res, `an HS256 refresh token keyed with ${encoding} was accepted`).toHaveStatus(401);
        });
      }
    }
  });
});

for (const via of ['jku', 'x5u'] as const) {
  const what = via === 'jku' ? 'a JWK Set URL (jku)' : 'a certificate URL (x5u)';
  test.describe(`a key location in the token header: ${what}`, () => {
    let keyServer: KeyServer;
    test.beforeEach(async () => {
      keyServer = await startKeyServer();
    });
    test.afterEach(async () => {
      await keyServer.close();
    });

    test(`the protected endpoint answers 401 to an access token signed with the suite's key, its header naming ${via}`, async ({ api, sharedSession: session }) => {
      const forged = await keyServer.forge(session.access_token, via);
      rememberSecret(forged);
      const res = await api.chat(forged);
      expect(res, `an access token whose ${via} points to a key of the sender's choosing opened the protected endpoint`).toHaveStatus(401);
      expect(res).toHaveHeader('www-authenticate', BEARER_CHALLENGE);
    });

    test(`the refresh endpoint answers 401 to a refresh token signed with the suite's key, its header naming ${via}`, async ({ api, sharedSession: session }) => {
      const forged = await keyServer.forge(session.refresh_token, via);
      rememberSecret(forged);
      const res = await api.refresh(forged);
      expect(res, `a refresh token whose ${via} points to a key of the sender's choosing was accepted`).toHaveStatus(401);
    });
  });
}
