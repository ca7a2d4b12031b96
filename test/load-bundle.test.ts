/**
 * The load bundles are self-contained: one scenario bundle, copied alone into an empty
 * folder with no node_modules anywhere above it, runs on the plain `node` binary (main
 * thread and its worker threads from the same file) and writes its run folder; merge.mjs,
 * alone too, merges that folder. The run's settings live in load/bundle/check-run.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import { startReference, type RunningReference } from '../lib/reference-process.ts';
import { BUNDLE_HEADER, buildBundles, type BuiltBundle } from '../load/bundle/build.ts';
import { CHECK_RUN_ARGS, CHECK_RUN_OK, CHECK_RUN_REFERENCE_ENV, checkRunEnv, runNode, writeAccountsFile } from '../load/bundle/check-run.ts';
import { SCENARIOS } from '../load/scenarios/index.ts';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'load-bundle-')));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every folder from `dir` up to the root. */
function ancestors(dir: string): string[] {
  const all = [dir];
  while (dirname(all.at(-1)!) !== all.at(-1)) all.push(dirname(all.at(-1)!));
  return all;
}

describe('load bundles', () => {
  let bundles: BuiltBundle[] = [];
  let reference: RunningReference | undefined;

  before(async () => {
    bundles = await buildBundles({ outDir: join(scratch, 'build') });
    reference = await startReference(CHECK_RUN_REFERENCE_ENV, { readyTimeoutMs: 90_000 });
  });
  after(async () => reference?.stop());

  test('one bundle per scenario plus merge.mjs, each with the header, importing only Node built-ins', () => {
    assert.deepEqual(bundles.map((b) => b.name), [...SCENARIOS.map((s) => s.name), 'merge']);
    for (const bundle of bundles) {
      const text = readFileSync(bundle.file, 'utf8');
      assert.equal(text.split('\n')[0], BUNDLE_HEADER, bundle.name);
      assert.match(text, /const require = __loadCreateRequire\(import\.meta\.url\);/, `${bundle.name}: the createRequire banner`);
      // A `node:` specifier can only ever name a built-in (undici lazily requires
      // node:sqlite, which Node 20 lacks and never reaches); anything else must be one of this Node's.
      const foreign = bundle.externals.filter((path) => !path.startsWith('node:') && !isBuiltin(path));
      assert.deepEqual(foreign, [], `${bundle.name} imports from outside itself: ${foreign.join(', ')}`);
      assert.ok(bundle.bytes > 0);
    }
  });

  test('a scenario bundle runs alone on a stock Node, and merge.mjs merges its run folder', async () => {
    const alone = join(scratch, 'alone');
    mkdirSync(alone);
    for (const dir of ancestors(alone)) assert.ok(!existsSync(join(dir, 'node_modules')), `${dir} has a node_modules: the check would prove nothing`);
    const scenario = bundles.find((b) => b.name === 'smoke')!;
    const merge = bundles.find((b) => b.name === 'merge')!;
    copyFileSync(scenario.file, join(alone, 'smoke.mjs'));
    copyFileSync(merge.file, join(alone, 'merge.mjs'));
    assert.deepEqual(readdirSync(alone).sort(), ['merge.mjs', 'smoke.mjs']);

    const env = checkRunEnv(reference!.url, writeAccountsFile(scratch));
    const run = await runNode(['smoke.mjs', '--out-dir', 'run', ...CHECK_RUN_ARGS], alone, env);
    assert.ok(CHECK_RUN_OK.includes(run.status ?? -1), `exit ${run.status}\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
    // runEntry writes summary.json only after its worker threads (spawned from this very file) report back.
    const summary = JSON.parse(readFileSync(join(alone, 'run', 'summary.json'), 'utf8')) as { puppilot?: { formatVersion?: number } };
    assert.equal(summary.puppilot?.formatVersion, 1);

    const merged = await runNode(['merge.mjs', 'run', '--out-dir', 'merged'], alone, env);
    assert.ok(CHECK_RUN_OK.includes(merged.status ?? -1), `merge exit ${merged.status}\n${merged.stderr}`);
    const mergedSummary = JSON.parse(readFileSync(join(alone, 'merged', 'summary.json'), 'utf8')) as { puppilot?: { formatVersion?: number } };
    assert.equal(mergedSummary.puppilot?.formatVersion, 1);
  });

  test('load:build rejects an unknown argument with one USAGE line and exit 2', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'load/bundle/build.ts', '--out', join(scratch, 'unused'), '--frobnicate'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^USAGE: unknown argument "--frobnicate"/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  });
});
