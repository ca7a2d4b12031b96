/** smoke: a low rate for about ten seconds; it aborts at the first failure. */
import { session } from './flows.ts';
import type { Scenario } from './scenario.ts';

const smoke: Scenario = {
  name: 'smoke',
  description: 'A low rate of full sessions (sign-in, chat, refresh, chat) for about ten seconds; stops at the first failure.',
  defaults: '5 arrivals/s for 10 s, each a sign-in, a chat, a refresh and a chat',
  executor: (o) => ({
    executor: 'constant-arrival-rate',
    rate: o.rate ?? 5,
    timeUnit: '1s',
    duration: o.durationMs !== undefined ? `${o.durationMs}ms` : '10s',
    maxVUs: 50,
  }),
  thresholds: {
    checks: [{ threshold: 'rate==1', abortOnFail: true }],
    http_req_failed: [{ threshold: 'rate==0', abortOnFail: true }],
    contract_failures: ['count==0'],
    'http_req_duration{endpoint:sign-in}': ['p(95)<1000'],
    'http_req_duration{endpoint:refresh}': ['p(95)<500'],
    'http_req_duration{endpoint:chat}': ['p(95)<500'],
    dropped_iterations: ['count==0'],
  },
  endpoints: ['sign-in', 'refresh', 'chat'],
  flow: (ctx) => session(ctx, 1, 1),
};

export default smoke;
