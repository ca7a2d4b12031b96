// One set of rules for both halves of the suite: the Playwright specs and the load checks
// judge a token response with the same functions (contracts/rules.ts). A target that
// breaks the expiry order fails a spec and a load check alike, each naming the rule
// `expiry-ordering`, which only `expiryOrdering()` reports.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RULE } from '../contracts/index.ts';
import { referenceTargetEnv, startReference, type RunningReference } from '../lib/reference-process.ts';
import { loadConfig, seedLoadAccounts } from '../load/cli/config.ts';
import { IterationApi } from '../load/client/auth-client.ts';
import { HttpTarget } from '../load/engine/http.ts';
import type { SampleSink } from '../load/engine/samples.ts';
import type { ContractFailureSample } from '../load/engine/summary-types.ts';
import smoke from '../load/scenarios/smoke.ts';
import { runContractSuite } from '../selfcheck/run-suite.ts';

const scratch = mkdtempSync(join(tmpdir(), 'rules-shared-'));
let reference: RunningReference;

before(async () => {
  // refresh_expires_at earlier than expires_at, the JWT claims agreeing with the body.
  reference = await startReference({ PASSWORD_HASH_COST: '10', REFERENCE_FAULT: 'refresh-expires-first' });
});
after(async () => {
  await reference.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('a spec and a load check fail on the same broken expiry order, through the same rule', async () => {
  const spec = await runContractSuite({ env: referenceTargetEnv(reference), reportDir: join(scratch, 'contract'), args: ['specs/tokens.expiry-ordering.spec.ts'], workers: 1 });
  assert.ok(spec.failed >= 1, `the expiry-ordering spec passed: ${spec.outputTail}`);
  assert.ok(
    spec.failures.some((f) => f.message.includes(`${RULE.expiryOrdering}:`)),
    `no spec failure names ${RULE.expiryOrdering}: ${spec.failures.map((f) => f.message).join(' | ')}`,
  );

  const failures: ContractFailureSample[] = [];
  const sink: SampleSink = { sample: () => undefined, token: () => undefined, contractFailure: (s) => failures.push(s) };
  const http = new HttpTarget(reference.url, { connections: 1, timeoutMs: 5000 });
  try {
    const api = new IterationApi(http, sink, loadConfig(smoke, { BASE_URL: reference.url, TEST_USER_EMAIL: 'a@b.test', TEST_USER_PASSWORD: 'x' }).api, Date.now());
    assert.equal(await api.signIn(seedLoadAccounts()[0]!), null, 'the load client took the broken answer');
  } finally {
    await http.close();
  }
  assert.ok(
    failures.some((f) => f.endpoint === 'sign-in' && f.problems.some((p) => p.startsWith(`${RULE.expiryOrdering}:`))),
    `no load check names ${RULE.expiryOrdering}: ${JSON.stringify(failures)}`,
  );
});
