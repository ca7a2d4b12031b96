/** load: a target rate of sign-ins, each followed by one protected call, for a duration. */
import { signInAndChat } from './flows.ts';
import type { Scenario } from './scenario.ts';

const load: Scenario = {
  name: 'load',
  description: 'A steady target rate of sign-ins, each followed by one call to the protected endpoint.',
  defaults: '20 arrivals/s for 60 s, each a sign-in and a chat',
  executor: (o) => ({
    executor: 'constant-arrival-rate',
    rate: o.rate ?? 20,
    timeUnit: '1s',
    duration: o.durationMs !== undefined ? `${o.durationMs}ms` : '60s',
    maxVUs: 200,
  }),
  thresholds: {
    'http_req_duration{endpoint:sign-in}': ['p(95)<800', 'p(99)<1500'],
    'http_req_duration{endpoint:chat}': ['p(95)<300'],
    'http_req_duration_corrected{endpoint:sign-in}': ['p(99)<2000'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate==1'],
    dropped_iterations: ['count==0'],
  },
  endpoints: ['sign-in', 'chat'],
  flow: async (ctx) => {
    await signInAndChat(ctx, 1);
  },
};

export default load;
