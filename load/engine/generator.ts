/**
 * One generator: runs in a worker thread and fires its share of the arrival schedule. It
 * paces, fires and records, nothing else.
 *
 * Arrival times come from the executor alone. At each due time the generator starts an
 * iteration (the workload's function) without waiting for any earlier one; when the
 * in-flight cap is reached the arrival is dropped and counted, never queued. Lag (the
 * actual start minus the due time) is recorded for every arrival. Closed seconds go to the
 * main thread once a second as interval entries; a `stop` message ends arrivals early
 * (Ctrl-C, abortOnFail), after which in-flight iterations get the grace period to finish.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessagePort } from 'node:worker_threads';
import { buildSchedule } from './executors.ts';
import { HttpTarget, nowMs } from './http.ts';
import { IntervalRecorder, type Notes } from './interval-recorder.ts';
import type { Segment } from './segment.ts';
import type { IntervalEntry } from './series.ts';
import type { ExecutorConfig } from './summary-types.ts';
import type { IterationOutcome, LoadAccount, TargetApi, Workload } from './workload.ts';

export interface GeneratorInit {
  workload: string;
  worker: number;
  /** This generator's segment of the global schedule (already combined with the worker). */
  segment: Segment;
  executor: ExecutorConfig;
  maxInFlight: number;
  accounts: LoadAccount[];
  origin: string;
  api: TargetApi;
  timeoutMs: number;
  /** LOAD_MAX_BODY: a larger response body fails its request. */
  maxBodyBytes: number;
  graceMs: number;
  setupData: unknown;
  checkSample: number;
}

export type GeneratorMessage =
  | { type: 'intervals'; worker: number; entries: IntervalEntry[]; notes: Notes }
  | { type: 'done'; worker: number; entries: IntervalEntry[]; notes: Notes; flowErrors: string[] }
  | { type: 'ready'; worker: number }
  | { type: 'failed'; worker: number; message: string };

/** `start` carries the common start time once every generator is ready; `stop` ends arrivals. */
export type ControlMessage = { type: 'start'; startEpochMs: number } | { type: 'stop' };

/** A generator that cannot start even its first arrival this late is hopelessly behind. */
const GIVE_UP_AFTER_END_MS = 1000;
const BATCH = 256;
const NO_TAGS = Object.freeze({});
export const FLOW_CHECK = 'iteration: the flow ran to its end';
const FLOW_TAGS = Object.freeze({ check: FLOW_CHECK });
const MAX_FLOW_ERRORS = 5;

export async function runGenerator(workload: Workload, init: GeneratorInit, port: MessagePort): Promise<void> {
  const schedule = buildSchedule(init.executor);
  const http = new HttpTarget(init.origin, { connections: init.maxInFlight, timeoutMs: init.timeoutMs, maxBodyBytes: init.maxBodyBytes });
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
  port.postMessage({ type: 'ready', worker: init.worker } satisfies GeneratorMessage);
  const given = await start;
  const startEpochMs = Number.isNaN(given) ? nowMs() : given;
  const recorder = new IntervalRecorder(startEpochMs);
  const iteration = workload.thread({ http, sink: recorder, api: init.api, accounts: init.accounts, setupData: init.setupData, checkSample: init.checkSample });
  const endEpochMs = startEpochMs + schedule.durationMs;

  let inFlight = 0;
  let abandoning = false;
  const flowErrors: string[] = [];
  const idle: (() => void)[] = [];

  const flushTimer = setInterval(() => {
    const { entries, notes } = recorder.close(nowMs());
    port.postMessage({ type: 'intervals', worker: init.worker, entries, notes } satisfies GeneratorMessage);
  }, 1000);

  const fire = (index: number, dueEpochMs: number) => {
    const firedAt = nowMs();
    recorder.sample('schedule_lag', NO_TAGS, Math.max(0, firedAt - dueEpochMs), firedAt);
    if (inFlight >= init.maxInFlight) {
      recorder.sample('dropped_iterations', NO_TAGS, 1, firedAt);
      return;
    }
    recorder.sample('iterations_started', NO_TAGS, 1, firedAt);
    inFlight += 1;
    recorder.sample('vus', NO_TAGS, inFlight, firedAt);
    iteration({ index, dueEpochMs })
      .catch((error: unknown): IterationOutcome => {
        recorder.sample('checks', FLOW_TAGS, 0, nowMs());
        if (flowErrors.length < MAX_FLOW_ERRORS) flowErrors.push((error as Error)?.message?.split('\n')[0] ?? String(error));
        return 'failed';
      })
      .then((outcome) => {
        inFlight -= 1;
        // Past the grace period an iteration is counted as abandoned, not again as ended.
        if (abandoning) return;
        const endedAt = nowMs();
        recorder.sample('iterations', NO_TAGS, 1, endedAt);
        if (outcome === 'failed') recorder.sample('iterations_failed', NO_TAGS, 1, endedAt);
        recorder.sample('iteration_duration', NO_TAGS, endedAt - firedAt, endedAt);
        recorder.sample('vus', NO_TAGS, inFlight, endedAt);
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
        const due = startEpochMs + schedule.dueMs(index);
        if (due > now) break;
        fire(index, due);
        index += init.segment.count;
        fired += 1;
      }
      if (index >= schedule.total) break;
      const nextDue = startEpochMs + schedule.dueMs(index);
      const wait = nextDue - nowMs();
      if (fired === BATCH && wait <= 0) {
        // Behind schedule: let responses in before the next batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        // Timers have millisecond granularity and fire late, never early: an arrival may
        // start up to a millisecond or so after its due time, and its lag records that.
        // Waiting on a timer rather than spinning keeps the generator's CPU for the work.
        // One promise and one timer per wait: at a thousand arrivals a second this loop runs
        // a thousand times a second.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(Math.max(wait - 0.5, 0), 200));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
    // Arrivals still to come when the run was stopped or gave up were never fired: they
    // count against the achieved rate, not as drops.
    if (inFlight > 0) await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), sleep(init.graceMs)]);
  } finally {
    clearInterval(flushTimer);
  }
  const abandoned = inFlight;
  abandoning = true;
  if (abandoned > 0) recorder.sample('iterations_abandoned', NO_TAGS, abandoned, nowMs());
  await http.close(abandoned > 0);
  // Requests cut by the close fail in callbacks still queued: let them record before the last close.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const { entries, notes } = recorder.close();
  port.postMessage({ type: 'done', worker: init.worker, entries, notes, flowErrors } satisfies GeneratorMessage);
}
