/**
 * The pure parts of `npm run bench:load` (scripts/bench-load.ts), kept apart so that a test
 * can hold them without starting anything: its arguments
 *   [--only PARTS] [--step-seconds N] [--wrk-seconds N] [--workers N]
 * (PARTS: a comma-separated list of cheap, sign-in, refresh, cpu, stall; default all), and
 * reading wrk's output.
 */
import { SuiteError } from '../lib/errors.ts';

export const BENCH_PARTS = ['cheap', 'sign-in', 'refresh', 'cpu', 'stall'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export interface BenchArgs {
  parts: BenchPart[];
  /** Length of one step of a rate search (our engine), in seconds. */
  stepSeconds: number;
  /** Length of a wrk ceiling run, in seconds. */
  wrkSeconds: number;
  /** Our engine's generator threads (LOAD_WORKERS). */
  workers: number;
}

export const BENCH_USAGE = 'usage: bench:load [--only cheap,sign-in,refresh,cpu,stall] [--step-seconds 2..30] [--wrk-seconds 2..60] [--workers 1..4]';

export const BENCH_DEFAULTS: BenchArgs = { parts: [...BENCH_PARTS], stepSeconds: 5, wrkSeconds: 10, workers: 1 };

const NUMERIC = { '--step-seconds': [2, 30], '--wrk-seconds': [2, 60], '--workers': [1, 4] } as const;

function usage(problem: string): SuiteError {
  return new SuiteError('USAGE', `${problem}; ${BENCH_USAGE}`);
}

/** Parses argv (without node and the script); throws a USAGE SuiteError (exit 2) on anything else. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { ...BENCH_DEFAULTS, parts: [...BENCH_DEFAULTS.parts] };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name !== '--only' && !Object.hasOwn(NUMERIC, name)) throw usage(`unknown argument '${arg}'`);
    if (seen.has(name)) throw usage(`${name} given twice`);
    seen.add(name);
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || value === '' || value.startsWith('--')) throw usage(`${name} needs a value`);
    if (name === '--only') {
      const parts = value.split(',').map((p) => p.trim());
      const unknown = parts.find((p) => !(BENCH_PARTS as readonly string[]).includes(p));
      if (unknown !== undefined) throw usage(`--only: unknown part '${unknown}' (known: ${BENCH_PARTS.join(', ')})`);
      // Always in the canonical order, each once.
      args.parts = BENCH_PARTS.filter((p) => parts.includes(p));
      continue;
    }
    const [min, max] = NUMERIC[name as keyof typeof NUMERIC];
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw usage(`${name} takes a whole number from ${min} to ${max}, got '${value}'`);
    if (name === '--step-seconds') args.stepSeconds = n;
    else if (name === '--wrk-seconds') args.wrkSeconds = n;
    else args.workers = n;
  }
  return args;
}

/** What wrk printed, in req/s and milliseconds; null where it printed nothing. */
export interface WrkFigures {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  non2xx: number;
  socketErrors: number;
  latencyMs: { avg: number | null; max: number | null; p50: number | null; p75: number | null; p90: number | null; p99: number | null };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `812.00us`, `1.23ms`, `2.00s` → milliseconds; null when it is not a wrk time. */
export function wrkTimeMs(text: string): number | null {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

/** Reads wrk 4's report (with or without `--latency`); null when it holds no Requests/sec line. */
export function parseWrkOutput(text: string): WrkFigures | null {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rps) return null;
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)/m.exec(text);
  const latency = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const pct = (p: number) => {
    const m = new RegExp(`^\\s*${p}(?:\\.0+)?%\\s+(\\S+)`, 'm').exec(text);
    return m ? wrkTimeMs(m[1]!) : null;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: total ? Number(total[1]) : 0,
    seconds: total ? (Number(total[2]) * UNIT_MS[total[3]!]!) / 1000 : 0,
    requestsPerSec: Number(rps[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((n, c) => n + Number(c), 0) : 0,
    latencyMs: {
      avg: latency ? wrkTimeMs(latency[1]!) : null,
      max: latency ? wrkTimeMs(latency[3]!) : null,
      p50: pct(50),
      p75: pct(75),
      p90: pct(90),
      p99: pct(99),
    },
  };
}

/** A Lua long string holding `text` verbatim (no escape is interpreted inside one). */
export function luaLongString(text: string): string {
  let level = 0;
  while (text.includes(`]${'='.repeat(level)}]`)) level += 1;
  const eq = '='.repeat(level);
  // A newline right after the opening bracket would be dropped by Lua: none is added.
  return `[${eq}[${text}]${eq}]`;
}
