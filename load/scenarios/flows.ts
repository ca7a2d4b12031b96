/** Flows the scenarios share: small steps that stop as soon as one fails. */
import type { TokenResponse } from '../../contracts/index.ts';
import type { LoadAccount } from '../engine/workload.ts';
import type { Flow, FlowContext } from './scenario.ts';

export const CHAT_MESSAGE = 'How is my dog doing today?';

/** Sign in, then talk to the protected endpoint `chats` times. */
export async function signInAndChat(ctx: FlowContext, chats = 1): Promise<TokenResponse | null> {
  const session = await ctx.api.signIn(ctx.account);
  if (!session) return null;
  for (let i = 0; i < chats; i += 1) {
    if (!(await ctx.api.chat(session, CHAT_MESSAGE))) return null;
  }
  return session;
}

/**
 * A user's session as clients live it: sign in, use the access token, refresh when it
 * would expire, use the new one. `rounds` refreshes, each followed by `chatsPerToken` chats.
 */
export async function session(ctx: FlowContext, rounds: number, chatsPerToken: number): Promise<void> {
  let current = await signInAndChat(ctx, chatsPerToken);
  for (let r = 0; r < rounds && current; r += 1) {
    current = await ctx.api.refresh(current);
    for (let i = 0; i < chatsPerToken && current; i += 1) {
      if (!(await ctx.api.chat(current, CHAT_MESSAGE))) return;
    }
  }
}

/**
 * The reuse probe: a fresh session on a reserved account, one rotation, then the spent
 * refresh token again, which must be refused. The account is reserved because a target
 * may answer reuse by revoking every session of the user (RFC 9700 §4.14.2 allows it),
 * which must not fail the iterations of other users.
 */
export async function reuseProbe(ctx: FlowContext, probeAccount: LoadAccount): Promise<void> {
  const first = await ctx.api.signIn(probeAccount);
  if (!first) return;
  const rotated = await ctx.api.refresh(first);
  if (!rotated) return;
  await ctx.api.replaySpent(first.refresh_token);
}

/**
 * Runs `probe` instead of `flow` on the first arrival and then on about one in `every`,
 * never two at a time: the probe's account is one the generator keeps aside.
 */
export function withProbe(flow: Flow, probe: (ctx: FlowContext) => Promise<void>, every: number): Flow {
  let busy = false;
  let since = every - 1;
  return async (ctx) => {
    if (busy || ++since < every) return flow(ctx);
    busy = true;
    since = 0;
    try {
      await probe(ctx);
    } finally {
      busy = false;
    }
  };
}
