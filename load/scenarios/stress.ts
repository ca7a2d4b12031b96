/**
 * stress: steps the sign-in rate up and reports the capacity, the highest step whose own
 * figures held every threshold (the knee). Each step is a short ramp then a plateau; only
 * plateaus are judged.
 */
import { parseDuration } from '../engine/duration.ts';
import { signInAndChat } from './flows.ts';
import { scaleStages, type Scenario } from './scenario.ts';

const RAMP = '2s';
const PLATEAU = '10s';
const STEPS = [10, 20, 40, 60, 80, 120];

const stress: Scenario = {
  name: 'stress',
  description: 'Steps the sign-in rate up, plateau by plateau, and reports the capacity: the highest step that held every threshold.',
  defaults: `steps of ${STEPS.join(', ')} arrivals/s, each a ${RAMP} ramp and a ${PLATEAU} plateau (72 s)`,
  executor: (o) => ({
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    stages: scaleStages(
      STEPS.flatMap((target) => [
        { target, duration: RAMP },
        { target, duration: PLATEAU },
      ]),
      o,
      (d) => parseDuration(d) / 1000,
    ),
    maxVUs: 400,
  }),
  thresholds: {
    'http_req_duration{endpoint:sign-in}': ['p(95)<800'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate==1'],
    dropped_iterations: ['count==0'],
  },
  endpoints: ['sign-in', 'chat'],
  flow: async (ctx) => {
    await signInAndChat(ctx, 1);
  },
  // Every second stage is a plateau.
  windows: (schedule) =>
    schedule.stages
      .filter((_, i) => i % 2 === 1)
      .map((s, n) => ({ label: `step ${n + 1}: ${Math.round(s.toRate * 100) / 100}/s`, startMs: s.startMs, endMs: s.endMs })),
  reportsCapacity: true,
};

export default stress;
