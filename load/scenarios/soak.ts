/**
 * soak: a moderate rate for a long time, cut into ten slices; the report shows how
 * latency and errors drifted from the first slice to the last.
 */
import { session } from './flows.ts';
import type { Scenario } from './scenario.ts';

const SLICES = 10;

const soak: Scenario = {
  name: 'soak',
  description: 'Full sessions at a moderate rate for a long time; reports the drift of latency and errors from the first tenth to the last.',
  defaults: '10 arrivals/s for 30 min, each a sign-in, chats and two refreshes',
  executor: (o) => ({
    executor: 'constant-arrival-rate',
    rate: o.rate ?? 10,
    timeUnit: '1s',
    duration: o.durationMs !== undefined ? `${o.durationMs}ms` : '30m',
    maxVUs: 200,
  }),
  thresholds: {
    'http_req_duration{endpoint:sign-in}': ['p(95)<800'],
    'http_req_duration{endpoint:refresh}': ['p(95)<300'],
    'http_req_duration{endpoint:chat}': ['p(95)<300'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate==1'],
    dropped_iterations: ['count==0'],
  },
  endpoints: ['sign-in', 'refresh', 'chat'],
  flow: (ctx) => session(ctx, 2, 2),
  windows: (schedule) =>
    Array.from({ length: SLICES }, (_, i) => ({
      label: `slice ${i + 1}/${SLICES}`,
      startMs: (schedule.durationMs * i) / SLICES,
      endMs: (schedule.durationMs * (i + 1)) / SLICES,
    })),
  reportsDrift: true,
};

export default soak;
