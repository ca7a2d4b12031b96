/**
 * mix: users as they behave: a sign-in, then a chain of refreshes with protected calls in
 * between, in the proportions of a real session (1 sign-in : 2 refreshes : 6 chats), plus
 * a low-rate reuse probe that presents a spent refresh token under load.
 */
import { reuseProbe, session, withProbe } from './flows.ts';
import type { Scenario } from './scenario.ts';

/** About one arrival in this many runs the reuse probe (the first one always does). */
const PROBE_EVERY = 50;

const mix: Scenario = {
  name: 'mix',
  description: 'Realistic sessions (1 sign-in : 2 refreshes : 6 chats) with a reuse probe on about one arrival in 50.',
  defaults: '10 arrivals/s for 60 s; each a sign-in, 2 chats, then twice a refresh and 2 chats',
  executor: (o) => ({
    executor: 'constant-arrival-rate',
    rate: o.rate ?? 10,
    timeUnit: '1s',
    duration: o.durationMs !== undefined ? `${o.durationMs}ms` : '60s',
    maxVUs: 300,
  }),
  thresholds: {
    'http_req_duration{endpoint:sign-in}': ['p(95)<800'],
    'http_req_duration{endpoint:refresh}': ['p(95)<300'],
    'http_req_duration{endpoint:chat}': ['p(95)<300'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate==1'],
    'checks{check:refresh: a spent refresh token is refused}': ['rate==1'],
    dropped_iterations: ['count==0'],
  },
  endpoints: ['sign-in', 'refresh', 'chat', 'refresh-reuse'],
  flow: (ctx) => session(ctx, 2, 2),
  // The reuse probe's account is kept aside: a target may answer reuse by revoking every
  // session of that user, which must not fail the iterations of other users.
  accountsPerGenerator: 2,
  perThread: ({ accounts }) => {
    const probeAccount = accounts.at(-1)!;
    return { accounts: accounts.slice(0, -1), flow: withProbe(mix.flow, (ctx) => reuseProbe(ctx, probeAccount), PROBE_EVERY) };
  },
};

export default mix;
