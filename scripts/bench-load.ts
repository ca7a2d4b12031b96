/**
 * `npm run bench:load`: what our open-model load engine (load/) achieves next to wrk on this
 * machine, against reference APIs this script starts on 127.0.0.1 (never another address).
 * Figures, not a pass/fail: the targets are printed with "met"/"not met", never asserted
 * (a timed assertion would flake on a busy machine). Exit 0 once printed; 2 on bad
 * arguments or when a reference API cannot start.
 *
 * 1. cheap endpoint: POST /chat with a token obtained before the run (a JWT check and a
 *    small JSON answer). wrk's ceiling (-t1 -c50, the same request through a Lua script),
 *    then ours at the highest arrival rate it holds (short search, see `held`).
 * 2. sign-in at PASSWORD_HASH_COST=12 (hash-bound): wrk on the seeded load accounts, round
 *    robin, then ours (a flow of one sign-in) found the same way.
 * 3. refresh: ours only, on chains (one sign-in, then twenty refreshes, each with the token the
 *    last one returned). wrk sends one fixed request; it cannot chain rotated tokens, and a
 *    replayed spent token is refused, so it has no comparable figure.
 * 4. generator CPU: ours at 1,000 arrivals/s on POST /chat for 10 s, validation on: this
 *    process's CPU time (process.cpuUsage: every thread, generator included) over wall time.
 * 5. coordinated omission: a reference API with REFERENCE_FAULT=periodic-stall (frozen
 *    500 ms every 5 s); ours at 200/s on POST /chat for 20 s, then wrk (closed model) on
 *    the same. Our p99 should show the stall while our p50 stays low; wrk's p99 hides it.
 *
 * Usage: npm run bench:load [-- --only PARTS] [--step-seconds N] [--wrk-seconds N] [--workers N]
 * Every run and every search is bounded; the whole takes about four minutes on 2 cores.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { TokenResponse } from '../contracts/index.ts';
import { SuiteError, runMain } from '../lib/errors.ts';
import { startReference, type RunningReference } from '../lib/reference-process.ts';
import { runEntry } from '../load/cli/entry.ts';
import { loadConfig, seedLoadAccounts } from '../load/cli/config.ts';
import { planFor } from '../load/cli/run-command.ts';
import type { RunObserver, Snapshot } from '../load/engine/observers.ts';
import { runLoad } from '../load/engine/run.ts';
import type { LoadSummary, TrendValues } from '../load/engine/summary-types.ts';
import type { LoadAccount } from '../load/engine/workload.ts';
import { CHAT_MESSAGE } from '../load/scenarios/flows.ts';
import type { Scenario } from '../load/scenarios/scenario.ts';
import { parseBenchArgs, parseWrkOutput, luaLongString, type BenchArgs, type WrkFigures } from './bench-load-lib.ts';

// --- scenarios: defined here, found by name in the generator threads --------------------

const API_VERSION = '0.2.0';
const REFRESHES_PER_CHAIN = 20;

const constant = (maxVUs: number): Scenario['executor'] => (o) => ({
  executor: 'constant-arrival-rate',
  rate: o.rate ?? 100,
  timeUnit: '1s',
  duration: `${o.durationMs ?? 5000}ms`,
  maxVUs,
});

const chatScenario: Scenario = {
  name: 'bench-chat',
  description: 'POST /chat with one token obtained before the run (validated against ChatResponse).',
  defaults: 'set by the bench',
  executor: constant(100),
  thresholds: {},
  endpoints: ['chat'],
  // Signs in once, before the run (k6's setup): every arrival then sends the same token.
  setup: async ({ origin, accounts }) => signInOnce(origin, accounts[0]!),
  flow: async (ctx) => {
    await ctx.api.chat(ctx.setupData as TokenResponse, CHAT_MESSAGE);
  },
};

const signInScenario: Scenario = {
  name: 'bench-sign-in',
  description: 'One sign-in per arrival (validated against TokenResponse).',
  defaults: 'set by the bench',
  executor: constant(200),
  thresholds: {},
  endpoints: ['sign-in'],
  flow: async (ctx) => {
    await ctx.api.signIn(ctx.account);
  },
};

const refreshScenario: Scenario = {
  name: 'bench-refresh',
  description: `One sign-in, then ${REFRESHES_PER_CHAIN} refreshes, each with the refresh token the last one returned.`,
  defaults: 'set by the bench',
  executor: constant(200),
  thresholds: {},
  endpoints: ['sign-in', 'refresh'],
  flow: async (ctx) => {
    let session = await ctx.api.signIn(ctx.account);
    for (let i = 0; i < REFRESHES_PER_CHAIN && session; i += 1) session = await ctx.api.refresh(session);
  },
};

const SCENARIOS = [chatScenario, signInScenario, refreshScenario];

// --- output -------------------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fRate = (n: number) => (n < 100 ? f1(n) : f0(n));
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`);

interface Row {
  figure: string;
  ours: string;
  wrk: string;
  ratio: string;
  target: string;
  met: string;
}

function table(rows: Row[]): string {
  const head: Row = { figure: 'figure', ours: 'ours', wrk: 'wrk', ratio: 'ratio', target: 'target', met: 'met' };
  const keys = Object.keys(head) as (keyof Row)[];
  const width = (k: keyof Row) => Math.max(...[head, ...rows].map((r) => r[k].length));
  const line = (r: Row) => keys.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return [line(head), keys.map((k) => '-'.repeat(width(k))).join('  '), ...rows.map(line)].join('\n');
}

// --- wrk ------------------------------------------------------------------------------------

const WRK_MISSING = 'BENCH_SKIPPED: wrk is not installed (apt-get install wrk)';

function wrkInstalled(): boolean {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore', timeout: 5000 });
  return !(probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** A Lua script for wrk: POST `path` with these headers, the bodies in turn. */
function wrkScript(path: string, headers: Record<string, string>, bodies: string[]): string {
  return [
    'wrk.method = "POST"',
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[ ${luaLongString(k)} ] = ${luaLongString(v)}`),
    `local bodies = { ${bodies.map(luaLongString).join(', ')} }`,
    'local n = 0',
    'request = function()',
    '  n = n + 1',
    `  return wrk.format(nil, ${luaLongString(path)}, nil, bodies[(n % #bodies) + 1])`,
    'end',
    '',
  ].join('\n');
}

/** One wrk run (POST through a Lua script) against a reference API this script started. */
async function runWrk(
  reference: RunningReference,
  path: string,
  headers: Record<string, string>,
  bodies: string[],
  seconds: number,
  connections: number,
): Promise<WrkFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    writeFileSync(script, wrkScript(path, headers, bodies), { mode: 0o600 });
    return await spawnWrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, `http://127.0.0.1:${reference.port}${path}`], seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runWrkGet(reference: RunningReference, path: string, seconds: number, connections: number): Promise<WrkFigures> {
  return spawnWrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', `http://127.0.0.1:${reference.port}${path}`], seconds);
}

/** Runs wrk; killed if it overruns its duration by 20 s. */
async function spawnWrk(args: string[], seconds: number): Promise<WrkFigures> {
  out(`  wrk ${args.map((a) => (a.endsWith('.lua') ? 'request.lua' : a)).join(' ')}`);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(killer);
  const figures = parseWrkOutput(stdout);
  if (!figures) throw new SuiteError('USAGE', `wrk exited with ${code} and no figures: ${(stderr || stdout).trim().split('\n')[0] ?? ''}`, 1);
  return figures;
}

function describeWrk(w: WrkFigures): string {
  const errors = w.non2xx + w.socketErrors;
  return `${f0(w.requestsPerSec)} req/s (${f0(w.requests)} in ${f1(w.seconds)} s; p50 ${ms(w.latencyMs.p50)}, p99 ${ms(w.latencyMs.p99)}, max ${ms(w.latencyMs.max)}${errors ? `; ${w.non2xx} non-2xx, ${w.socketErrors} socket errors` : ''})`;
}

// --- our engine -------------------------------------------------------------------------------

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

interface OurRun {
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

async function runOurs(
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
    workerUrl: new URL('../load/cli/worker-bootstrap.mjs', import.meta.url),
    workerEntry: import.meta.url,
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

function describeOurs(r: OurRun, endpoint: string): string {
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
async function searchRate(
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

// --- the parts ------------------------------------------------------------------------------

interface Results {
  rows: Row[];
  wrk: boolean;
}

async function withReference<T>(env: Record<string, string>, use: (reference: RunningReference) => Promise<T>): Promise<T> {
  const reference = await startReference({ REFERENCE_LOG: 'off', REFERENCE_FAULT: '', ...env }, { exitOnSignal: true });
  try {
    return await use(reference);
  } finally {
    await reference.stop();
  }
}

async function signInOnce(origin: string, account: LoadAccount): Promise<TokenResponse> {
  const res = await fetch(`${origin}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as TokenResponse;
  if (res.status !== 200) throw new SuiteError('TARGET_UNREACHABLE', `the reference API refused the bench's sign-in (${res.status})`);
  return body;
}

const chatHeaders = (session: TokenResponse) => ({
  'Content-Type': 'application/json',
  Accept: 'application/json',
  Authorization: `Bearer ${session.access_token}`,
  'X-API-Version': API_VERSION,
});
const CHAT_BODY = JSON.stringify({ message: CHAT_MESSAGE });

/**
 * For the cheap endpoint and the CPU figure: the harmless `rs256-keys` variation. With the
 * default ES256 keys the reference API's own signature check bounds POST /chat near
 * 1,000/s on 2 cores, and the figures would measure the server, not the generator.
 */
const CHEAP_REFERENCE = { PASSWORD_HASH_COST: '12', REFERENCE_FAULT: 'rs256-keys' } as const;

const ratio = (ours: number | undefined, wrk: number | undefined) => (ours !== undefined && wrk ? ours / wrk : undefined);
const fmtRatio = (r: number | undefined) => (r === undefined ? '-' : `${r.toFixed(2)} ×`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'not met');

async function partCheap(args: BenchArgs, results: Results): Promise<void> {
  out('1. ceiling, cheap endpoint: POST /chat with a token obtained before the run (JWT check, small JSON answer)');
  out(`  reference API with REFERENCE_FAULT=${CHEAP_REFERENCE.REFERENCE_FAULT} (harmless: RS256 tokens; ES256 verification alone holds its /chat near 1,000/s on 2 cores)`);
  await withReference(CHEAP_REFERENCE, async (reference) => {
    const session = await signInOnce(reference.url, seedLoadAccounts()[0]!);
    let wrk: WrkFigures | undefined;
    if (results.wrk) {
      const health = await runWrkGet(reference, '/healthz', Math.min(5, args.wrkSeconds), 50);
      out(`  wrk  GET /healthz, the cheapest endpoint (our engine sends only sign-in, refresh and chat): ${describeWrk(health)}`);
      wrk = await runWrk(reference, '/chat', chatHeaders(session), [CHAT_BODY], args.wrkSeconds, 50);
      out(`  wrk  POST /chat: ${describeWrk(wrk)}`);
    } else out(`  ${WRK_MISSING}`);
    const { best } = await searchRate(args, chatScenario, reference, 'chat', 1, 200, 1.5, 7);
    out(`  ours: highest rate held ${best ? `${fRate(best.rate)}/s, ${f0(best.achieved)} req/s` : 'none'}`);
    const r = ratio(best?.achieved, wrk?.requestsPerSec);
    results.rows.push({
      figure: 'cheap endpoint (POST /chat) req/s',
      ours: best ? f0(best.achieved) : '-',
      wrk: wrk ? f0(wrk.requestsPerSec) : 'skipped',
      ratio: fmtRatio(r),
      target: '≥ 0.3 × wrk',
      met: verdict(r === undefined ? undefined : r >= 0.3),
    });
  });
}

async function partSignIn(args: BenchArgs, results: Results): Promise<void> {
  out('2. sign-in, PASSWORD_HASH_COST=12 (scrypt-bound): the 20 seeded load accounts in turn, validation on');
  await withReference({ PASSWORD_HASH_COST: '12' }, async (reference) => {
    const accounts = seedLoadAccounts();
    let wrk: WrkFigures | undefined;
    if (results.wrk) {
      const bodies = accounts.map((a) => JSON.stringify({ email: a.email, password: a.password }));
      wrk = await runWrk(reference, '/auth/sign-in', { 'Content-Type': 'application/json', Accept: 'application/json' }, bodies, args.wrkSeconds, 50);
      out(`  wrk  ${describeWrk(wrk)}`);
    } else out(`  ${WRK_MISSING}`);
    // With wrk's ceiling known, search around it; else climb from a low rate.
    const start = wrk && wrk.requestsPerSec >= 20 ? wrk.requestsPerSec * 0.5 : 10;
    const factor = wrk && wrk.requestsPerSec >= 20 ? 1.2 : 1.5;
    const { best } = await searchRate(args, signInScenario, reference, 'sign-in', 1, start, factor, 6);
    out(`  ours: highest rate held ${best ? `${fRate(best.rate)}/s, ${f0(best.achieved)} req/s` : 'none'}`);
    const r = ratio(best?.achieved, wrk?.requestsPerSec);
    results.rows.push({
      figure: 'sign-in (cost 12) req/s',
      ours: best ? f0(best.achieved) : '-',
      wrk: wrk ? f0(wrk.requestsPerSec) : 'skipped',
      ratio: fmtRatio(r),
      target: '≥ 0.95 × wrk',
      met: verdict(r === undefined ? undefined : r >= 0.95),
    });
  });
}

async function partRefresh(args: BenchArgs, results: Results): Promise<void> {
  out(`3. refresh chains: one sign-in (cost 12), then ${REFRESHES_PER_CHAIN} refreshes each with the token the last returned; ours only`);
  out('  wrk: no comparable figure: it sends one fixed request, so it cannot present the refresh token the previous');
  out('  response rotated in; replaying one spent token measures the 401 path (and reuse detection), not refresh');
  await withReference({ PASSWORD_HASH_COST: '12' }, async (reference) => {
    const { best } = await searchRate(args, refreshScenario, reference, 'refresh', REFRESHES_PER_CHAIN, 5, 1.5, 6);
    out(`  ours: highest rate held ${best ? `${fRate(best.rate)} chains/s, ${f0(best.achieved)} refresh req/s` : 'none'}`);
    results.rows.push({
      figure: 'refresh req/s (chains)',
      ours: best ? f0(best.achieved) : '-',
      wrk: 'n/a (no chaining)',
      ratio: '-',
      target: '(figure only)',
      met: 'n/a',
    });
  });
}

async function partCpu(args: BenchArgs, results: Results): Promise<void> {
  out('4. generator CPU at 1,000 arrivals/s on POST /chat for 10 s, validation on (this process, every thread)');
  await withReference(CHEAP_REFERENCE, async (reference) => {
    const r = await runOurs(args, chatScenario, reference, 1000, 10, 'chat', 1);
    out(`  ours ${describeOurs(r, 'chat')}`);
    const steady = r.cpuSteadyPct;
    out(
      `  CPU: ${steady === null ? '-' : `${f1(steady)} %`} of one core in steady state (sampled each second inside the schedule); ` +
        `${f1(r.cpuWholePct)} % over the whole call, generator thread start-up (tsx) and drain included; peak RSS ${f0(r.peakRssBytes / 1048576)} MB`,
    );
    const figure = steady ?? r.cpuWholePct;
    results.rows.push({
      figure: `generator CPU at 1,000 req/s${r.held ? '' : ' (run not held)'}`,
      ours: `${f1(figure)} %`,
      wrk: '-',
      ratio: '-',
      target: '≤ 20 % of a core',
      met: verdict(figure <= 20),
    });
  });
}

const trend = (t: TrendValues | undefined, key: keyof TrendValues) => (t ? t[key] : null);

async function partStall(args: BenchArgs, results: Results): Promise<void> {
  out('5. coordinated omission: REFERENCE_FAULT=periodic-stall (the server freezes 500 ms every 5 s), POST /chat for 20 s');
  await withReference({ PASSWORD_HASH_COST: '12', REFERENCE_FAULT: 'periodic-stall' }, async (reference) => {
    const session = await signInOnce(reference.url, seedLoadAccounts()[0]!);
    const r = await runOurs(args, { ...chatScenario, executor: constant(400) }, reference, 200, 20, 'chat', 1);
    const e = r.summary.puppilot.endpoints.chat;
    const p50 = trend(e?.duration, 'med');
    const p99 = trend(e?.duration, 'p(99)');
    const p99c = trend(e?.corrected, 'p(99)');
    out(`  ours 200/s (open model): p50 ${ms(p50)}, p99 ${ms(p99)}, p99 corrected ${ms(p99c)}, max ${ms(trend(e?.duration, 'max'))}${r.held ? '' : ` (NOT held: ${r.why.join('; ')})`}`);
    let wrk: WrkFigures | undefined;
    if (results.wrk) {
      wrk = await runWrk(reference, '/chat', chatHeaders(session), [CHAT_BODY], 20, 50);
      out(`  wrk  (closed model) ${describeWrk(wrk)}`);
    } else out(`  ${WRK_MISSING}`);
    const shown = p99 !== null && p50 !== null ? p99 >= 250 && p50 < 50 : undefined;
    results.rows.push({
      figure: 'stall: p50 / p99 (p99 corrected)',
      ours: `${ms(p50)} / ${ms(p99)} (${ms(p99c)})`,
      wrk: wrk ? `${ms(wrk.latencyMs.p50)} / ${ms(wrk.latencyMs.p99)}` : 'skipped',
      ratio: '-',
      target: 'p99 shows the stall (≥ 250 ms), p50 < 50 ms',
      met: verdict(shown),
    });
  });
}

// --- main -----------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const results: Results = { rows: [], wrk: wrkInstalled() };
  const started = performance.now();
  out(
    `bench:load: ${availableParallelism()} cores (generator, server and wrk share them), Node ${process.version}, ` +
      `${args.workers} generator thread${args.workers > 1 ? 's' : ''}, search steps of ${args.stepSeconds} s, wrk runs of ${args.wrkSeconds} s`,
  );
  out('  ours "held" a rate when the run was valid (kept to schedule: rate ≥ 97 %, lag p99 ≤ 50 ms), dropped nothing, failed');
  out('  nothing, broke no contract, and ≥ 90 % of the scheduled responses arrived within the schedule; req/s = those responses');
  if (!results.wrk) out(WRK_MISSING);
  const parts = { cheap: partCheap, 'sign-in': partSignIn, refresh: partRefresh, cpu: partCpu, stall: partStall } as const;
  for (const part of args.parts) {
    out();
    await parts[part](args, results);
  }
  out();
  out(table(results.rows));
  out(`(figures from one run on this machine, printed, not asserted; ${f0((performance.now() - started) / 1000)} s in all)`);
  return 0;
}

if (isMainThread) await runMain(() => main(process.argv.slice(2)));
else await runEntry(SCENARIOS, import.meta.url);
