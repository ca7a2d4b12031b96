// The load suite against hostile targets, through its command line: a target that never
// answers, resets, sends a 50 MB body, trickles, dies mid-run, answers 200 with a non-JSON
// body or with HTML, or closes after the headers. Each run ends on its own with exit 1
// within duration + grace + timeout, its verdict names what the target did (never blames
// the generator), every arrival is accounted for, and the generator's memory stays bounded.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { startHostileServer, type HostileMode, type HostileServer } from './fixtures/hostile-server.ts';
import { baseEnv, describeRun, LAG_NOT_UNDER_TEST, readSummary, runLoadCli, type CliRun } from './fixtures/load-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-hostile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DURATION_S = 2;
const TIMEOUT_S = 1;
const GRACE_S = 1;
/** The bound the README states for the generator's resident memory against any of these targets. */
const MEMORY_BOUND_BYTES = 300 * 1024 * 1024;

/** What each target's verdict must say first, in words a person reads. */
const EXPECTED: Record<HostileMode, { rate: number; reason: RegExp }> = {
  // The last arrivals may still wait when the grace period ends: abandoned, and said so.
  'never-answers': { rate: 5, reason: /^sign-in: \d+ of \d+ failed: no complete answer within LOAD_TIMEOUT ×\d+(, still in flight when the grace period ended ×\d+)? \(127\.0\.0\.1:\d+\)$/ },
  resets: { rate: 5, reason: /^sign-in: \d+ of \d+ failed: connection reset ×\d+ \(127\.0\.0\.1:\d+\)$/ },
  // The issue a generator meets at volume: 50 MB answers at 20 arrivals a second.
  'huge-body': { rate: 20, reason: /^sign-in: \d+ of \d+ failed: body larger than LOAD_MAX_BODY ×\d+ \(127\.0\.0\.1:\d+\)$/ },
  trickles: { rate: 5, reason: /^sign-in: \d+ of \d+ failed: no complete answer within LOAD_TIMEOUT ×\d+(, still in flight when the grace period ended ×\d+)? \(127\.0\.0\.1:\d+\)$/ },
  dies: { rate: 5, reason: /^sign-in: \d+ of \d+ failed: connection refused or unreachable ×\d+(, connection reset ×\d+)? \(127\.0\.0\.1:\d+\)$/ },
  'non-json': { rate: 5, reason: /^10 responses broke the contract \(sign-in: \$ body is not JSON\)$/ },
  html: { rate: 5, reason: /^10 responses broke the contract \(sign-in: \$ body is not JSON\)$/ },
  'closes-after-headers': { rate: 5, reason: /^sign-in: \d+ of \d+ failed: connection reset ×\d+ \(127\.0\.0\.1:\d+\)$/ },
};
const MODES = Object.keys(EXPECTED) as HostileMode[];

describe('against hostile targets', () => {
  const servers = new Map<HostileMode, HostileServer>();
  const runs = new Map<HostileMode, { run: CliRun; summary: LoadSummary }>();

  before(async () => {
    for (const mode of MODES) servers.set(mode, await startHostileServer(mode, { dieAfterMs: 700 }));
    // All at once: each is short, and together they cost what one costs.
    await Promise.all(
      MODES.map(async (mode) => {
        const dir = join(scratch, mode);
        const env = {
          ...baseEnv(join(scratch, `${mode}-env`)),
          ...LAG_NOT_UNDER_TEST,
          BASE_URL: servers.get(mode)!.url,
          TEST_USER_EMAIL: 'load@example.test',
          TEST_USER_PASSWORD: 'not-a-real-password',
          LOAD_RATE: String(EXPECTED[mode].rate),
          LOAD_DURATION: `${DURATION_S}s`,
          LOAD_TIMEOUT: `${TIMEOUT_S}s`,
          LOAD_GRACE: `${GRACE_S}s`,
        };
        const run = await runLoadCli(['run', 'load', '--out-dir', dir, '--quiet'], env, 60_000);
        runs.set(mode, { run, summary: readSummary(dir) });
      }),
    );
  });
  after(async () => {
    for (const server of servers.values()) await server.close();
  });

  for (const mode of MODES) {
    test(`${mode}: exit 1 in time, the target named, every arrival accounted for, memory bounded`, () => {
      const { run, summary } = runs.get(mode)!;
      const d = summary.puppilot;
      assert.equal(run.status, 1, describeRun(run));
      const ranS = (Date.parse(d.endedAt) - Date.parse(d.startedAt)) / 1000;
      assert.ok(ranS <= DURATION_S + GRACE_S + TIMEOUT_S + 0.5, `ran ${ranS} s`);
      assert.match(d.verdict.reasons[0] ?? '', EXPECTED[mode].reason, d.verdict.reasons.join('\n'));
      assert.ok(run.stdout.includes(d.verdict.reasons[0]!), 'the console says it');
      assert.equal(d.validity.valid, true, `the target's fault blamed on the generator: ${d.validity.reasons.join('; ')}`);
      const c = d.counts!;
      assert.equal(c.scheduled, DURATION_S * EXPECTED[mode].rate);
      assert.equal(c.scheduled, c.started + c.dropped + c.notFired!, 'arrivals = started + dropped + not fired');
      assert.equal(c.started, c.completed + c.abandoned!, 'started = completed (failed among them) + abandoned');
      assert.ok(c.failed! <= c.completed);
      assert.ok(d.memory!.peakRssBytes < MEMORY_BOUND_BYTES, `peak memory ${Math.round(d.memory!.peakRssBytes / 1048576)} MiB`);
    });
  }
});
