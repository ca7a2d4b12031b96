/**
 * A load run's configuration (load/cli/config.ts) from an environment object: the target
 * safety check, the rate and duration caps, the overrides, thresholds from LOAD_THRESHOLDS,
 * account files, how accounts are shared between segments and worker threads (run.ts), the
 * merge of segment runs' series and windows (cli/merge-command.ts) and the command-line
 * options (cli/args.ts). Nothing here sends a request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Env } from '../lib/config.ts';
import { EXIT, SuiteError } from '../lib/errors.ts';
import { parseArgs } from '../load/cli/args.ts';
import type { LoadAccount } from '../load/engine/workload.ts';
import { checkTargetAllowed, isLoopbackHost, loadConfig, readAccountsFile, type LoadConfig } from '../load/cli/config.ts';
import { partitionAccounts } from '../load/engine/run.ts';
import type { Segment } from '../load/engine/segment.ts';
import mix from '../load/scenarios/mix.ts';
import smoke from '../load/scenarios/smoke.ts';
import stress from '../load/scenarios/stress.ts';
import { configErrorOf } from './fixtures/seeded.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-engine-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let fileNumber = 0;
function file(contents: string, ext = 'json'): string {
  fileNumber += 1;
  const path = join(scratch, `accounts-${fileNumber}.${ext}`);
  writeFileSync(path, contents);
  return path;
}

function errorOf(fn: () => unknown): SuiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SuiteError) return error;
    throw error;
  }
  assert.fail('expected a SuiteError');
}

const credentials: Env = { TEST_USER_EMAIL: 'load@example.test', TEST_USER_PASSWORD: 'pw' };

describe('the target: loopback, or exactly the host LOAD_ALLOW_HOST names', () => {
  for (const host of ['10.0.0.1', '192.168.1.1', 'example.com', '127.0.0.1.nip.io']) {
    test(`${host} without LOAD_ALLOW_HOST is refused, naming the host and LOAD_ALLOW_HOST`, () => {
      const error = errorOf(() => loadConfig(smoke, { ...credentials, BASE_URL: `http://${host}:8080` }));
      assert.equal(error.code, 'TARGET_REFUSED');
      assert.equal(error.exitCode, EXIT.usage, 'a refused target is exit 2, like a configuration error');
      assert.ok(error.message.includes(`'${host}'`), error.message);
      assert.ok(error.message.includes(`LOAD_ALLOW_HOST=${host}`), error.message);
    });

    test(`${host} with LOAD_ALLOW_HOST=${host} is allowed`, () => {
      const config = loadConfig(smoke, { ...credentials, BASE_URL: `http://${host}:8080`, LOAD_ALLOW_HOST: host });
      assert.deepEqual(config.target, { kind: 'external', origin: `http://${host}:8080` });
      assert.deepEqual(config.accounts, [{ email: 'load@example.test', password: 'pw' }]);
    });
  }

  test('LOAD_ALLOW_HOST naming another host does not allow this one, and the message says what it named', () => {
    const error = errorOf(() => loadConfig(smoke, { ...credentials, BASE_URL: 'https://api.example.com', LOAD_ALLOW_HOST: 'example.com' }));
    assert.equal(error.code, 'TARGET_REFUSED');
    assert.match(error.message, /'api\.example\.com'/);
    assert.match(error.message, /LOAD_ALLOW_HOST is 'example\.com'/);
  });

  test('LOAD_ALLOW_HOST matches the host case-insensitively, with or without IPv6 brackets', () => {
    assert.doesNotThrow(() => checkTargetAllowed('https://API.Example.COM:8443', 'api.example.com'));
    assert.doesNotThrow(() => checkTargetAllowed('https://api.example.com', ' API.EXAMPLE.COM '));
    assert.doesNotThrow(() => checkTargetAllowed('http://[2001:db8::1]:8080', '[2001:db8::1]'));
    assert.doesNotThrow(() => checkTargetAllowed('http://[2001:db8::1]:8080', '2001:db8::1'));
    assert.equal(errorOf(() => checkTargetAllowed('https://api.example.com:8443', 'api.example.com:8443')).code, 'TARGET_REFUSED', 'a port is not part of the host');
  });

  for (const origin of ['http://127.0.0.1:8787', 'http://127.8.9.10:1', 'http://[::1]:8080', 'http://localhost:3000', 'http://LOCALHOST', 'http://api.localhost:8080']) {
    test(`${origin} is loopback and needs no LOAD_ALLOW_HOST`, () => {
      const config = loadConfig(smoke, { ...credentials, BASE_URL: origin });
      assert.equal(config.target.kind, 'external');
    });
  }

  test('isLoopbackHost: 127.0.0.0/8, ::1 and the names for them, nothing else', () => {
    for (const host of ['127.0.0.1', '127.255.255.254', '[::1]', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'ip6-localhost', 'ip6-loopback', 'x.localhost']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['10.0.0.1', '192.168.1.1', '0.0.0.0', '128.0.0.1', '::2', 'example.com', '127.0.0.1.nip.io', 'localhost.example.com', 'mylocalhost', '']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('no BASE_URL: the embedded reference API, accounts known once it starts', () => {
    const config = loadConfig(smoke, {});
    assert.deepEqual(config.target, { kind: 'embedded' });
    assert.equal(config.accounts, null);
  });

  test('an external target without any account is a ConfigError naming LOAD_ACCOUNTS_FILE', () => {
    assert.equal(configErrorOf(() => loadConfig(smoke, { BASE_URL: 'http://127.0.0.1:9000' })).variable, 'LOAD_ACCOUNTS_FILE');
  });
});

describe('caps and overrides', () => {
  test('a peak above LOAD_MAX_RATE is a ConfigError naming LOAD_MAX_RATE', () => {
    const error = configErrorOf(() => loadConfig(smoke, { LOAD_MAX_RATE: '4' }));
    assert.equal(error.variable, 'LOAD_MAX_RATE');
    assert.match(error.message, /5 arrivals\/s, above the cap of 4\/s/);
    assert.equal(configErrorOf(() => loadConfig(smoke, { LOAD_RATE: '501' })).variable, 'LOAD_MAX_RATE', 'the default cap is 500/s');
    assert.equal(configErrorOf(() => loadConfig(stress, { LOAD_MAX_RATE: '100' })).variable, 'LOAD_MAX_RATE', "stress's top step is 120/s");
  });

  test('a peak exactly at LOAD_MAX_RATE is allowed', () => {
    assert.equal(loadConfig(smoke, { LOAD_MAX_RATE: '5' }).schedule.total, 50);
    assert.equal(loadConfig(smoke, { LOAD_RATE: '500' }).schedule.total, 5000);
  });

  test('a schedule longer than LOAD_MAX_DURATION is a ConfigError naming LOAD_MAX_DURATION', () => {
    const error = configErrorOf(() => loadConfig(smoke, { LOAD_MAX_DURATION: '5s' }));
    assert.equal(error.variable, 'LOAD_MAX_DURATION');
    assert.match(error.message, /10 s, above the cap of 5 s/);
    assert.equal(configErrorOf(() => loadConfig(smoke, { LOAD_DURATION: '61m' })).variable, 'LOAD_MAX_DURATION', 'the default cap is 1h');
    assert.equal(loadConfig(smoke, { LOAD_DURATION: '1h' }).schedule.durationMs, 3_600_000);
  });

  test('LOAD_RATE and LOAD_DURATION change a constant schedule', () => {
    const config = loadConfig(smoke, { LOAD_RATE: '7', LOAD_DURATION: '3s' });
    assert.equal(config.schedule.durationMs, 3000);
    assert.equal(config.schedule.total, 21);
    for (let i = 0; i < 21; i += 1) assert.ok(Math.abs(config.schedule.dueMs(i) - (i * 1000) / 7) < 1e-6, `arrival ${i}`);
    assert.equal(config.executor.rate, 7);
    const defaults = loadConfig(smoke, {});
    assert.deepEqual([defaults.schedule.durationMs, defaults.schedule.total], [10_000, 50]);
  });

  test('LOAD_RATE and LOAD_DURATION scale a ramping schedule to that peak and length', () => {
    const config = loadConfig(stress, { LOAD_RATE: '60', LOAD_DURATION: '36s' });
    assert.equal(Math.max(...config.schedule.stages.map((s) => s.toRate)), 60);
    assert.ok(Math.abs(config.schedule.durationMs - 36_000) <= config.schedule.stages.length, `${config.schedule.durationMs} ms`);
    // Half the rate and half the time of the defaults: a quarter of the arrivals.
    const defaults = loadConfig(stress, {});
    assert.ok(Math.abs(config.schedule.total - defaults.schedule.total / 4) <= 2, `${config.schedule.total} vs ${defaults.schedule.total}`);
  });

  test('malformed overrides are ConfigErrors naming their variable', () => {
    const cases: [Env, string][] = [
      [{ LOAD_RATE: 'fast' }, 'LOAD_RATE'],
      [{ LOAD_RATE: '0' }, 'LOAD_RATE'],
      [{ LOAD_DURATION: '500ms' }, 'LOAD_DURATION'],
      [{ LOAD_DURATION: 'long' }, 'LOAD_DURATION'],
      [{ LOAD_MAX_RATE: 'x' }, 'LOAD_MAX_RATE'],
      [{ LOAD_MAX_DURATION: 'forever' }, 'LOAD_MAX_DURATION'],
      [{ LOAD_MAX_IN_FLIGHT: '0' }, 'LOAD_MAX_IN_FLIGHT'],
      [{ LOAD_WORKERS: '0' }, 'LOAD_WORKERS'],
      [{ LOAD_MIN_RATE_RATIO: '1.5' }, 'LOAD_MIN_RATE_RATIO'],
      [{ BASE_URL: 'ftp://127.0.0.1' }, 'BASE_URL'],
    ];
    for (const [env, variable] of cases) assert.equal(configErrorOf(() => loadConfig(smoke, env)).variable, variable, JSON.stringify(env));
  });

  test('validity bounds default to 97 % of the rate and a lag p99 of 50 ms', () => {
    assert.deepEqual(loadConfig(smoke, {}).validity, { minRateRatio: 0.97, maxLagP99Ms: 50 });
    assert.deepEqual(loadConfig(smoke, { LOAD_MIN_RATE_RATIO: '0.9', LOAD_MAX_LAG_P99_MS: '20' }).validity, { minRateRatio: 0.9, maxLagP99Ms: 20 });
  });
});

describe('LOAD_THRESHOLDS', () => {
  test('its keys replace the scenario’s, the others stay', () => {
    const config = loadConfig(smoke, { LOAD_THRESHOLDS: '{"checks":["rate>0.9"],"http_reqs":["count>10"]}' });
    assert.deepEqual(config.thresholdMap.checks, ['rate>0.9']);
    assert.deepEqual(config.thresholdMap.http_reqs, ['count>10']);
    assert.deepEqual(config.thresholdMap['http_req_duration{endpoint:sign-in}'], smoke.thresholds['http_req_duration{endpoint:sign-in}']);
    const checks = config.thresholds.filter((t) => t.metric === 'checks');
    assert.deepEqual(
      checks.map((t) => [t.expression, t.abortOnFail]),
      [['rate>0.9', false]],
    );
  });

  test('bad JSON is a ConfigError naming LOAD_THRESHOLDS', () => {
    for (const json of ['{checks: 1}', '{"checks":', '["rate==1"]']) assert.equal(configErrorOf(() => loadConfig(smoke, { LOAD_THRESHOLDS: json })).variable, 'LOAD_THRESHOLDS', json);
  });

  test('unknown metrics, tags and aggregations are ConfigErrors, before anything is sent', () => {
    const cases: [string, RegExp][] = [
      ['{"http_req_latency":["p(95)<1"]}', /unknown metric 'http_req_latency'/],
      ['{"http_req_duration{user:x}":["p(95)<1"]}', /cannot be narrowed by 'user'/],
      ['{"http_req_duration":["p(95)~1"]}', /is not <aggregation><operator><number>/],
      ['{"http_req_duration":["median<1"]}', /median does not apply to a trend metric/],
      ['{"checks":["p(99)<1"]}', /does not apply to a rate metric/],
    ];
    for (const [json, message] of cases) {
      const error = configErrorOf(() => loadConfig(smoke, { LOAD_THRESHOLDS: json }));
      assert.equal(error.variable, 'thresholds');
      assert.match(error.message, message);
    }
  });
});

describe('accounts files', () => {
  const two = [
    { email: 'a@example.test', password: 'pa' },
    { email: 'b@example.test', password: 'p b,' },
  ];

  test('a JSON list of {email, password}', () => {
    assert.deepEqual(readAccountsFile(file(JSON.stringify(two))), two);
  });

  test('a JSON object with an accounts list; other fields are dropped', () => {
    const withExtra = two.map((a) => ({ ...a, note: 'x' }));
    assert.deepEqual(readAccountsFile(file(JSON.stringify({ accounts: withExtra }, null, 2))), two);
  });

  test('a CSV file with a header, in any column order, blank lines and CRLF ignored', () => {
    assert.deepEqual(readAccountsFile(file('email,password\na@example.test,pa\nb@example.test,pb\n', 'csv')), [
      { email: 'a@example.test', password: 'pa' },
      { email: 'b@example.test', password: 'pb' },
    ]);
    assert.deepEqual(readAccountsFile(file('Password, Email ,name\r\n\r\np1, a@example.test ,Ann\r\np 2,b@example.test,Bob\r\n', 'csv')), [
      { email: 'a@example.test', password: 'p1' },
      { email: 'b@example.test', password: 'p 2' },
    ]);
  });

  test(
    'a CSV password that holds a comma (quoted, as CSV writes it) is read whole',
    () => {
      assert.deepEqual(readAccountsFile(file('email,password\na@example.test,"pa,ss"\n', 'csv')), [{ email: 'a@example.test', password: 'pa,ss' }]);
    },
  );

  test('LOAD_ACCOUNTS_FILE feeds loadConfig', () => {
    const config = loadConfig(smoke, { BASE_URL: 'http://127.0.0.1:9000', LOAD_ACCOUNTS_FILE: file(JSON.stringify(two)) });
    assert.deepEqual(config.accounts, two);
  });

  const refused: [string, string, string, RegExp][] = [
    ['a duplicate email (case-insensitive)', JSON.stringify([...two, { email: 'A@Example.test', password: 'x' }]), 'json', /A@Example\.test is listed twice/],
    ['a duplicate in CSV', 'email,password\na@example.test,1\na@example.test,2\n', 'csv', /listed twice/],
    ['an empty JSON list', '[]', 'json', /holds no account/],
    ['an empty accounts list', '{"accounts": []}', 'json', /holds no account/],
    ['a CSV header without rows', 'email,password\n', 'csv', /holds no account/],
    ['an empty file', '', 'csv', /header line with email and password/],
    ['a bad email', JSON.stringify([{ email: 'not-an-email', password: 'x' }]), 'json', /not an email address: 'not-an-email'/],
    ['an email with a space', 'email,password\na b@example.test,x\n', 'csv', /not an email address/],
    ['a missing password', JSON.stringify([{ email: 'a@example.test' }]), 'json', /entry 0 needs "email" and "password"/],
    ['a CSV row without a password', 'email,password\na@example.test,\n', 'csv', /line 2 needs an email and a password/],
    ['a CSV file without a header', 'a@example.test,pw\n', 'csv', /header line with email and password/],
    ['invalid JSON', '[{"email": ', 'json', /is not valid JSON/],
    ['a JSON object without accounts', '{"users": []}', 'json', /expected a list/],
  ];
  for (const [name, contents, ext, message] of refused) {
    test(`${name} is refused`, () => {
      const path = file(contents, ext);
      const error = configErrorOf(() => readAccountsFile(path));
      assert.equal(error.variable, 'LOAD_ACCOUNTS_FILE');
      assert.match(error.message, message);
    });
  }

  test('a missing file is refused, naming it', () => {
    const path = join(scratch, 'no-such-file.json');
    const error = configErrorOf(() => loadConfig(smoke, { BASE_URL: 'http://127.0.0.1:9000', LOAD_ACCOUNTS_FILE: path }));
    assert.equal(error.variable, 'LOAD_ACCOUNTS_FILE');
    assert.ok(error.message.includes(path));
  });
});

describe('partitionAccounts: segments × workers share the accounts without overlap', () => {
  const accounts = (n: number): LoadAccount[] => Array.from({ length: n }, (_, j) => ({ email: `load-${j}@example.test`, password: `pw-${j}` }));
  const base = loadConfig(smoke, {});
  const baseMix = loadConfig(mix, {});
  /** What a run does with its accounts: each generator's share, then the scenario's own split (mix keeps one aside for its probe). */
  const partition = (from: LoadConfig, segment: Segment, workers: number, list: LoadAccount[]) =>
    partitionAccounts(list, segment, workers, from.scenario.accountsPerGenerator ?? 1, from.scenario.name).map((share) => {
      const sessions = from.scenario.perThread?.({ accounts: share, setupData: undefined }).accounts ?? share;
      return { share, sessions };
    });

  const splits: [number, number, number][] = [
    [1, 1, 3],
    [1, 4, 9],
    [3, 1, 10],
    [3, 2, 30],
    [4, 3, 12],
    [2, 5, 23],
  ];
  for (const [n, W, total] of splits) {
    for (const scenario of ['smoke', 'mix'] as const) {
      const needed = scenario === 'mix' ? 2 * n * W : n * W;
      if (total < needed) continue;
      test(`${scenario}: ${n} segments × ${W} workers over ${total} accounts`, () => {
        const list = accounts(total);
        const seen = new Map<string, string>();
        for (let k = 0; k < n; k += 1) {
          const parts = partition(scenario === 'mix' ? baseMix : base, { index: k, count: n }, W, list);
          assert.equal(parts.length, W);
          parts.forEach((part, w) => {
            const owner = `${k}/${n} worker ${w}`;
            const mine = part.share;
            // Generator k + n·w of n·W gets the accounts whose index j has j mod n·W == k + n·w.
            assert.deepEqual(
              mine.map((a) => a.email).sort(),
              list.filter((_, j) => j % (n * W) === k + n * w).map((a) => a.email).sort(),
              owner,
            );
            if (scenario === 'mix') {
              assert.equal(part.sessions.length, part.share.length - 1, `${owner} keeps one account aside for its probe`);
              assert.ok(part.sessions.length >= 1, `${owner} keeps an account for its sessions`);
            } else {
              assert.deepEqual(part.sessions, part.share);
            }
            for (const a of mine) {
              assert.equal(seen.get(a.email), undefined, `${a.email} given to ${seen.get(a.email)} and to ${owner}`);
              seen.set(a.email, owner);
            }
          });
        }
        assert.deepEqual([...seen.keys()].sort(), list.map((a) => a.email).sort(), 'the union is the whole list');
      });
    }
  }

  test('mix needs two accounts per generator and says so', () => {
    const error = configErrorOf(() => partition(baseMix, { index: 0, count: 1 }, 3, accounts(5)));
    assert.equal(error.variable, 'LOAD_ACCOUNTS_FILE');
    assert.match(error.message, /5 accounts cannot give each of 3 generators/);
    assert.match(error.message, /the 2 it needs for mix/);
    assert.doesNotThrow(() => partition(baseMix, { index: 0, count: 1 }, 3, accounts(6)));
  });

  test('a segment whose generators would get fewer than they need is refused, counting every generator', () => {
    // 2 segments × 2 workers, 7 accounts: generator 3 of 4 (segment 1/2, worker 1) gets 1.
    const error = configErrorOf(() => partition(baseMix, { index: 1, count: 2 }, 2, accounts(7)));
    assert.match(error.message, /7 accounts cannot give each of 4 generators \(segments × LOAD_WORKERS\) the 2 it needs for mix/);
    // smoke needs one each: 3 accounts cover segment 0/2's two generators (accounts 0 and 2), not segment 1/2's (1 and none).
    assert.doesNotThrow(() => partition(base, { index: 0, count: 2 }, 2, accounts(3)));
    assert.match(configErrorOf(() => partition(base, { index: 1, count: 2 }, 2, accounts(3))).message, /the 1 it needs for smoke/);
  });
});

describe('command-line options', () => {
  const usage = 'usage: test';
  test('--name value, --name=value, flags and positionals', () => {
    const parsed = parseArgs(['run-a', '--out-dir', 'x', 'run-b', '--quiet', '--segment=1/2'], ['out-dir', 'segment'], ['quiet'], usage);
    assert.deepEqual(parsed.positionals, ['run-a', 'run-b']);
    assert.deepEqual([...parsed.options], [
      ['out-dir', 'x'],
      ['quiet', true],
      ['segment', '1/2'],
    ]);
    assert.equal(parseArgs(['--out-dir=a=b'], ['out-dir'], [], usage).options.get('out-dir'), 'a=b');
  });

  test('unknown options, missing values and valued flags are USAGE errors carrying the usage', () => {
    const cases: string[][] = [['--nope'], ['--out-dir'], ['--out-dir', '--quiet'], ['--out-dir='], ['--quiet=yes']];
    for (const argv of cases) {
      const error = errorOf(() => parseArgs(argv, ['out-dir'], ['quiet'], usage));
      assert.equal(error.code, 'USAGE', argv.join(' '));
      assert.equal(error.exitCode, EXIT.usage);
      assert.ok(error.message.endsWith(usage), error.message);
    }
  });
});
