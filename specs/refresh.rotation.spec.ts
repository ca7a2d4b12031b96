/**
 * Refresh-token rotation (contracts/CONTRACT.md decision 8, RFC 9700 §4.14): every refresh hands
 * out a new refresh token and the presented one is spent; presenting a spent one again
 * is reuse, which (with family revocation, §4.14.2) revokes its successor too, and every
 * token issued further down the chain.
 *
 * Every test that replays a token does so on the reuse account (`reuseSession`), held
 * exclusively: a target may revoke all of that user's sessions on a replay, which must
 * not fail tests running beside it (regression: the `reuse-revokes-all-sessions`
 * variation of the reference API).
 */
import { userIsRefreshedUser } from '../contracts/index.ts';
import { expect, requireCapability, test } from './fixtures.ts';
import { refreshOk } from './support/flows.ts';

test.describe('refresh-token rotation', () => {
  test('hands out a new refresh token on refresh @smoke', async ({ api, session, config }) => {
    requireCapability(config, 'rotation');
    const { tokens } = await refreshOk(api, session.refresh_token);
    expect(tokens.refresh_token === session.refresh_token, 'the refresh handed back the presented refresh token').toBe(false);
  });

  test('rejects a refresh token once it has been used (401)', async ({ api, reuseSession, config }) => {
    requireCapability(config, 'rotation');
    await test.step('the first use is accepted', async () => {
      await refreshOk(api, reuseSession.refresh_token);
    });
    await test.step('the second use is rejected', async () => {
      const res = await api.refresh(reuseSession.refresh_token);
      expect(res, 'a spent refresh token was accepted again').toHaveStatus(401);
    });
  });

  test('the successor refresh token works, and is spent in turn', async ({ api, reuseSession, config }) => {
    requireCapability(config, 'rotation');
    const first = await test.step('refresh with the signed-in token', () => refreshOk(api, reuseSession.refresh_token));
    const second = await test.step('refresh with its successor', () => refreshOk(api, first.tokens.refresh_token, 'the successor refresh token must be accepted'));
    expect(second.tokens.refresh_token === first.tokens.refresh_token, 'the second refresh handed back the presented token').toBe(false);
    expect(userIsRefreshedUser(second.tokens, reuseSession.user), 'the second refresh').toHaveNoViolations();
    await test.step('the successor, once used, is rejected', async () => {
      const res = await api.refresh(first.tokens.refresh_token);
      expect(res, 'a spent successor refresh token was accepted again').toHaveStatus(401);
    });
  });

  test('a reuse attempt revokes the successor too (family revocation)', async ({ api, reuseSession, config }) => {
    requireCapability(config, 'rotation');
    requireCapability(config, 'familyRevocation');
    const successor = await test.step('rotate once', async () => (await refreshOk(api, reuseSession.refresh_token)).tokens.refresh_token);
    await test.step('replay the spent refresh token: rejected', async () => {
      const res = await api.refresh(reuseSession.refresh_token);
      expect(res, 'a replayed refresh token was accepted').toHaveStatus(401);
    });
    await test.step('the successor issued before the replay is now rejected', async () => {
      const res = await api.refresh(successor);
      expect(res, 'the successor survived the reuse of its predecessor').toHaveStatus(401);
    });
  });

  test('a reuse attempt revokes the whole chain: after T0→T1→T2, replaying T0 revokes T2', async ({ api, reuseSession, config }) => {
    // RFC 9700 §4.14.2: the family, not one step of it. A target that follows only the
    // replayed token's direct successor would leave the newest token of an attacker alive.
    requireCapability(config, 'rotation');
    requireCapability(config, 'familyRevocation');
    const t1 = await test.step('rotate T0 into T1', async () => (await refreshOk(api, reuseSession.refresh_token)).tokens.refresh_token);
    const t2 = await test.step('rotate T1 into T2', async () => (await refreshOk(api, t1, 'the successor refresh token must be accepted')).tokens.refresh_token);
    await test.step('replay T0: rejected', async () => {
      const res = await api.refresh(reuseSession.refresh_token);
      expect(res, 'a replayed refresh token was accepted').toHaveStatus(401);
    });
    await test.step('T2, two rotations down from the replayed token, is now rejected', async () => {
      const res = await api.refresh(t2);
      expect(res, 'T2 survived the reuse of T0: revocation stopped one step down the chain').toHaveStatus(401);
    });
  });
});
