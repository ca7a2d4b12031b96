/** Our engine in the bench: one run at a rate with its CPU and memory sampled, and the search for the highest rate it holds. */
import type { RunningReference } from '../../lib/reference-process.ts';
import { loadConfig, seedLoadAccounts } from '../../load/cli/config.ts';
import { planFor } from '../../load/cli/run-command.ts';
import type { RunObserver, Snapshot } from '../../load/engine/observers.ts';
import { runLoad } from '../../load/engine/run.ts';
import type { LoadSummary } from '../../load/engine/summary-types.ts';
import type { LoadAccount } from '../../load/engine/workload.ts';
import type { Scenario } from '../../load/scenarios/scenario.ts';
import type { BenchArgs } from '../bench-load-lib.ts';
import { f0, fRate, ms, out } from './format.ts';
import { API_VERSION } from './scenarios.ts';

/** Samples this process's CPU time on the run's snapshots (once a second, main thread). */
class CpuSampler implements RunObserver {
  first: { cpuUs: number; wallMs: number } | undefined;
  last: { cpuUs: number; wallMs: number } | undefined;
  peakRssBytes = 0;

  snapshot(s: Snapshot): void {
    this.peakRssBytes = Math.max(this.peakRssBytes, process.memoryUsage.rss());
    // Steady state only: after the first second, before the schedule ends.
    if (s.elapsedMs >= 1000 && s.elapsedMs < s.totalMs) {
      const u = process.cpuUsage();
      const sample = { cpuUs: u.user + u.system, wallMs: performance.now() };
      this.first ??= sample;
      this.last = sample;
    }
  }

  /** Percent of one core between the first and the last sample; null with fewer than two. */
  percent(): number | null {
    if (!this.first || !this.last || this.last.wallMs - this.first.wallMs < 1000) return null;
    return ((this.last.cpuUs - this.first.cpuUs) / 1000 / (this.last.wallMs - this.first.wallMs)) * 100;
  }
}

export interface OurRun {
  rate: number;
  summary: LoadSummary;
  /** Responses of `endpoint` completed within the schedule, per second of it. */
  achieved: number;
  held: boolean;
  /** Why it did not hold; empty when it held. */
  why: string[];
  /** Whole run, worker start included: CPU time over wall time, % of one core. */
  cpuWholePct: number;
  /** Steady state (progress ticks inside the schedule), % of one core; null when too short. */
  cpuSteadyPct: number | null;
  /** The highest resident memory of this process (every thread) seen during the run. */
  peakRssBytes: number;
}

export async function runOurs(
  args: BenchArgs,
  scenario: Scenario,
  reference: RunningReference,
  rate: number,
  seconds: number,
  endpoint: string,
  perArrival: number,
): Promise<OurRun> {
  const accounts: LoadAccount[] = seedLoadAccounts();
  const env: Record<string, string> = {
    BASE_URL: reference.url,
    // loadConfig wants a user for an external target; the run gets every load account below.
    TEST_USER_EMAIL: accounts[0]!.email,
    TEST_USER_PASSWORD: accounts[0]!.password,
    LOAD_RATE: String(rate),
    LOAD_DURATION: `${seconds}s`,
    LOAD_MAX_RATE: String(Math.max(500, Math.ceil(rate))),
    LOAD_WORKERS: String(args.workers),
    LOAD_BASELINE: 'false',
    API_VERSION,
  };
  const config = { ...loadConfig(scenario, env), accounts };
  const sampler = new CpuSampler();
  const before = process.cpuUsage();
  const startedAt = performance.now();
  const { summary } = await runLoad(planFor(config, { origin: reference.url, kind: 'external', accounts }), {
    observers: [sampler],
    workerUrl: new URL('../../load/cli/worker-bootstrap.mjs', import.meta.url),
    workerEntry: new URL('./scenarios.ts', import.meta.url).href,
  });
  const used = process.cpuUsage(before);
  const wallMs = performance.now() - startedAt;
  const p = summary.puppilot;
  const inWindow = (p.timeseries.requests[endpoint] ?? []).slice(0, seconds).reduce((n, c) => n + c, 0);
  const achieved = inWindow / seconds;
  const failed = Object.values(p.endpoints).reduce((n, e) => n + e.failed, 0);
  const contract = Object.values(p.endpoints).reduce((n, e) => n + e.contractFailures, 0);
  const why: string[] = [];
  if (!p.validity.valid) why.push(`invalid: ${p.validity.reasons.join('; ')}`);
  if ((p.counts?.dropped ?? 0) > 0) why.push(`${p.counts!.dropped} arrivals dropped at the in-flight cap`);
  if (failed > 0) why.push(`${failed} failed requests`);
  if (contract > 0) why.push(`${contract} contract failures`);
  // A flow that threw or iterations abandoned after the grace period show only in the verdict.
  why.push(...p.verdict.reasons.filter((reason) => reason.startsWith('a flow threw') || reason.includes('after the grace period')));
  const expected = rate * perArrival;
  if (achieved < 0.9 * expected) why.push(`${f0(achieved)} of ${f0(expected)} ${endpoint} responses/s within the schedule (server saturated)`);
  return {
    rate,
    summary,
    achieved,
    held: why.length === 0,
    why,
    cpuWholePct: ((used.user + used.system) / 1000 / wallMs) * 100,
    cpuSteadyPct: sampler.percent(),
    peakRssBytes: sampler.peakRssBytes,
  };
}

export function describeOurs(r: OurRun, endpoint: string): string {
  const e = r.summary.puppilot.endpoints[endpoint];
  const v = r.summary.puppilot.validity;
  const lat = e ? `p50 ${ms(e.duration.med)}, p99 ${ms(e.duration['p(99)'])}` : 'no responses';
  const cpu = r.cpuSteadyPct ?? r.cpuWholePct;
  return `${fRate(r.rate)}/s → ${f0(r.achieved)} ${endpoint} req/s (${lat}; lag p50/p99/max ${ms(v.lagMs.p50)}/${ms(v.lagMs.p99)}/${ms(v.lagMs.max)}; this process ${f0(cpu)} % CPU, peak RSS ${f0(r.peakRssBytes / 1048576)} MB) ${r.held ? 'held' : `NOT held: ${r.why.join('; ')}`}`;
}

/**
 * The highest rate our engine holds: rates from `start` times `factor` each step until the
 * first that does not hold (or `maxSteps`), then a bisection (geometric) between the last
 * rate held and the first not held, `refine` times: the knee to within
 * factor^(1/2^refine) (1.2 and 3 steps: 2.3 %). Returns every run, in order.
 */
export async function searchRate(
  args: BenchArgs,
  scenario: Scenario,
  reference: RunningReference,
  endpoint: string,
  perArrival: number,
  start: number,
  factor: number,
  maxSteps: number,
  refine = 3,
): Promise<{ runs: OurRun[]; best: OurRun | undefined }> {
  const runs: OurRun[] = [];
  const attempt = async (rate: number) => {
    const r = await runOurs(args, scenario, reference, Math.round(rate * 100) / 100, args.stepSeconds, endpoint, perArrival);
    out(`  ours ${describeOurs(r, endpoint)}`);
    runs.push(r);
    return r;
  };
  let rate = start;
  let failedAt: number | undefined;
  for (let step = 0; step < maxSteps; step += 1) {
    const r = await attempt(rate);
    if (!r.held) {
      failedAt = rate;
      break;
    }
    rate *= factor;
  }
  if (failedAt !== undefined) {
    let low = runs.filter((r) => r.held).at(-1)?.rate ?? failedAt / factor / factor;
    let high = failedAt;
    for (let i = 0; i < refine; i += 1) {
      const mid = Math.sqrt(low * high);
      if ((await attempt(mid)).held) low = mid;
      else high = mid;
    }
  }
  const best = runs.filter((r) => r.held).sort((a, b) => b.achieved - a.achieved)[0];
  return { runs, best };
}
