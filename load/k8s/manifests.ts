/**
 * The Kubernetes objects of a scale-out load run, as typed `kubernetes-models` objects
 * validated offline against the Kubernetes schema:
 *
 * - a PersistentVolumeClaim (ReadWriteMany) every pod writes its segment's run folder to;
 * - two ConfigMaps, one with the scenario bundle and one with merge.mjs (gzipped, see below);
 * - an Indexed Job: `segments` pods at once, pod k running segment k/n of the schedule;
 * - a merge Job (one pod) that merges the segment folders and evaluates the thresholds once.
 *
 * No credential is ever written into these objects: the target's URL, the allowed host,
 * the accounts file and the Prometheus remote-write URL and credentials come from a Secret
 * the user creates (see load/k8s/README.md).
 */
import { gzipSync } from 'node:zlib';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, type IContainer, type IEnvVar, type IPodSpec, type IResourceRequirements, type IVolume } from 'kubernetes-models/v1';

/** Keys of the Secret a segment pod reads the Prometheus output from, when present. */
export const PROMETHEUS_SECRET_KEYS = ['LOAD_PROMETHEUS_RW_URL', 'LOAD_PROMETHEUS_USER', 'LOAD_PROMETHEUS_PASSWORD', 'LOAD_PROMETHEUS_BEARER_TOKEN'] as const;

/** `app.kubernetes.io/name` of every object. */
export const APP_NAME = 'puppilot-load';

/** ConfigMaps (like every object) are limited to 1 MiB; stay clear of it. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/** Where the pods see things. */
export const PATHS = {
  /** The ConfigMap's gzipped bundles. */
  packedBundles: '/bundle.gz',
  /** The unpacked bundles (an emptyDir filled by the init container). */
  bundles: '/bundle',
  /** The results claim. */
  results: '/results',
  /** The Secret's files (only the accounts file is projected). */
  secrets: '/secrets/target',
} as const;

export interface ScaleOutOptions {
  scenario: string;
  /** Number of pods, each running one segment: 1..1000. */
  segments: number;
  namespace: string;
  /** A stock Node 20 image: the bundles need nothing else. */
  image: string;
  /** Prefix of every object's name and the `app.kubernetes.io/instance` label; default `load-<scenario>`. */
  runName?: string;
  /** The Secret holding BASE_URL, LOAD_ALLOW_HOST and the accounts file. */
  secretName: string;
  /** The key of the accounts file in that Secret. */
  accountsKey: string;
  /** Plain (non-secret) environment of every segment pod, e.g. LOAD_RATE, LOAD_DURATION. */
  env: Record<string, string>;
  /** The `testid` label every segment pushes to Prometheus with (LOAD_TESTID); default `<run name>-<UTC time of generation>`. */
  testid?: string;
  /** Omitted: the cluster's default class (which must offer ReadWriteMany). */
  storageClassName?: string;
  storageSize: string;
  resources: IResourceRequirements;
}

export const DEFAULT_OPTIONS = {
  namespace: 'load',
  image: 'node:20-alpine',
  secretName: 'load-target',
  accountsKey: 'accounts.json',
  storageSize: '1Gi',
  resources: {
    requests: { cpu: '500m', memory: '256Mi' },
    limits: { cpu: '1', memory: '512Mi' },
  },
} satisfies Partial<ScaleOutOptions>;

/** The bundles' bytes, as `npm run load:build` wrote them. */
export interface BundleBytes {
  scenario: Uint8Array;
  merge: Uint8Array;
}

export interface ScaleOutManifests {
  pvc: PersistentVolumeClaim;
  configMap: ConfigMap;
  mergeConfigMap: ConfigMap;
  job: Job;
  mergeJob: Job;
}

export interface ObjectNames {
  instance: string;
  pvc: string;
  configMap: string;
  mergeConfigMap: string;
  job: string;
  mergeJob: string;
}

export function objectNames(options: Pick<ScaleOutOptions, 'scenario' | 'runName'>): ObjectNames {
  const instance = options.runName ?? `load-${options.scenario}`;
  return { instance, pvc: `${instance}-results`, configMap: `${instance}-bundle`, mergeConfigMap: `${instance}-merge-bundle`, job: instance, mergeJob: `${instance}-merge` };
}

/** The ConfigMap keys: the bundle file names with `.gz`. */
export function packedKey(file: string): string {
  return `${file}.gz`;
}

/** The segment folders on the results claim, by index. */
export function segmentDir(index: number | string): string {
  return `${PATHS.results}/segment-${index}`;
}

export const MERGED_DIR = `${PATHS.results}/merged`;

/**
 * The init container's program: gunzips `<from>/<file>.gz` into `<to>/<file>` for each
 * file named after it (`node -e PROGRAM FROM TO FILE...`). Node is the one tool a stock
 * Node image is sure to have.
 */
export const UNPACK_PROGRAM = [
  "const { gunzipSync } = require('node:zlib');",
  "const { readFileSync, writeFileSync } = require('node:fs');",
  'const [from, to, ...files] = process.argv.slice(1);',
  "for (const file of files) writeFileSync(to + '/' + file, gunzipSync(readFileSync(from + '/' + file + '.gz')));",
].join(' ');

function labels(names: ObjectNames, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': names.instance,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'load-k8s-generate',
  };
}

/** Pods run as the image's `node` user (uid 1000), with nothing they do not need. */
const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' as const },
};
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function bundleVolumes(names: ObjectNames, files: string[]): IVolume[] {
  return [
    {
      name: 'packed-bundles',
      projected: {
        sources: [
          { configMap: { name: names.configMap, items: files.filter((f) => f !== 'merge.mjs').map((file) => ({ key: packedKey(file), path: packedKey(file) })) } },
          { configMap: { name: names.mergeConfigMap, items: [{ key: packedKey('merge.mjs'), path: packedKey('merge.mjs') }] } },
        ],
      },
    },
    { name: 'bundles', emptyDir: { sizeLimit: '64Mi' } },
    { name: 'results', persistentVolumeClaim: { claimName: names.pvc } },
  ];
}

function unpackContainer(options: ScaleOutOptions, files: string[]): IContainer {
  return {
    name: 'unpack',
    image: options.image,
    command: ['node', '-e', UNPACK_PROGRAM, PATHS.packedBundles, PATHS.bundles, ...files],
    volumeMounts: [
      { name: 'packed-bundles', mountPath: PATHS.packedBundles, readOnly: true },
      { name: 'bundles', mountPath: PATHS.bundles },
    ],
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
    securityContext: CONTAINER_SECURITY,
  };
}

function podSpec(options: ScaleOutOptions, names: ObjectNames, files: string[], main: IContainer, extraVolumes: IVolume[] = []): IPodSpec {
  return {
    restartPolicy: 'Never',
    securityContext: POD_SECURITY,
    initContainers: [unpackContainer(options, files)],
    containers: [main],
    volumes: [...bundleVolumes(names, files), ...extraVolumes],
  };
}

/** Builds the four objects. Throws nothing; call {@link validateManifests} on the result. */
export function scaleOutManifests(options: ScaleOutOptions, bundles: BundleBytes): ScaleOutManifests {
  const names = objectNames(options);
  const n = options.segments;
  const scenarioFile = `${options.scenario}.mjs`;
  const files = [scenarioFile, 'merge.mjs'];

  const pvc = new PersistentVolumeClaim({
    metadata: { name: names.pvc, namespace: options.namespace, labels: labels(names, 'results') },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: options.storageSize } },
      ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
    },
  });

  // Gzipped: the bundles carry undici, ajv, protobufjs and the rest; minified each is
  // about 1 MiB, gzipped a third of it, which base64 in the object's JSON makes close to
  // half. One ConfigMap per bundle keeps each object well under the 1 MiB an object may
  // hold. The init container unpacks both (a projected volume); the bytes it writes are
  // exactly the built files.
  const configMap = new ConfigMap({
    metadata: { name: names.configMap, namespace: options.namespace, labels: labels(names, 'bundle') },
    binaryData: { [packedKey(scenarioFile)]: gzipSync(bundles.scenario, { level: 9 }).toString('base64') },
  });
  const mergeConfigMap = new ConfigMap({
    metadata: { name: names.mergeConfigMap, namespace: options.namespace, labels: labels(names, 'bundle') },
    binaryData: { [packedKey('merge.mjs')]: gzipSync(bundles.merge, { level: 9 }).toString('base64') },
  });

  // Credentials only by reference to the Secret; plain settings (rate, duration) inline.
  // JOB_COMPLETION_INDEX is set by Kubernetes in Indexed Jobs; declaring it here from the
  // pod's annotation (which the Job controller then leaves alone) makes the `$(…)`
  // expansion in `args` independent of the controller's injection.
  const env: IEnvVar[] = [
    {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    },
    { name: 'BASE_URL', valueFrom: { secretKeyRef: { name: options.secretName, key: 'BASE_URL' } } },
    { name: 'LOAD_ALLOW_HOST', valueFrom: { secretKeyRef: { name: options.secretName, key: 'LOAD_ALLOW_HOST' } } },
    { name: 'LOAD_ACCOUNTS_FILE', value: `${PATHS.secrets}/${options.accountsKey}` },
    // Outputs: every segment pushes to the same Prometheus when the Secret has its URL
    // (optional keys), with one testid and its own `segment` label.
    ...PROMETHEUS_SECRET_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: options.secretName, key, optional: true } } })),
    { name: 'LOAD_TESTID', value: options.testid ?? `${names.instance}-${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}` },
    ...Object.entries(options.env).map(([name, value]) => ({ name, value })),
  ];

  const segmentContainer: IContainer = {
    name: 'segment',
    image: options.image,
    // `$(VAR)` is expanded by Kubernetes (not a shell) from the container's environment.
    command: ['node', `${PATHS.bundles}/${scenarioFile}`],
    args: ['--segment', `$(JOB_COMPLETION_INDEX)/${n}`, '--out-dir', segmentDir('$(JOB_COMPLETION_INDEX)')],
    env,
    volumeMounts: [
      { name: 'bundles', mountPath: PATHS.bundles, readOnly: true },
      { name: 'results', mountPath: PATHS.results },
      { name: 'target-secret', mountPath: PATHS.secrets, readOnly: true },
    ],
    resources: options.resources,
    securityContext: CONTAINER_SECURITY,
  };

  const segmentLabels = labels(names, 'segment');
  const job = new Job({
    metadata: { name: names.job, namespace: options.namespace, labels: segmentLabels },
    spec: {
      completionMode: 'Indexed',
      completions: n,
      // All segments at once: each is a share of one schedule, not a queue of work.
      parallelism: n,
      // A failed segment is not retried: a rerun of one share, later, is not the same run.
      backoffLimit: 0,
      template: {
        metadata: { labels: segmentLabels },
        spec: {
          ...podSpec(options, names, files, segmentContainer, [
            // Only the accounts file is projected into the pod's filesystem.
            {
              name: 'target-secret',
              secret: { secretName: options.secretName, items: [{ key: options.accountsKey, path: options.accountsKey }], defaultMode: 0o440 },
            },
          ]),
          // Spread the segments over nodes: the point is more than one machine's worth of load.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { 'app.kubernetes.io/instance': names.instance, 'app.kubernetes.io/component': 'segment' } },
            },
          ],
        },
      },
    },
  });

  // The merge is a Job of its own, not a last step of the Indexed Job: each index of that
  // Job is an equal pod with no way to wait for its siblings, and the merge needs every
  // segment's folder complete. The user waits for the segments
  // (`kubectl wait --for=condition=complete job/<name>`) and then starts the merge: it is
  // created suspended, so applying every file at once cannot run it early, and resumed
  // with `kubectl patch` (load/k8s/README.md). The folders are named one by one rather
  // than with a glob: `command` runs no shell, and a missing segment must fail the merge,
  // not be quietly left out of it.
  const mergeLabels = labels(names, 'merge');
  const mergeContainer: IContainer = {
    name: 'merge',
    image: options.image,
    command: ['node', `${PATHS.bundles}/merge.mjs`],
    args: [...Array.from({ length: n }, (_, k) => segmentDir(k)), '--out-dir', MERGED_DIR],
    volumeMounts: [
      { name: 'bundles', mountPath: PATHS.bundles, readOnly: true },
      { name: 'results', mountPath: PATHS.results },
    ],
    resources: options.resources,
    securityContext: CONTAINER_SECURITY,
  };
  const mergeJob = new Job({
    metadata: { name: names.mergeJob, namespace: options.namespace, labels: mergeLabels },
    spec: {
      suspend: true,
      completions: 1,
      parallelism: 1,
      backoffLimit: 0,
      template: { metadata: { labels: mergeLabels }, spec: podSpec(options, names, files, mergeContainer) },
    },
  });

  return { pvc, configMap, mergeConfigMap, job, mergeJob };
}

/** The bytes a ConfigMap's contents take (data as UTF-8, binaryData decoded), as the API server counts them. */
export function configMapBytes(configMap: ConfigMap): number {
  let total = 0;
  for (const [key, value] of Object.entries(configMap.data ?? {})) total += Buffer.byteLength(key) + Buffer.byteLength(value);
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) total += Buffer.byteLength(key) + Buffer.from(value, 'base64').length;
  return total;
}

/** The size of an object as sent to the API server (its JSON). */
export function serializedBytes(object: { toJSON(): unknown }): number {
  return Buffer.byteLength(JSON.stringify(object.toJSON()));
}

/**
 * Validates each object against the Kubernetes schema (kubernetes-models' `.validate()`,
 * which throws on the first violation) and checks what the schema cannot say: the
 * ConfigMap's size and the Job's counts.
 */
export function validateManifests(manifests: ScaleOutManifests): void {
  manifests.pvc.validate();
  manifests.configMap.validate();
  manifests.mergeConfigMap.validate();
  manifests.job.validate();
  manifests.mergeJob.validate();
  for (const object of [manifests.pvc, manifests.configMap, manifests.mergeConfigMap, manifests.job, manifests.mergeJob]) {
    const size = object instanceof ConfigMap ? Math.max(configMapBytes(object), serializedBytes(object)) : serializedBytes(object);
    if (size >= CONFIGMAP_LIMIT_BYTES) {
      throw new Error(`${object.kind} ${object.metadata?.name} would be ${size} bytes, over the ${CONFIGMAP_LIMIT_BYTES}-byte limit of an object`);
    }
  }
  for (const job of [manifests.job, manifests.mergeJob]) {
    const spec = job.spec;
    if (!spec || !Number.isInteger(spec.completions) || (spec.completions ?? 0) < 1 || spec.parallelism !== spec.completions) {
      throw new Error(`Job ${job.metadata?.name}: completions and parallelism must be equal integers of at least 1`);
    }
  }
}
