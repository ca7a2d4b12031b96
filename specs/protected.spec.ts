/**
 * The protected endpoint (POST /chat with X-API-Version): an access token, signed in or
 * refreshed, opens it; anything else gets 401 with a WWW-Authenticate challenge for the
 * Bearer scheme (RFC 6750 §3), including a refresh token (decision 8: never accepted where
 * an access token is expected). The expired bearer is in refresh.expiry.spec.ts.
 */
import type { TokenResponse } from '../contracts/index.ts';
import { expect, test } from './fixtures.ts';
import { BEARER_CHALLENGE, refreshOk } from './support/flows.ts';
import { algNone, tamperClaim, tamperSignature } from './support/jwt.ts';

interface RejectedCredential {
  name: string;
  /** The whole Authorization header, or undefined for none at all. */
  authorization(session: TokenResponse): string | undefined;
}

const REJECTED: RejectedCredential[] = [
  { name: 'no Authorization header', authorization: () => undefined },
  { name: 'the scheme "Bearer" without a token', authorization: () => 'Bearer' },
  { name: 'a Basic credential', authorization: () => 'Basic xyz' },
  // The valid access token under another scheme: a server that ignores the scheme and takes
  // the second word would let it in.
  { name: 'the access token under the Basic scheme', authorization: (s) => `Basic ${s.access_token}` },
  { name: 'a bearer that is not a JWT', authorization: () => 'Bearer not-a-jwt' },
  { name: 'an access token with a tampered signature', authorization: (s) => `Bearer ${tamperSignature(s.access_token)}` },
  {
    name: 'an access token with a tampered claim (exp extended)',
    authorization: (s) => `Bearer ${tamperClaim(s.access_token, 'exp', s.expires_at + 86_400)}`,
  },
  { name: 'an access token re-encoded with alg none', authorization: (s) => `Bearer ${algNone(s.access_token)}` },
  { name: 'the refresh token', authorization: (s) => `Bearer ${s.refresh_token}` },
];

test.describe('protected endpoint with a valid access token', () => {
  test('the signed-in access token opens it: 200 and a ChatResponse @smoke', async ({ api, sharedSession }) => {
    const res = await api.chat(sharedSession.access_token);
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('ChatResponse');
  });

  test('the scheme is case-insensitive: "bearer" (the token_type as issued) opens it too', async ({ api, sharedSession: session }) => {
    // RFC 9110 §11.1: auth schemes are case-insensitive; decision 4: token_type "bearer". A
    // client that writes `${token_type} ${access_token}` must not be turned away.
    const res = await api.chat(undefined, { authorization: `${session.token_type.toLowerCase()} ${session.access_token}` });
    expect(res, 'the lower-case scheme "bearer" was refused').toHaveStatus(200);
  });

  test('a refreshed access token opens it too', async ({ api, session }) => {
    const { tokens } = await refreshOk(api, session.refresh_token);
    const res = await api.chat(tokens.access_token);
    expect(res).toHaveStatus(200);
    expect(res).toMatchContract('ChatResponse');
  });
});

test.describe('protected endpoint without a valid access token', () => {
  for (const credential of REJECTED) {
    test(`answers 401 with a Bearer challenge to ${credential.name}`, async ({ api, sharedSession: session }) => {
      const authorization = credential.authorization(session);
      const res =
        authorization === undefined ? await api.chat(undefined) : await api.chat(undefined, { authorization });
      expect(res, credential.name).toHaveStatus(401);
      expect(res).toHaveHeader('www-authenticate', BEARER_CHALLENGE);
    });
  }
});
