/** spike: a quiet baseline, a sudden burst, and the way back. */
import { parseDuration } from '../engine/duration.ts';
import { signInAndChat } from './flows.ts';
import { scaleStages, type Scenario } from './scenario.ts';

const spike: Scenario = {
  name: 'spike',
  description: 'A quiet baseline, a sudden burst of sign-ins, and the recovery after it.',
  defaults: '5/s for 10 s, up to 60/s in 2 s, held 10 s, down to 5/s in 2 s, held 10 s',
  executor: (o) => {
    const stages = scaleStages(
      [
        { target: 5, duration: '10s' },
        { target: 60, duration: '2s' },
        { target: 60, duration: '10s' },
        { target: 5, duration: '2s' },
        { target: 5, duration: '10s' },
      ],
      o,
      (d) => parseDuration(d) / 1000,
    );
    // The quiet baseline starts at its own rate, scaled with the rest.
    return { executor: 'ramping-arrival-rate', startRate: stages[0]!.target, timeUnit: '1s', stages, maxVUs: 400 };
  },
  thresholds: {
    'http_req_duration{endpoint:sign-in}': ['p(99)<3000'],
    http_req_failed: ['rate<0.05'],
    checks: ['rate>0.95'],
    contract_failures: ['count==0'],
  },
  endpoints: ['sign-in', 'chat'],
  flow: async (ctx) => {
    await signInAndChat(ctx, 1);
  },
  windows: (schedule) => {
    const [before, , during, , after] = schedule.stages;
    return [
      { label: 'before', startMs: before!.startMs, endMs: before!.endMs },
      { label: 'spike', startMs: during!.startMs, endMs: during!.endMs },
      { label: 'after', startMs: after!.startMs, endMs: after!.endMs },
    ];
  },
};

export default spike;
