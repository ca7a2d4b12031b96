/**
 * Quick measurements for capacity planning (not a test):
 *   node --import tsx reference-api/bench/sign-in.ts [cost ...]
 * 1. time per scrypt hash at each cost (default 10 14 17);
 * 2. sign-in requests/s over HTTP at PASSWORD_HASH_COST=14 (or BENCH_COST), with
 *    BENCH_CONCURRENCY (default 8) clients for BENCH_SECONDS (default 5), spread over the
 *    load-NN seed accounts.
 * Sign-in throughput is bound by scrypt on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by
 * default) and the number of cores.
 */
import { availableParallelism } from 'node:os';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/passwords.ts';
import { SEED } from '../testing/harness.ts';

const costs = process.argv.slice(2).map(Number);
for (const cost of costs.length > 0 ? costs : [10, 14, 17]) {
  await hashPassword('warm-up', cost);
  const rounds = cost >= 17 ? 3 : 10;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await hashPassword('benchmark-password', cost);
  console.log(`scrypt cost ${cost} (N=2^${cost}, r=8, p=1): ${((performance.now() - started) / rounds).toFixed(1)} ms per hash`);
}

const cost = process.env.BENCH_COST ?? '14';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const app = await buildApp({ config: loadConfig({ PASSWORD_HASH_COST: cost, REFERENCE_LOG: 'off', REFERENCE_PORT: '0' }) });
const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/auth/sign-in`;
const accounts = SEED.users.filter((u) => u.email.startsWith('load-'));

const deadline = performance.now() + seconds * 1000;
const counts = { ok: 0, other: 0 };
await Promise.all(
  Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = worker; performance.now() < deadline; i += concurrency) {
      const account = accounts[i % accounts.length]!;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password: account.password }),
      });
      await res.arrayBuffer();
      if (res.status === 200) counts.ok++;
      else counts.other++;
    }
  }),
);
await app.close();
console.log(
  `sign-in at cost ${cost}: ${(counts.ok / seconds).toFixed(1)} requests/s (${counts.ok} ok, ${counts.other} other; ` +
    `${concurrency} clients, ${seconds} s, ${availableParallelism()} cores, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4})`,
);
