/**
 * One generator: runs in a worker thread and fires its share of the arrival schedule.
 *
 * Arrival times come from the executor alone. At each due time the generator starts an
 * iteration (the scenario's flow) without waiting for any earlier one; when the in-flight
 * cap is reached the arrival is dropped and counted, never queued. Lag (the actual start
 * minus the due time) is recorded for every arrival. Intervals go to the main thread once
 * a second; a `stop` message ends arrivals early (Ctrl-C, abortOnFail), after which
 * in-flight iterations get the grace period to finish.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessagePort } from 'node:worker_threads';
import { IterationApi, type ClientConfig, type LoadAccount } from '../client/auth-client.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { buildSchedule } from './executors.ts';
import { HttpTarget, nowMs } from './http.ts';
import { IntervalRecorder, type IntervalData } from './metrics.ts';
import type { Segment } from './segment.ts';
import type { ExecutorConfig } from './summary-types.ts';

export interface GeneratorInit {
  scenarioName: string;
  /** Sent with `start` once every generator is ready. */
  worker: number;
  /** This generator's segment of the global schedule (already combined with the worker). */
  segment: Segment;
  executor: ExecutorConfig;
  startEpochMs: number;
  maxInFlight: number;
  accounts: LoadAccount[];
  probeAccount: LoadAccount | undefined;
  origin: string;
  timeoutMs: number;
  graceMs: number;
  client: ClientConfig;
}

export type GeneratorMessage =
  | { type: 'intervals'; worker: number; data: IntervalData[]; inFlight: { worker: number; second: number; count: number } }
  | { type: 'done'; worker: number; data: IntervalData[]; abandoned: number; flowErrors: string[] }
  | { type: 'ready'; worker: number }
  | { type: 'failed'; worker: number; message: string };

/** `start` carries the common start time once every generator is ready; `stop` ends arrivals. */
export type ControlMessage = { type: 'start'; startEpochMs: number } | { type: 'stop' };

/** A generator that cannot start even its first arrival this late is hopelessly behind. */
const GIVE_UP_AFTER_END_MS = 1000;
const BATCH = 256;

export async function runGenerator(scenario: Scenario, setup: Omit<GeneratorInit, 'startEpochMs'>, port: MessagePort): Promise<void> {
  const schedule = buildSchedule(setup.executor);
  const target = new HttpTarget(setup.origin, { connections: setup.maxInFlight, timeoutMs: setup.timeoutMs });
  let stopped = false;
  let wake: (() => void) | undefined;
  let started: (startEpochMs: number) => void = () => undefined;
  const start = new Promise<number>((resolve) => (started = resolve));
  port.on('message', (message: ControlMessage) => {
    if (message.type === 'start') started(message.startEpochMs);
    if (message.type === 'stop') {
      stopped = true;
      started(Number.NaN);
      wake?.();
    }
  });
  // Loading took its time; the schedule starts when every generator is ready.
  port.postMessage({ type: 'ready', worker: setup.worker } satisfies GeneratorMessage);
  const init: GeneratorInit = { ...setup, startEpochMs: await start };
  const recorder = new IntervalRecorder(Number.isNaN(init.startEpochMs) ? nowMs() : init.startEpochMs);
  const endEpochMs = init.startEpochMs + schedule.durationMs;

  let inFlight = 0;
  let probeBusy = false;
  let cursor = 0;
  // The first arrival probes, so that even a short run has proven reuse is refused.
  let sinceProbe = (scenario.reuseProbeEvery ?? 1) - 1;
  const flowErrors: string[] = [];
  const idle: (() => void)[] = [];

  const flushTimer = setInterval(() => {
    const now = nowMs();
    port.postMessage({
      type: 'intervals',
      worker: init.worker,
      data: recorder.flush(),
      inFlight: { worker: init.worker, second: recorder.secondOf(now), count: inFlight },
    } satisfies GeneratorMessage);
  }, 1000);

  const fire = (index: number, dueEpochMs: number) => {
    const firedAt = nowMs();
    if (inFlight >= init.maxInFlight) {
      recorder.arrival(dueEpochMs, firedAt, false);
      return;
    }
    recorder.arrival(dueEpochMs, firedAt, true);
    inFlight += 1;
    let probeAccount: LoadAccount | undefined;
    if (scenario.reuseProbeEvery && init.probeAccount && !probeBusy && ++sinceProbe >= scenario.reuseProbeEvery) {
      probeAccount = init.probeAccount;
      probeBusy = true;
      sinceProbe = 0;
    }
    const account = init.accounts[cursor++ % init.accounts.length]!;
    const api = new IterationApi(target, recorder, init.client, dueEpochMs);
    scenario
      .flow({ index, account, api, probeAccount })
      .catch((error: unknown) => {
        recorder.check('iteration: the flow ran to its end', false, nowMs());
        if (flowErrors.length < 5) flowErrors.push((error as Error)?.message?.split('\n')[0] ?? String(error));
      })
      .finally(() => {
        inFlight -= 1;
        if (probeAccount) probeBusy = false;
        recorder.iterationEnded(firedAt, nowMs());
        if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
      });
  };

  try {
    let index = init.segment.index;
    while (!stopped && index < schedule.total) {
      const now = nowMs();
      if (now > endEpochMs + GIVE_UP_AFTER_END_MS) break;
      let fired = 0;
      while (index < schedule.total && fired < BATCH) {
        const due = init.startEpochMs + schedule.dueMs(index);
        if (due > now) break;
        fire(index, due);
        index += init.segment.count;
        fired += 1;
      }
      if (index >= schedule.total) break;
      const nextDue = init.startEpochMs + schedule.dueMs(index);
      const wait = nextDue - nowMs();
      if (fired === BATCH && wait <= 0) {
        // Behind schedule: let responses in before the next batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        // Timers have millisecond granularity and fire late, never early: an arrival may
        // start up to a millisecond or so after its due time, and its lag records that.
        // Waiting on a timer rather than spinning keeps the generator's CPU for the work.
        await Promise.race([sleep(Math.min(Math.max(wait - 0.5, 0), 200)), new Promise<void>((resolve) => (wake = resolve))]);
        wake = undefined;
      }
    }
    // Arrivals still to come when the run was stopped or gave up were never fired: they
    // count against the achieved rate, not as drops.
    if (inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), sleep(init.graceMs)]);
    }
  } finally {
    clearInterval(flushTimer);
  }
  const abandoned = inFlight;
  await target.close(abandoned > 0);
  port.postMessage({ type: 'done', worker: init.worker, data: recorder.flush(), abandoned, flowErrors } satisfies GeneratorMessage);
}
