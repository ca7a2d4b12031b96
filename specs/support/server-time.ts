/**
 * The server's clock, as its `Date` header tells it (contracts/CONTRACT.md decision 7: expiry is
 * judged against the server's time, not the machine running the suite). The header has a
 * resolution of one second; every comparison built on it allows the configured skew.
 */
import { dateHeaderSeconds, type AnswerClock } from '../../contracts/index.ts';
import type { AuthApi, ApiResponse } from './api.ts';

export interface ServerTime {
  /** Unix time in whole seconds. */
  seconds: number;
  /** False when the response had no usable Date header and the local clock stood in. */
  fromDateHeader: boolean;
}

/** The server's time when it answered `res` (the local clock if it sent no valid Date header). */
export function serverTime(res: ApiResponse): ServerTime {
  const seconds = dateHeaderSeconds(res.headers.date);
  if (seconds !== undefined) return { seconds, fromDateHeader: true };
  return { seconds: Math.floor(Date.now() / 1000), fromDateHeader: false };
}

/**
 * The clock the time rules of contracts/rules.ts judge `res` by: its Date header, the
 * local clock standing in when it has none (as serverTime does), and `skewSeconds`.
 */
export function answerClock(res: ApiResponse, skewSeconds: number): AnswerClock {
  return { date: res.headers.date, skewSeconds, fallbackSeconds: Math.floor(Date.now() / 1000) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the target until its clock reads at least `targetSeconds`, and returns that
 * reading. The probe is a GET on the sign-in path (405 or 404 in any implementation): it
 * costs nothing, changes nothing, and carries a Date header. Between probes it sleeps
 * about as long as the server's clock still has to go, but never more than a second, so
 * the loop stops within a fraction of a second of the target time.
 * Throws when `deadlineMs` (local, from now) passes first.
 */
export async function waitForServerTime(api: AuthApi, targetSeconds: number, deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const now = serverTime(await api.send('GET', api.config.paths.signIn)).seconds;
    if (now >= targetSeconds) return now;
    if (Date.now() > deadline) {
      throw new Error(`the server's clock did not reach ${targetSeconds} within ${Math.round(deadlineMs / 1000)} s (it reads ${now})`);
    }
    const remainingMs = (targetSeconds - now) * 1000;
    await sleep(Math.max(100, Math.min(1000, remainingMs - 1000, deadline - Date.now())));
  }
}
