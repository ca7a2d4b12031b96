/**
 * `npm run load:k8s -- --scenario mix --segments 4 [--image node:20-alpine] [--namespace load]
 * [--out load/build/k8s] [--secret load-target] [--accounts-key accounts.json]
 * [--rate R] [--duration D] [--storage-class C] [--storage-size 1Gi] [--run-name NAME]`
 *
 * Builds the scenario's bundle and merge.mjs (minified, into `<out>/bundle/`), then writes
 * the run's manifests as JSON, which kubectl reads like YAML:
 * `00-pvc.json`, `10-configmap.json`, `20-job.json`, `30-merge-job.json`.
 * Each object is validated against the Kubernetes schema before it is written.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config.ts';
import { runMain, SuiteError } from '../../lib/errors.ts';
import { buildBundles, formatSize } from '../bundle/build.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import { configMapBytes, DEFAULT_OPTIONS, objectNames, scaleOutManifests, validateManifests, type BundleBytes, type ScaleOutManifests, type ScaleOutOptions } from './manifests.ts';

export const DEFAULT_K8S_OUT_DIR = join(PROJECT_ROOT, 'load', 'build', 'k8s');
export const MAX_SEGMENTS = 1000;

/** The files written, in the order they are applied. */
export const MANIFEST_FILES = {
  pvc: '00-pvc.json',
  configMap: '10-configmap.json',
  mergeConfigMap: '11-configmap-merge.json',
  job: '20-job.json',
  mergeJob: '30-merge-job.json',
} as const satisfies Record<keyof ScaleOutManifests, string>;

export interface GenerateOptions extends ScaleOutOptions {
  outDir: string;
}

export interface Generated {
  manifests: ScaleOutManifests;
  /** Absolute paths of the written manifests, keyed like {@link MANIFEST_FILES}. */
  files: Record<keyof ScaleOutManifests, string>;
  /** Absolute paths of the bundles the ConfigMap carries. */
  bundles: { scenario: string; merge: string };
}

const USAGE =
  'npm run load:k8s -- --scenario NAME --segments N [--image IMAGE] [--namespace NS] [--out DIR] [--secret NAME] [--accounts-key KEY] [--rate R] [--duration D] [--storage-class C] [--storage-size SIZE] [--run-name NAME]';

function usage(problem: string): SuiteError {
  return new SuiteError('USAGE', `${problem}; usage: ${USAGE}`);
}

/** RFC 1123 label: what namespaces, Secret keys' owners and our object names must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** The longest run name: the merge Job's name (`<run>-merge`) must stay a 63-character label. */
const MAX_RUN_NAME = 63 - '-merge'.length;

export function parseGenerateArgs(argv: string[]): GenerateOptions {
  const values = new Map<string, string>();
  const known = ['scenario', 'segments', 'image', 'namespace', 'out', 'secret', 'accounts-key', 'rate', 'duration', 'storage-class', 'storage-size', 'run-name'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !known.includes(match[1]!)) throw usage(`unknown argument ${JSON.stringify(arg)}`);
    const name = match[1]!;
    let value = match[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw usage(`--${name} needs a value`);
    }
    if (values.has(name)) throw usage(`--${name} given twice`);
    values.set(name, value);
  }

  const scenario = values.get('scenario');
  const names = SCENARIOS.map((s) => s.name);
  if (!scenario) throw usage('--scenario is required');
  if (!names.includes(scenario)) throw usage(`unknown scenario ${JSON.stringify(scenario)} (one of ${names.join(', ')})`);

  const segmentsText = values.get('segments');
  if (segmentsText === undefined) throw usage('--segments is required');
  if (!/^[0-9]+$/.test(segmentsText) || Number(segmentsText) < 1 || Number(segmentsText) > MAX_SEGMENTS) {
    throw usage(`--segments must be an integer from 1 to ${MAX_SEGMENTS}, not ${JSON.stringify(segmentsText)}`);
  }

  const namespace = values.get('namespace') ?? DEFAULT_OPTIONS.namespace;
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw usage(`--namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  const image = values.get('image') ?? DEFAULT_OPTIONS.image;
  if (!/^[^\s]+$/.test(image)) throw usage(`--image ${JSON.stringify(image)} is not an image reference`);
  const secretName = values.get('secret') ?? DEFAULT_OPTIONS.secretName;
  if (!DNS_LABEL.test(secretName) || secretName.length > 253) throw usage(`--secret ${JSON.stringify(secretName)} is not a valid Secret name`);
  const accountsKey = values.get('accounts-key') ?? DEFAULT_OPTIONS.accountsKey;
  if (!SECRET_KEY.test(accountsKey)) throw usage(`--accounts-key ${JSON.stringify(accountsKey)} is not a valid Secret key`);
  const storageSize = values.get('storage-size') ?? DEFAULT_OPTIONS.storageSize;
  if (!QUANTITY.test(storageSize)) throw usage(`--storage-size ${JSON.stringify(storageSize)} is not a quantity such as 1Gi`);
  const storageClassName = values.get('storage-class');
  if (storageClassName !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(storageClassName)) {
    throw usage(`--storage-class ${JSON.stringify(storageClassName)} is not a valid class name`);
  }
  const runName = values.get('run-name');
  if (runName !== undefined && (!DNS_LABEL.test(runName) || runName.length > MAX_RUN_NAME)) {
    throw usage(`--run-name ${JSON.stringify(runName)} must be a lowercase DNS label of at most ${MAX_RUN_NAME} characters`);
  }

  const env: Record<string, string> = {};
  for (const [flag, variable] of [
    ['rate', 'LOAD_RATE'],
    ['duration', 'LOAD_DURATION'],
  ] as const) {
    const value = values.get(flag);
    if (value === undefined) continue;
    if (value.trim() === '') throw usage(`--${flag} must not be empty`);
    env[variable] = value;
  }

  return {
    scenario,
    segments: Number(segmentsText),
    namespace,
    image,
    secretName,
    accountsKey,
    storageSize,
    ...(storageClassName !== undefined ? { storageClassName } : {}),
    ...(runName !== undefined ? { runName } : {}),
    env,
    resources: DEFAULT_OPTIONS.resources,
    outDir: resolve(values.get('out') ?? DEFAULT_K8S_OUT_DIR),
  };
}

/** The manifests, validated: an invalid one, or one over an object's 1 MiB, is a one-line configuration error (exit 2). */
export function checkedManifests(options: ScaleOutOptions, bundles: BundleBytes): ScaleOutManifests {
  const manifests = scaleOutManifests(options, bundles);
  try {
    validateManifests(manifests);
  } catch (error) {
    throw new SuiteError('CONFIG_INVALID', `the generated manifests are invalid, nothing was written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return manifests;
}

/** Builds the bundles, builds and validates the manifests, writes them. */
export async function generateManifests(options: GenerateOptions): Promise<Generated> {
  const bundleDir = join(options.outDir, 'bundle');
  // Always built afresh (esbuild takes about a second), so the ConfigMap never carries a stale bundle.
  const built = await buildBundles({ outDir: bundleDir, scenarios: [options.scenario], minify: true });
  const scenarioBundle = built.find((b) => b.name === options.scenario)!;
  const mergeBundle = built.find((b) => b.name === 'merge')!;
  const manifests = checkedManifests(options, { scenario: readFileSync(scenarioBundle.file), merge: readFileSync(mergeBundle.file) });
  await mkdir(options.outDir, { recursive: true });
  const files = {} as Record<keyof ScaleOutManifests, string>;
  for (const key of Object.keys(MANIFEST_FILES) as (keyof ScaleOutManifests)[]) {
    files[key] = join(options.outDir, MANIFEST_FILES[key]);
    await writeFile(files[key], `${JSON.stringify(manifests[key].toJSON(), null, 2)}\n`);
  }
  return { manifests, files, bundles: { scenario: scenarioBundle.file, merge: mergeBundle.file } };
}

async function main(): Promise<void> {
  const options = parseGenerateArgs(process.argv.slice(2));
  const generated = await generateManifests(options);
  const show = (file: string) => relative(process.cwd(), file) || file;
  const names = objectNames(options);
  process.stdout.write(`bundles: ${show(generated.bundles.scenario)}, ${show(generated.bundles.merge)} (ConfigMaps ${formatSize(configMapBytes(generated.manifests.configMap))} and ${formatSize(configMapBytes(generated.manifests.mergeConfigMap))} gzipped)\n`);
  for (const file of Object.values(generated.files)) process.stdout.write(`wrote ${show(file)}\n`);
  process.stdout.write(
    `next: kubectl apply -f ${show(options.outDir)}; kubectl -n ${options.namespace} wait --for=condition=complete --timeout=2h job/${names.job}; ` +
      `kubectl -n ${options.namespace} patch job/${names.mergeJob} --type=merge -p '{"spec":{"suspend":false}}' (load/k8s/README.md)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await runMain(main);
