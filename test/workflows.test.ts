// The GitHub Actions workflows are linted with actionlint (built by scripts/tools.ts at its
// pinned version): every workflow must be clean, and a workflow with known errors must be
// reported, so that the lint cannot pass by seeing nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';

const WORKFLOWS_DIR = join(PROJECT_ROOT, '.github', 'workflows');

interface Finding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

const hasShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;

/** Provisions actionlint through the project's script, then runs it on `files` with JSON output. */
function actionlint(files: string[]): { status: number | null; findings: Finding[]; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/tools.ts', 'actionlint', '-no-color', '-format', '{{json .}}', ...files],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  const out = result.stdout.trim();
  let findings: Finding[] = [];
  if (out !== '') {
    try {
      findings = JSON.parse(out) as Finding[];
    } catch {
      assert.fail(`actionlint printed something other than JSON findings:\n${out}\n${result.stderr}`);
    }
  }
  return { status: result.status, findings, stderr: result.stderr };
}

/**
 * Without Go, actionlint cannot be built: a developer's `npm test` skips these tests with
 * the reason; in CI (where the workflow sets Go up) they fail instead.
 */
function skippedForMissingGo(t: { skip: (reason: string) => void }, stderr: string): boolean {
  const line = stderr.split('\n').find((l) => l.startsWith('SETUP_FAILED: Go is not installed'));
  if (line === undefined || process.env.CI) return false;
  t.skip(line);
  return true;
}

const show = (findings: Finding[]) => findings.map((f) => `  ${f.filepath}:${f.line}:${f.column}: [${f.kind}] ${f.message}`).join('\n');

test('every workflow in .github/workflows passes actionlint', (t) => {
  const files = readdirSync(WORKFLOWS_DIR)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join('.github', 'workflows', name));
  assert.ok(files.length >= 2, `expected the gate and staging workflows, found: ${files.join(', ') || 'none'}`);
  if (!hasShellcheck) t.diagnostic('shellcheck is not installed: actionlint skipped the checks of run: scripts');
  const { status, findings, stderr } = actionlint(files);
  if (skippedForMissingGo(t, stderr)) return;
  assert.deepEqual(findings, [], `actionlint findings:\n${show(findings)}`);
  assert.equal(status, 0, stderr);
});

test('actionlint reports a broken workflow (the lint cannot pass vacuously)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
  const file = join(dir, 'broken.yml');
  // Three known errors: an input that is not declared, an unknown job key (runs_on), and
  // an untrusted value interpolated into a script; a shellcheck one when it is installed.
  writeFileSync(
    file,
    [
      'name: broken',
      'on:',
      '  pull_request:',
      '  workflow_dispatch:',
      '    inputs:',
      '      target:',
      '        type: string',
      'jobs:',
      '  one:',
      '    runs_on: ubuntu-24.04',
      '    steps:',
      '      - run: echo "${{ inputs.nope }}"',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo $UNQUOTED',
      '',
    ].join('\n'),
  );
  try {
    const { status, findings, stderr } = actionlint([file]);
    if (skippedForMissingGo(t, stderr)) return;
    assert.equal(status, 1, `expected exit status 1 (findings), got ${status}`);
    const has = (kind: string, pattern: RegExp) => findings.some((f) => f.kind === kind && pattern.test(f.message));
    assert.ok(has('expression', /property "nope" is not defined/), `undefined input not reported:\n${show(findings)}`);
    assert.ok(has('syntax-check', /runs_on/), `unknown key runs_on not reported:\n${show(findings)}`);
    assert.ok(has('expression', /github\.event\.pull_request\.title.*(untrusted|potentially)/), `script injection not reported:\n${show(findings)}`);
    if (hasShellcheck) assert.ok(has('shellcheck', /SC2086/), `shellcheck finding not reported:\n${show(findings)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
