/** scripts/bench-load.ts: its arguments (exit 2 on anything else) and how it reads wrk. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BENCH_DEFAULTS, luaLongString, parseBenchArgs, parseWrkOutput, wrkTimeMs } from '../scripts/bench-load-lib.ts';
import { SuiteError } from '../lib/errors.ts';

const usageError = (argv: string[]) =>
  assert.throws(() => parseBenchArgs(argv), (e: unknown) => e instanceof SuiteError && e.code === 'USAGE' && e.exitCode === 2);

describe('bench:load arguments', () => {
  it('defaults to every part', () => {
    assert.deepEqual(parseBenchArgs([]), BENCH_DEFAULTS);
    assert.deepEqual(BENCH_DEFAULTS.parts, ['cheap', 'sign-in', 'refresh', 'cpu', 'stall']);
  });

  it('reads --only in canonical order, and numbers with a space or =', () => {
    const args = parseBenchArgs(['--only', 'stall,cheap,stall', '--step-seconds=8', '--wrk-seconds', '4', '--workers', '2']);
    assert.deepEqual(args, { parts: ['cheap', 'stall'], stepSeconds: 8, wrkSeconds: 4, workers: 2 });
  });

  it('refuses unknown arguments, parts, missing values, repeats and out-of-range numbers', () => {
    usageError(['--fast']);
    usageError(['extra']);
    usageError(['--only', 'ceiling']);
    usageError(['--only']);
    usageError(['--only', '--workers', '1']);
    usageError(['--workers', '1', '--workers', '2']);
    usageError(['--workers', '0']);
    usageError(['--workers', '5']);
    usageError(['--step-seconds', '1']);
    usageError(['--step-seconds', '2.5']);
    usageError(['--wrk-seconds', 'ten']);
  });
});

describe('reading wrk', () => {
  const report = `Running 10s test @ http://127.0.0.1:40000/chat
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.59ms   40.12ms 716.00ms   98.90%
    Req/Sec     4.75k   600.00     5.20k    80.00%
  Latency Distribution
     50%    6.59ms
     75%  812.00us
     90%    1.20s
     99%  561.00ms
  47741 requests in 10.10s, 20.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec:   4728.42
Transfer/sec:      2.00MB
`;

  it('takes rate, counts, errors and latency percentiles in ms', () => {
    const w = parseWrkOutput(report)!;
    assert.equal(w.requestsPerSec, 4728.42);
    assert.equal(w.requests, 47741);
    assert.equal(w.seconds, 10.1);
    assert.equal(w.non2xx, 5);
    assert.equal(w.socketErrors, 3);
    assert.deepEqual(w.latencyMs, { avg: 6.59, max: 716, p50: 6.59, p75: 0.812, p90: 1200, p99: 561 });
  });

  it('has no figures without a Requests/sec line, and no percentiles without --latency', () => {
    assert.equal(parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused'), null);
    const w = parseWrkOutput(report.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, ''))!;
    assert.equal(w.latencyMs.p99, null);
    assert.equal(w.latencyMs.max, 716);
  });

  it('converts wrk times', () => {
    assert.equal(wrkTimeMs('250us'), 0.25);
    assert.equal(wrkTimeMs('2.00s'), 2000);
    assert.equal(wrkTimeMs('1.5m'), 90_000);
    assert.equal(wrkTimeMs('fast'), null);
  });

  it('quotes Lua strings verbatim, whatever brackets they hold', () => {
    assert.equal(luaLongString('{"a":"b"}'), '[[{"a":"b"}]]');
    assert.equal(luaLongString('x]]y'), '[=[x]]y]=]');
    assert.equal(luaLongString('x]]y]=]'), '[==[x]]y]=]]==]');
  });
});
