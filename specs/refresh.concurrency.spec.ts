/**
 * One refresh token, presented by several requests at once (contracts/CONTRACT.md decision 8 under
 * concurrency): with rotation, at most one wins; the others are answered 401, never a
 * 5xx and never a second set of tokens. (Rejecting all of them is allowed here: an
 * implementation may refuse a token it sees raced; that a lone refresh works is
 * refresh.rotation.spec.ts's concern.) A check-then-update race shows up here; since a
 * race is a matter of chance, the test runs a few rounds, each with a fresh token.
 * The losers are replays, so the rounds run on the reuse account, held exclusively
 * (specs/support/accounts.ts).
 */
import { expect, requireCapability, test } from './fixtures.ts';
import { signInOk } from './support/flows.ts';

const CONCURRENT_REFRESHES = 5;
// One round caught a check-then-update race 17 times in 20; five make a miss about 1 in 10,000.
const ROUNDS = 5;

test.describe('concurrent refreshes', () => {
  test(`of ${CONCURRENT_REFRESHES} concurrent refreshes with one token at most one succeeds, the rest get 401 @smoke`, async ({
    api,
    config,
    reuseAccount,
  }) => {
    requireCapability(config, 'rotation');
    for (let round = 1; round <= ROUNDS; round += 1) {
      await test.step(`round ${round} of ${ROUNDS}`, async () => {
        const { tokens } = await signInOk(api, reuseAccount);
        const responses = await Promise.all(Array.from({ length: CONCURRENT_REFRESHES }, () => api.refresh(tokens.refresh_token)));
        const statuses = responses.map((res) => res.status).sort((a, b) => a - b);
        const winners = responses.filter((res) => res.status === 200);
        expect(winners.length, `statuses of the concurrent refreshes: ${statuses.join(', ')}`).toBeLessThanOrEqual(1);
        for (const winner of winners) expect(winner).toMatchContract('TokenResponse');
        for (const res of responses.filter((r) => r.status !== 200)) {
          expect(res, 'a losing concurrent refresh must be rejected as spent').toHaveStatus(401);
        }
      });
    }
  });
});
