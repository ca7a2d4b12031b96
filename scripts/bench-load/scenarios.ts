/**
 * The bench's scenarios, and their generator-thread entry: imported in the main thread they
 * only declare the scenarios; started as a generator thread (through
 * load/cli/worker-bootstrap.mjs) this module runs them.
 */
import { isMainThread } from 'node:worker_threads';
import type { TokenResponse } from '../../contracts/index.ts';
import { SuiteError } from '../../lib/errors.ts';
import { runEntry } from '../../load/cli/entry.ts';
import type { LoadAccount } from '../../load/engine/workload.ts';
import { CHAT_MESSAGE } from '../../load/scenarios/flows.ts';
import type { Scenario } from '../../load/scenarios/scenario.ts';

export const API_VERSION = '0.2.0';
export const REFRESHES_PER_CHAIN = 20;

/** One sign-in outside the engine: the chat scenario's session, made once before its run. */
export async function signInOnce(origin: string, account: LoadAccount): Promise<TokenResponse> {
  const res = await fetch(`${origin}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as TokenResponse;
  if (res.status !== 200) throw new SuiteError('TARGET_UNREACHABLE', `the reference API refused the bench's sign-in (${res.status})`);
  return body;
}


export const constant = (maxVUs: number): Scenario['executor'] => (o) => ({
  executor: 'constant-arrival-rate',
  rate: o.rate ?? 100,
  timeUnit: '1s',
  duration: `${o.durationMs ?? 5000}ms`,
  maxVUs,
});

export const chatScenario: Scenario = {
  name: 'bench-chat',
  description: 'POST /chat with one token obtained before the run (validated against ChatResponse).',
  defaults: 'set by the bench',
  executor: constant(100),
  thresholds: {},
  endpoints: ['chat'],
  // Signs in once, before the run (k6's setup): every arrival then sends the same token.
  setup: async ({ origin, accounts }) => signInOnce(origin, accounts[0]!),
  flow: async (ctx) => {
    await ctx.api.chat(ctx.setupData as TokenResponse, CHAT_MESSAGE);
  },
};

export const signInScenario: Scenario = {
  name: 'bench-sign-in',
  description: 'One sign-in per arrival (validated against TokenResponse).',
  defaults: 'set by the bench',
  executor: constant(200),
  thresholds: {},
  endpoints: ['sign-in'],
  flow: async (ctx) => {
    await ctx.api.signIn(ctx.account);
  },
};

export const refreshScenario: Scenario = {
  name: 'bench-refresh',
  description: `One sign-in, then ${REFRESHES_PER_CHAIN} refreshes, each with the refresh token the last one returned.`,
  defaults: 'set by the bench',
  executor: constant(200),
  thresholds: {},
  endpoints: ['sign-in', 'refresh'],
  flow: async (ctx) => {
    let session = await ctx.api.signIn(ctx.account);
    for (let i = 0; i < REFRESHES_PER_CHAIN && session; i += 1) session = await ctx.api.refresh(session);
  },
};

export const BENCH_SCENARIOS = [chatScenario, signInScenario, refreshScenario];

if (!isMainThread) await runEntry(BENCH_SCENARIOS, import.meta.url);
