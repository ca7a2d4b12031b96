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
import { availableParallelism } from 'node:os';
import { runMain } from '../lib/errors.ts';
import { parseBenchArgs } from './bench-load-lib.ts';
import { f0, out, table } from './bench-load/format.ts';
import { partCheap, partCpu, partRefresh, partSignIn, partStall, type Results } from './bench-load/parts.ts';
import { WRK_MISSING, wrkInstalled } from './bench-load/wrk.ts';

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

await runMain(() => main(process.argv.slice(2)));
