/**
 * Small steps that many token specs share. Each asserts what it needs to go on, with a
 * message that names the step and never a token.
 */
import type { TokenResponse } from '../../contracts/index.ts';
import type { Account } from '../../lib/config.ts';
import { AuthApi, type ApiResponse } from './api.ts';
import { expect } from './matchers.ts';

/**
 * RFC 6750 §3 / RFC 7235: a 401 from a protected resource carries a challenge for the
 * Bearer scheme. Auth schemes are case-insensitive, so "bearer" is as good as "Bearer".
 */
export const BEARER_CHALLENGE = /^\s*bearer(\s|,|$)/i;

export interface Issued {
  res: ApiResponse;
  tokens: TokenResponse;
}

/** Signs `account` in on `api`; the answer must be 200 and conform to the contract. */
export async function signInOk(api: AuthApi, account: Account, what = 'the account must sign in for this test to run'): Promise<Issued> {
  const res = await api.signIn(account);
  expect(res, what).toHaveStatus(200);
  expect(res).toMatchContract('TokenResponse');
  return { res, tokens: AuthApi.tokens(res) };
}

/** Refreshes with `refreshToken` on `api`; the answer must be 200 and conform to the contract. */
export async function refreshOk(api: AuthApi, refreshToken: string, what = 'a valid refresh token must be accepted'): Promise<Issued> {
  const res = await api.refresh(refreshToken);
  expect(res, what).toHaveStatus(200);
  expect(res).toMatchContract('TokenResponse');
  return { res, tokens: AuthApi.tokens(res) };
}
