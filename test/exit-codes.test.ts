// Every command keeps README's exit-code table: 0 when every check passed, 1 when a
// contract check failed, 2 on a configuration or usage error, which prints exactly one
// line naming the variable or argument and never a stack trace.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import { referenceTargetEnv, startReference, type RunningReference } from '../lib/reference-process.ts';
import { runCommand, type Finished } from '../lib/run-command.ts';

type Run = Finished;

const scratch = mkdtempSync(join(tmpdir(), 'exit-codes-'));
const emptyEnvFile = join(scratch, 'empty.env');
writeFileSync(emptyEnvFile, '');
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs a command in the project as a user would, with a developer's .env kept out and the
 * embedded instances (should anything start them) away from the default ports 8787/8788.
 */
function run(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  return runCommand(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ENV_FILE: emptyEnvFile, REFERENCE_PORT: '9341', REFERENCE_EXPIRY_PORT: '9342', ...env },
    timeoutMs,
  });
}

const tsx = (script: string, args: string[], env?: Record<string, string>) => run(process.execPath, ['--import', 'tsx', script, ...args], env);

/** Exit status 2 with exactly one stderr line, matching `pattern`, and no stack frame. */
function assertUsageError(result: Run, pattern: RegExp): void {
  assert.equal(result.status, 2, `expected exit status 2, got ${result.status}\n${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.ok(!lines.some((l) => l.startsWith('    at ')), `stack trace on stderr:\n${result.stderr}`);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
}

describe('contract suite (npx playwright test)', () => {
  const spec = 'specs/sign-in.valid.spec.ts';
  let healthy: RunningReference;
  let faulty: RunningReference;

  before(async () => {
    // Cost 10 (the lowest allowed) keeps seeding and sign-ins quick; it changes no answer.
    [healthy, faulty] = await Promise.all([
      startReference({ PASSWORD_HASH_COST: '10' }),
      startReference({ PASSWORD_HASH_COST: '10', REFERENCE_FAULT: 'token-type-mac' }),
    ]);
  });
  after(async () => {
    await Promise.all([healthy?.stop(), faulty?.stop()]);
  });

  const suiteAgainst = (target: RunningReference, name: string) =>
    run('npx', ['playwright', 'test', spec], {
      ...referenceTargetEnv(target),
      // Empty is unset: nothing from the caller's shell points the run elsewhere.
      EXPIRY_BASE_URL: '',
      JWT_VERIFY_KEY: '',
      CONTRACT_WORKERS: '2',
      CONTRACT_REPORT_DIR: join(scratch, name),
    });

  test('a bad variable: 2, one line naming it', async () => {
    const result = await run('npx', ['playwright', 'test', spec], {
      TIMING_SAMPLES: 'many',
      CONTRACT_REPORT_DIR: join(scratch, 'bad-variable'),
    });
    assertUsageError(result, /^CONFIG_INVALID: TIMING_SAMPLES: /);
  });

  test('a target that violates the contract: 1', async () => {
    const result = await suiteAgainst(faulty, 'faulty');
    assert.equal(result.status, 1, `expected exit status 1, got ${result.status}\n${result.stdout.slice(-2000)}\n${result.stderr}`);
    assert.match(result.stdout, /\d+ failed/);
    assert.match(result.stdout, /✘.*token_type "bearer"/, 'the failure is the injected fault, not a broken run');
  });

  test('--list: 0, a count of the tests, and no run in the contract history or on the reports page', async () => {
    // Reports into a folder named `contract`, where a run would be recorded beside it.
    const reports = join(scratch, 'listed');
    const result = await run('npx', ['playwright', 'test', '--list'], { ...referenceTargetEnv(healthy), CONTRACT_REPORT_DIR: join(reports, 'contract') });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /contract suite: \d+ tests listed, none run/);
    assert.doesNotMatch(result.stdout, /contract suite passed/);
    assert.ok(!existsSync(join(reports, 'contract-history')), 'a listing entered the contract history');
    assert.ok(!existsSync(join(reports, 'index.html')), 'a listing rewrote the reports page');
  });

  test('the healthy reference API: 0', async () => {
    const result = await suiteAgainst(healthy, 'healthy');
    assert.equal(result.status, 0, `expected exit status 0, got ${result.status}\n${result.stdout.slice(-2000)}\n${result.stderr}`);
    assert.match(result.stdout, /\d+ passed/);
  });
});

describe('self-check (selfcheck/main.ts)', () => {
  test('an unknown argument: 2, one line naming it', async () => {
    assertUsageError(await tsx('selfcheck/main.ts', ['--bogus']), /^USAGE: unknown argument '--bogus'/);
  });

  test('an unknown fault: 2, one line naming it', async () => {
    assertUsageError(await tsx('selfcheck/main.ts', ['--only', 'no-such-fault']), /^USAGE: unknown fault 'no-such-fault'/);
  });
});

describe('benchmark (scripts/bench-suite.ts)', () => {
  test('--runs 0: 2, one line naming it', async () => {
    assertUsageError(await tsx('scripts/bench-suite.ts', ['--runs', '0']), /^USAGE: --runs /);
  });
});

describe('reports page (reporting/main.ts)', () => {
  test('a reports folder: 0, and the page path on stdout', async () => {
    const dir = join(scratch, 'reports');
    mkdirSync(dir);
    const result = await tsx('reporting/main.ts', ['--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^reports page: .*index\.html \(no contract run, 0 load runs charted\)\n$/);
  });

  test('an unknown argument: 2, one line naming it', async () => {
    assertUsageError(await tsx('reporting/main.ts', ['--bogus']), /^USAGE: unknown argument '--bogus'/);
  });

  test('--dir naming no folder: 2, one line naming it', async () => {
    assertUsageError(await tsx('reporting/main.ts', ['--dir', join(scratch, 'missing')]), /^USAGE: --dir '.*missing' is not a folder/);
  });
});

describe('generation (scripts/generate.ts)', () => {
  test('--check on the committed files: 0', async () => {
    const result = await tsx('scripts/generate.ts', ['--check']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  test('an unknown argument: 2, one line naming it', async () => {
    assertUsageError(await tsx('scripts/generate.ts', ['--nope']), /^USAGE: unknown argument '--nope'/);
  });
});

describe('reference API (reference-api/src/main.ts)', () => {
  test('a bad REFERENCE_PORT: 2, one line naming it', async () => {
    assertUsageError(await tsx('reference-api/src/main.ts', [], { REFERENCE_PORT: 'abc' }), /^CONFIG_INVALID: REFERENCE_PORT: /);
  });
});

describe('tools (scripts/tools.ts)', () => {
  test('an unknown tool: 2, one line naming it', async () => {
    assertUsageError(await tsx('scripts/tools.ts', ['no-such-tool']), /^USAGE: unknown tool 'no-such-tool'/);
  });
});
