/**
 * `npm run load:k8s`: the manifests of a 4-segment run, read back from the files it writes,
 * validate against the Kubernetes schema (and a broken one does not, so the validation is
 * real); the Job is Indexed with one pod per segment; one ConfigMap per bundle carries its
 * exact bytes under the 1 MiB limit; credentials come only from the Secret; the merge Job
 * reads the same claim. The pods' commands are then run here, as Kubernetes would run
 * them (init container, each segment, the merge), against a reference API.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, type IContainer, type IEnvVar } from 'kubernetes-models/v1';
import { PROJECT_ROOT } from '../lib/config.ts';
import { SuiteError } from '../lib/errors.ts';
import { startReference, type RunningReference } from '../lib/reference-process.ts';
import { CHECK_RUN_LOAD, CHECK_RUN_OK, CHECK_RUN_REFERENCE_ENV, checkRunEnv, runNode, writeAccountsFile } from '../load/bundle/check-run.ts';
import { checkedManifests, MANIFEST_FILES, parseGenerateArgs } from '../load/k8s/generate.ts';
import { APP_NAME, CONFIGMAP_LIMIT_BYTES, configMapBytes, PATHS, PROMETHEUS_SECRET_KEYS, validateManifests, type ScaleOutManifests } from '../load/k8s/manifests.ts';

const SEGMENTS = 4;
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'load-k8s-')));
after(() => rmSync(scratch, { recursive: true, force: true }));
const outDir = join(scratch, 'k8s');

function runGenerate(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'load/k8s/generate.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(outDir, file), 'utf8')) as Record<string, unknown>;
}

/** The four objects, as typed models built from the files on disk. */
function readManifests(): ScaleOutManifests {
  return {
    pvc: new PersistentVolumeClaim(readJson(MANIFEST_FILES.pvc) as never),
    configMap: new ConfigMap(readJson(MANIFEST_FILES.configMap) as never),
    mergeConfigMap: new ConfigMap(readJson(MANIFEST_FILES.mergeConfigMap) as never),
    job: new Job(readJson(MANIFEST_FILES.job) as never),
    mergeJob: new Job(readJson(MANIFEST_FILES.mergeJob) as never),
  };
}

const container = (job: Job, name: string): IContainer => {
  const found = [...(job.spec?.template.spec?.containers ?? []), ...(job.spec?.template.spec?.initContainers ?? [])].find((c) => c.name === name);
  assert.ok(found, `${job.metadata?.name} has no container ${name}`);
  return found;
};

describe('load:k8s manifests', () => {
  let manifests: ScaleOutManifests;

  before(() => {
    const result = runGenerate(['--scenario', 'mix', '--segments', String(SEGMENTS), '--out', outDir, '--rate', CHECK_RUN_LOAD.LOAD_RATE, '--duration', CHECK_RUN_LOAD.LOAD_DURATION]);
    assert.equal(result.status, 0, result.stderr);
    manifests = readManifests();
  });

  test('each object validates against the Kubernetes schema, and broken ones do not', () => {
    for (const object of Object.values(manifests)) object.validate();
    validateManifests(manifests);

    const broken = (mutate: (job: Record<string, any>) => void): Job => {
      const data = readJson(MANIFEST_FILES.job) as Record<string, any>;
      mutate(data);
      return new Job(data as never);
    };
    assert.throws(() => broken((j) => (j.spec.completions = 'four')).validate(), /completions must be integer/);
    assert.throws(() => broken((j) => (j.spec.completionMode = 'Sometimes')).validate(), /completionMode/);
    assert.throws(() => broken((j) => delete j.spec.template.spec.containers).validate(), /containers/);
    // The schema has no minimum for completions: the generator's own check catches it.
    const negative = broken((j) => (j.spec.completions = -1));
    assert.doesNotThrow(() => negative.validate());
    assert.throws(() => validateManifests({ ...manifests, job: negative }), /completions and parallelism/);
  });

  test('every object is namespaced and labelled', () => {
    for (const object of Object.values(manifests)) {
      assert.equal(object.metadata?.namespace, 'load');
      assert.equal(object.metadata?.labels?.['app.kubernetes.io/name'], APP_NAME);
      assert.ok(object.metadata?.labels?.['app.kubernetes.io/component']);
    }
  });

  test('the Job is Indexed, one pod per segment at once, never retried', () => {
    const spec = manifests.job.spec!;
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.completions, SEGMENTS);
    assert.equal(spec.parallelism, SEGMENTS);
    assert.equal(spec.backoffLimit, 0);
    assert.equal(spec.template.spec?.restartPolicy, 'Never');
    const segment = container(manifests.job, 'segment');
    assert.equal(segment.image, 'node:20-alpine');
    assert.deepEqual(segment.command, ['node', '/bundle/mix.mjs']);
    assert.deepEqual(segment.args, ['--segment', `$(JOB_COMPLETION_INDEX)/${SEGMENTS}`, '--out-dir', '/results/segment-$(JOB_COMPLETION_INDEX)']);
    // `$(VAR)` expands only variables defined before it in the container's env.
    assert.equal(segment.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
    assert.ok(segment.resources?.requests && segment.resources.limits);
    const env = new Map(segment.env?.map((e) => [e.name, e]));
    assert.equal(env.get('LOAD_RATE')?.value, CHECK_RUN_LOAD.LOAD_RATE);
    assert.equal(env.get('LOAD_DURATION')?.value, CHECK_RUN_LOAD.LOAD_DURATION);
  });

  test('credentials come from the Secret, never inline', () => {
    const segment = container(manifests.job, 'segment');
    const env = new Map<string, IEnvVar>(segment.env?.map((e) => [e.name, e]));
    for (const name of ['BASE_URL', 'LOAD_ALLOW_HOST']) {
      const variable = env.get(name);
      assert.equal(variable?.value, undefined, `${name} is inline`);
      assert.deepEqual(variable?.valueFrom?.secretKeyRef, { name: 'load-target', key: name });
    }
    assert.equal(env.get('LOAD_ACCOUNTS_FILE')?.value, `${PATHS.secrets}/accounts.json`);
    const mount = segment.volumeMounts?.find((m) => m.mountPath === PATHS.secrets);
    const volume = manifests.job.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
    assert.equal(volume?.secret?.secretName, 'load-target');
    assert.equal(mount?.readOnly, true);
    for (const variable of segment.env ?? []) assert.doesNotMatch(variable.value ?? '', /^https?:|password|token/i, variable.name);
    for (const file of Object.values(MANIFEST_FILES)) assert.doesNotMatch(readFileSync(join(outDir, file), 'utf8'), /"kind": "Secret"/);
  });

  test('one ConfigMap per bundle carries it byte for byte, each with a margin under the 1 MiB limit', () => {
    assert.deepEqual(Object.keys(manifests.configMap.binaryData ?? {}), ['mix.mjs.gz']);
    assert.deepEqual(Object.keys(manifests.mergeConfigMap.binaryData ?? {}), ['merge.mjs.gz']);
    for (const [file, configMap, key] of [['mix.mjs', manifests.configMap, 'configMap'], ['merge.mjs', manifests.mergeConfigMap, 'mergeConfigMap']] as const) {
      const built = readFileSync(join(outDir, 'bundle', file));
      assert.ok(gunzipSync(Buffer.from(configMap.binaryData![`${file}.gz`]!, 'base64')).equals(built), `${file} differs from the built bundle`);
      // A quarter of the limit left for what the bundles grow by.
      assert.ok(configMapBytes(configMap) < CONFIGMAP_LIMIT_BYTES * 0.75, `${configMapBytes(configMap)} bytes`);
      assert.ok(readFileSync(join(outDir, MANIFEST_FILES[key])).length < CONFIGMAP_LIMIT_BYTES * 0.75, `${MANIFEST_FILES[key]}: ${readFileSync(join(outDir, MANIFEST_FILES[key])).length} bytes`);
    }
    // Both reach the pods through one projected volume.
    const volume = manifests.job.spec?.template.spec?.volumes?.find((v) => v.name === 'packed-bundles');
    assert.deepEqual(volume?.projected?.sources?.map((s) => s.configMap?.name), [manifests.configMap.metadata?.name, manifests.mergeConfigMap.metadata?.name]);
  });

  test('an object over the 1 MiB limit is refused with one line, exit 2', () => {
    // Random bytes do not compress: gzipped and in base64 they stay over the limit.
    const options = parseGenerateArgs(['--scenario', 'mix', '--segments', '2', '--out', join(scratch, 'too-big')]);
    const bundles = { scenario: randomBytes(CONFIGMAP_LIMIT_BYTES), merge: Buffer.from('export {};\n') };
    assert.throws(
      () => checkedManifests(options, bundles),
      (error: unknown) =>
        error instanceof SuiteError && error.exitCode === 2 && !error.message.includes('\n') && /ConfigMap load-mix-bundle would be \d+ bytes, over the 1048576-byte limit/.test(error.message),
    );
    assert.doesNotThrow(() => checkedManifests(options, { scenario: Buffer.from('export {};\n'), merge: Buffer.from('export {};\n') }));
  });

  test('every segment pushes to the Secret\'s Prometheus, when it has one, under one testid', () => {
    const env = new Map<string, IEnvVar>(container(manifests.job, 'segment').env?.map((e) => [e.name, e]));
    for (const key of PROMETHEUS_SECRET_KEYS) assert.deepEqual(env.get(key)?.valueFrom?.secretKeyRef, { name: 'load-target', key, optional: true });
    assert.match(env.get('LOAD_TESTID')?.value ?? '', /^load-mix-\d{8}T\d{6}Z$/);
  });

  test('the merge Job waits suspended, mounts the same claim and names every segment folder', () => {
    const spec = manifests.mergeJob.spec!;
    assert.equal(spec.suspend, true);
    assert.equal(spec.completions, 1);
    assert.equal(spec.backoffLimit, 0);
    const claims = (job: Job) => job.spec?.template.spec?.volumes?.flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
    assert.deepEqual(claims(manifests.mergeJob), [manifests.pvc.metadata?.name]);
    assert.deepEqual(claims(manifests.job), [manifests.pvc.metadata?.name]);
    assert.deepEqual(manifests.pvc.spec?.accessModes, ['ReadWriteMany']);
    const merge = container(manifests.mergeJob, 'merge');
    assert.deepEqual(merge.command, ['node', '/bundle/merge.mjs']);
    assert.deepEqual(merge.args, ['/results/segment-0', '/results/segment-1', '/results/segment-2', '/results/segment-3', '--out-dir', '/results/merged']);
  });

  describe('the pods, run here as Kubernetes would run them', () => {
    let reference: RunningReference | undefined;
    before(async () => {
      reference = await startReference(CHECK_RUN_REFERENCE_ENV, { readyTimeoutMs: 90_000 });
    });
    after(async () => reference?.stop());

    test('unpack, every segment, then the merge', async () => {
      const root = join(scratch, 'pods');
      const at = (path: string) => join(root, path);
      for (const dir of [PATHS.packedBundles, PATHS.bundles, PATHS.results]) mkdirSync(at(dir), { recursive: true });
      for (const configMap of [manifests.configMap, manifests.mergeConfigMap]) {
        for (const [key, value] of Object.entries(configMap.binaryData ?? {})) writeFileSync(join(at(PATHS.packedBundles), key), Buffer.from(value, 'base64'));
      }
      /** A pod's absolute paths, moved under `root`. */
      const local = (arg: string) => (arg.startsWith('/') && [PATHS.packedBundles, PATHS.bundles, PATHS.results].some((p) => arg === p || arg.startsWith(`${p}/`)) ? at(arg) : arg);
      /** Kubernetes' `$(VAR)` expansion in command and args. */
      const expand = (arg: string, env: Record<string, string>) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
      const run = async (c: IContainer, env: Record<string, string>) => {
        const [node, ...rest] = [...(c.command ?? []), ...(c.args ?? [])].map((a) => local(expand(a, env)));
        assert.equal(node, 'node');
        const result = await runNode(rest, root, env);
        assert.ok(CHECK_RUN_OK.includes(result.status ?? -1), `${c.name} exit ${result.status}\n${result.stderr}`);
      };

      await run(container(manifests.job, 'unpack'), {});
      for (const file of ['mix.mjs', 'merge.mjs']) {
        assert.ok(readFileSync(join(at(PATHS.bundles), file)).equals(readFileSync(join(outDir, 'bundle', file))), file);
      }
      // The Secret's values come from the reference; LOAD_ACCOUNTS_FILE (a path in the Secret's volume) points at a local file here.
      const plain = Object.fromEntries((container(manifests.job, 'segment').env ?? []).flatMap((e) => (e.value !== undefined && e.name !== 'LOAD_ACCOUNTS_FILE' ? [[e.name, e.value]] : [])));
      const segmentEnv = { ...checkRunEnv(reference!.url, writeAccountsFile(scratch)), ...plain };
      await Promise.all(Array.from({ length: SEGMENTS }, (_, k) => run(container(manifests.job, 'segment'), { ...segmentEnv, JOB_COMPLETION_INDEX: String(k) })));
      for (let k = 0; k < SEGMENTS; k++) JSON.parse(readFileSync(join(at(PATHS.results), `segment-${k}`, 'summary.json'), 'utf8'));
      await run(container(manifests.mergeJob, 'merge'), {});
      const merged = JSON.parse(readFileSync(join(at(PATHS.results), 'merged', 'summary.json'), 'utf8')) as { puppilot?: { formatVersion?: number } };
      assert.equal(merged.puppilot?.formatVersion, 1);
    });
  });
});

describe('load:k8s arguments', () => {
  const usage = (argv: string[], pattern: RegExp) => {
    assert.throws(
      () => parseGenerateArgs(argv),
      (error: unknown) => error instanceof SuiteError && error.code === 'USAGE' && error.exitCode === 2 && pattern.test(error.message),
      argv.join(' '),
    );
  };

  test('bad arguments are usage errors', () => {
    usage(['--segments', '4'], /--scenario is required/);
    usage(['--scenario', 'nope', '--segments', '4'], /unknown scenario "nope"/);
    usage(['--scenario', 'mix'], /--segments is required/);
    for (const segments of ['0', '1001', '-1', '2.5', 'four', '']) usage(['--scenario', 'mix', '--segments', segments], /--segments/);
    usage(['--scenario', 'mix', '--segments', '4', '--namespace', 'Load_Test'], /--namespace/);
    usage(['--scenario', 'mix', '--segments', '4', '--storage-size', 'lots'], /--storage-size/);
    usage(['--scenario', 'mix', '--segments', '4', '--frobnicate'], /unknown argument "--frobnicate"/);
    usage(['--scenario', 'mix', '--segments'], /--segments needs a value/);
    usage(['--scenario', 'mix', '--segments', '4', '--segments', '5'], /given twice/);
  });

  test('good arguments take their defaults', () => {
    const options = parseGenerateArgs(['--scenario', 'mix', '--segments', '1000']);
    assert.equal(options.segments, 1000);
    assert.equal(options.namespace, 'load');
    assert.equal(options.image, 'node:20-alpine');
    assert.deepEqual(options.env, {});
  });

  test('the command prints one USAGE line and exits 2', () => {
    for (const args of [
      ['--scenario', 'nope', '--segments', '4'],
      ['--scenario', 'mix', '--segments', '0'],
    ]) {
      const result = runGenerate([...args, '--out', join(scratch, 'unused')]);
      assert.equal(result.status, 2, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /^USAGE: /);
    }
  });
});
