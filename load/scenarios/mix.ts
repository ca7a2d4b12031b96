/**
 * mix: users as they behave: a sign-in, then a chain of refreshes with protected calls in
 * between, in the proportions of a real session (1 sign-in : 2 refreshes : 6 chats), plus
 * a low-rate reuse probe that presents a spent refresh token under load.
 */
import { reuseProbe, session } from './flows.ts';
import type { Scenario } from './scenario.ts';

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
  reuseProbeEvery: 50,
  flow: async (ctx) => {
    if (ctx.probeAccount) await reuseProbe(ctx);
    else await session(ctx, 2, 2);
  },
};

export default mix;
