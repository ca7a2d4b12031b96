// `--out` on a load run: one short smoke run writes k6's JSON lines, a gzipped CSV and
// pushes to a real Prometheus (Debian's, started here on a loopback port with its
// remote-write receiver); each output re-aggregates to summary.json's figures, and every
// query of the Grafana dashboard answers. A second run pushes to a receiver that refuses
// everything: it still passes, and summary.json counts the dropped batches.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { uncompress } from 'snappyjs';
import { PROJECT_ROOT } from '../lib/config.ts';
import { SuiteError } from '../lib/errors.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { decodeWriteRequest, encodeWriteRequest } from '../load/outputs/remote-write.ts';
import { parseOutputs, parseTrendStats } from '../load/outputs/spec.ts';
import { baseEnv, describeRun, LAG_NOT_UNDER_TEST, readSummary, runLoadCli, type CliRun } from './fixtures/load-cli.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const scratch = mkdtempSync(join(tmpdir(), 'load-outputs-'));
const PASSWORD = 'pw-never-printed-7c1e';
after(() => rmSync(scratch, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startPrometheus(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const dir = join(scratch, 'prometheus');
  writeFileSync(join(scratch, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const child = spawn(
    PROMETHEUS,
    [`--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr.slice(-500)}`);
    const ready = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return { base, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`prometheus was not ready within 15 s: ${stderr.slice(-500)}`);
}

interface Receiver {
  url: string;
  server: Server;
  authorizations: string[];
}

/** A remote-write receiver that answers 500 to everything. */
async function startRefusingReceiver(): Promise<Receiver> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end('storage is down'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/write`, server, authorizations };
}

type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function query(base: string, expr: string): Promise<{ status: string; error?: string; data?: { result: Vector } }> {
  const response = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return (await response.json()) as { status: string; error?: string; data?: { result: Vector } };
}

/** HdrHistogram's percentile, the nearest rank: the sample at max(1, ⌈p × n⌉). */
function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1]!;
}

interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

/** The figures a k6 tool takes from samples: counters summed, rates and trends counted. */
function checkReaggregation(samples: Sample[], summary: LoadSummary, what: string): void {
  const sum = (metric: string, filter: (t: Record<string, string>) => boolean = () => true) =>
    samples.filter((s) => s.metric === metric && filter(s.tags)).reduce((n, s) => n + s.value, 0);
  const d = summary.puppilot;
  for (const [endpoint, details] of Object.entries(d.endpoints)) {
    assert.equal(sum('http_reqs', (t) => t.endpoint === endpoint), details.requests, `${what}: http_reqs of ${endpoint}`);
    const durations = samples.filter((s) => s.metric === 'http_req_duration' && s.tags.endpoint === endpoint).map((s) => s.value);
    assert.equal(durations.length, details.requests, `${what}: http_req_duration samples of ${endpoint}`);
    assert.ok(Math.abs(percentileOf(durations, 95) - details.duration['p(95)']) <= 0.001, `${what}: p95 of ${endpoint}: ${percentileOf(durations, 95)} against ${details.duration['p(95)']}`);
  }
  for (const [check, { passes, fails }] of Object.entries(d.checks)) {
    const of = samples.filter((s) => s.metric === 'checks' && s.tags.check === check);
    assert.deepEqual({ passes: of.filter((s) => s.value === 1).length, fails: of.filter((s) => s.value === 0).length }, { passes, fails }, `${what}: check ${check}`);
  }
  assert.equal(sum('iterations'), summary.metrics.iterations?.values.count ?? 0, `${what}: iterations`);
  assert.equal(sum('dropped_iterations'), summary.metrics.dropped_iterations?.values.count ?? 0, `${what}: dropped_iterations`);
  assert.equal(sum('contract_failures'), summary.metrics.contract_failures?.values.count ?? 0, `${what}: contract_failures`);
}

/** Every PromQL expression of the dashboard, its variables replaced. */
function dashboardQueries(testid: string): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'load', 'grafana', 'dashboard.json'), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      panel: panel.title,
      expr: t.expr
        .replaceAll('$testid', testid)
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$__interval', '15s')
        .replaceAll('$__range', '5m'),
    })),
  );
}

/** Why an expression fails the dashboard: an error, or no data; null when it answers. */
async function problemOf(base: string, expr: string): Promise<string | null> {
  const answer = await query(base, expr);
  if (answer.status !== 'success') return `error: ${answer.error}`;
  if (!answer.data || answer.data.result.length === 0) return 'no data';
  return null;
}

describe('load --out json, csv and prometheus-rw, one run', () => {
  let prometheus: { base: string; child: ChildProcess } | undefined;
  let receiver: Receiver | undefined;
  let run: CliRun;
  let refused: CliRun;
  let summary: LoadSummary;
  let refusedSummary: LoadSummary;
  let testid = '';
  const files = { json: join(scratch, 'run.jsonl'), csv: join(scratch, 'run.csv.gz') };

  before(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (.ci/run does)`);
    [prometheus, receiver] = await Promise.all([startPrometheus(), startRefusingReceiver()]);
    const common = { ...LAG_NOT_UNDER_TEST, LOAD_RATE: '4', LOAD_DURATION: '3s', LOAD_BASELINE: 'false', LOAD_PROMETHEUS_FLUSH_INTERVAL: '1s' };
    const mainEnv: Record<string, string> = { ...baseEnv(join(scratch, 'main')), ...common };
    const refusedEnv: Record<string, string> = { ...baseEnv(join(scratch, 'refused')), ...common, LOAD_PROMETHEUS_RW_URL: receiver.url, LOAD_PROMETHEUS_USER: 'loader', LOAD_PROMETHEUS_PASSWORD: PASSWORD, LOAD_PROMETHEUS_TIMEOUT: '2s' };
    [run, refused] = await Promise.all([
      runLoadCli(['run', 'smoke', '--quiet', '--out', `json=${files.json}`, '--out', `csv=${files.csv}`, '--out', `prometheus-rw=${prometheus.base}/api/v1/write`], mainEnv),
      runLoadCli(['run', 'smoke', '--quiet'], refusedEnv),
    ]);
    assert.equal(run.status, 0, describeRun(run));
    const folder = readdirSync(mainEnv.LOAD_REPORT_DIR!).find((n) => n.startsWith('smoke-'))!;
    testid = folder;
    summary = readSummary(join(mainEnv.LOAD_REPORT_DIR!, folder));
    const refusedFolder = readdirSync(refusedEnv.LOAD_REPORT_DIR!).find((n) => n.startsWith('smoke-'))!;
    refusedSummary = readSummary(join(refusedEnv.LOAD_REPORT_DIR!, refusedFolder));
  });

  after(async () => {
    prometheus?.child.kill('SIGTERM');
    if (prometheus && prometheus.child.exitCode === null) await new Promise((r) => prometheus!.child.once('exit', r));
    await new Promise((r) => (receiver ? receiver.server.close(r) : r(undefined)));
  });

  test('json: k6 lines that re-aggregate to summary.json', () => {
    const lines = readFileSync(files.json, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: Record<string, unknown> });
    const declared = lines.filter((l) => l.type === 'Metric');
    assert.deepEqual(declared.find((l) => l.metric === 'http_reqs')?.data, { name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null });
    assert.equal(new Set(declared.map((l) => l.metric)).size, declared.length, 'each metric declared once');
    const points = lines.filter((l) => l.type === 'Point');
    for (const p of points.slice(0, 50)) assert.match(String(p.data.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const firstPoint = lines.findIndex((l) => l.type === 'Point' && l.metric === 'http_reqs');
    assert.ok(lines.findIndex((l) => l.type === 'Metric' && l.metric === 'http_reqs') < firstPoint, 'a metric is declared before its first point');
    checkReaggregation(points.map((p) => ({ metric: p.metric, value: p.data.value as number, tags: p.data.tags as Record<string, string> })), summary, 'json');
  });

  test("csv (gzipped): k6's columns, re-aggregating to summary.json", () => {
    const rows = parseCsv(gunzipSync(readFileSync(files.csv)), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), ['metric_name', 'timestamp', 'metric_value', 'check', 'error', 'error_code', 'expected_response', 'group', 'method', 'name', 'proto', 'scenario', 'service', 'status', 'subproto', 'tls_version', 'url', 'extra_tags', 'metadata']);
    const samples = rows.map((r) => {
      const tags: Record<string, string> = Object.fromEntries(new URLSearchParams(r.extra_tags));
      for (const column of ['check', 'error', 'status', 'scenario']) if (r[column]) tags[column] = r[column]!;
      return { metric: r.metric_name!, value: Number(r.metric_value), tags };
    });
    assert.ok(rows.every((r) => /^\d{10}$/.test(r.timestamp!) && r.scenario === 'smoke'));
    checkReaggregation(samples, summary, 'csv');
  });

  test("prometheus-rw: Prometheus's request counts and p95 per endpoint are summary.json's", async () => {
    const base = prometheus!.base;
    const counts = await query(base, `sum by (endpoint) (k6_http_reqs_total{testid="${testid}"})`);
    const got = Object.fromEntries(counts.data!.result.map((r) => [r.metric.endpoint, Number(r.value[1])]));
    assert.deepEqual(got, Object.fromEntries(Object.entries(summary.puppilot.endpoints).map(([e, d]) => [e, d.requests])));
    const p95 = await query(base, `k6_http_req_duration_p95{testid="${testid}"}`);
    assert.equal(p95.data!.result.length, Object.keys(summary.puppilot.endpoints).length);
    for (const r of p95.data!.result) {
      const expected = summary.puppilot.endpoints[r.metric.endpoint!]!.duration['p(95)'];
      const actual = Number(r.value[1]) * 1000;
      assert.ok(Math.abs(actual - expected) <= Math.max(0.001, expected * 0.001), `p95 of ${r.metric.endpoint}: ${actual} ms in Prometheus, ${expected} ms in summary.json`);
      assert.equal(r.metric.scenario, 'smoke');
    }
    const checks = await query(base, `sum(k6_checks_passes_total{testid="${testid}"})`);
    assert.equal(Number(checks.data!.result[0]!.value[1]), Object.values(summary.puppilot.checks).reduce((n, c) => n + c.passes, 0));
    const iterations = await query(base, `k6_iterations_total{testid="${testid}"}`);
    assert.equal(Number(iterations.data!.result[0]!.value[1]), summary.metrics.iterations!.values.count);
    assert.deepEqual((summary.puppilot as unknown as { outputs: Record<string, { batchesDropped: number; url: string }> }).outputs['prometheus-rw']?.batchesDropped, 0);
    assert.match(run.stdout, /^output: prometheus-rw http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: \d+ batches sent \(\d+ samples\), none dropped$/m);
  });

  test("every query of the Grafana dashboard answers with data; a mistyped one does not", async () => {
    const base = prometheus!.base;
    const queries = dashboardQueries(testid);
    assert.ok(queries.length >= 15, `the dashboard's queries: ${queries.length}`);
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const problem = await problemOf(base, expr);
      if (problem) problems.push(`${panel}: ${expr}: ${problem}`);
    }
    assert.deepEqual(problems, []);
    // The check cannot pass vacuously: a misspelt metric and a syntax error are caught.
    assert.equal(await problemOf(base, `sum(rate(k6_http_req_total{testid="${testid}"}[1m]))`), 'no data');
    assert.match((await problemOf(base, `sum(rate(k6_http_reqs_total{testid="${testid}"}[1m])`)) ?? '', /^error: /);
  });

  test('the dashboard is a current Grafana dashboard with a datasource and a testid variable', () => {
    const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'load', 'grafana', 'dashboard.json'), 'utf8')) as {
      schemaVersion: number;
      templating: { list: { name: string; type: string; query: unknown }[] };
      panels: { targets: { datasource: { uid: string } }[] }[];
    };
    assert.ok(dashboard.schemaVersion >= 36);
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    assert.equal(vars.datasource?.type, 'datasource');
    assert.equal(vars.datasource?.query, 'prometheus');
    assert.equal(vars.testid?.type, 'query');
    assert.ok(dashboard.panels.every((p) => p.targets.every((t) => t.datasource.uid === '${datasource}')));
  });

  test('a receiver that refuses every batch: the run still passes, summary.json counts the drops, the password is never printed', () => {
    assert.equal(refused.status, 0, describeRun(refused));
    const outputs = (refusedSummary.puppilot as unknown as { outputs: Record<string, { url: string; batchesSent: number; batchesDropped: number; lastError: string }> }).outputs;
    const rw = outputs['prometheus-rw']!;
    assert.equal(rw.batchesSent, 0);
    assert.ok(rw.batchesDropped >= 1, JSON.stringify(rw));
    assert.match(rw.lastError, /^HTTP 500/);
    assert.equal(rw.url, receiver!.url);
    assert.match(refused.stdout, /^output: prometheus-rw .*: 0 batches sent \(0 samples\), \d+ dropped/m);
    assert.ok(receiver!.authorizations.length >= 1 && receiver!.authorizations.every((a) => a === `Basic ${Buffer.from(`loader:${PASSWORD}`).toString('base64')}`));
    for (const text of [refused.stdout, refused.stderr, JSON.stringify(refusedSummary)]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(`loader:${PASSWORD}`).toString('base64')), 'the password was printed');
    }
  });
});

describe('--out values', () => {
  const env = {} as NodeJS.ProcessEnv;
  const usage = (values: string[], pattern: RegExp, e: NodeJS.ProcessEnv = env) =>
    assert.throws(() => parseOutputs(values, e), (error: unknown) => error instanceof SuiteError && error.exitCode === 2 && pattern.test(error.message) && !error.message.includes('\n'));

  test('k6 spellings are taken; nonsense, a bad URL or a missing folder is a one-line error', () => {
    assert.deepEqual(parseOutputs([`json=${join(tmpdir(), 'a.json.gz')}`], env)[0], { kind: 'json', file: join(tmpdir(), 'a.json.gz'), gzip: true });
    assert.equal(parseOutputs(['experimental-prometheus-rw=http://127.0.0.1:9090/api/v1/write'], env)[0]?.kind, 'prometheus-rw');
    assert.equal(parseOutputs([], { LOAD_PROMETHEUS_RW_URL: 'http://127.0.0.1:9090/api/v1/write' })[0]?.kind, 'prometheus-rw');
    usage(['nonsense'], /unknown output/);
    usage(['json'], /needs a file/);
    usage([`json=${join(scratch, 'no', 'such', 'x.jsonl')}`], /does not exist/);
    usage(['prometheus-rw=not a url'], /is not a URL/);
    usage(['prometheus-rw=ftp://127.0.0.1/x'], /http or https/);
    usage(['prometheus-rw'], /needs a URL/);
    usage(['prometheus-rw=http://u:secret-in-url@127.0.0.1:1/x'], /LOAD_PROMETHEUS_BEARER_TOKEN/, { LOAD_PROMETHEUS_BEARER_TOKEN: 't' });
    usage(['prometheus-rw=http://127.0.0.1:1/x'], /LOAD_PROMETHEUS_TREND_STATS/, { LOAD_PROMETHEUS_TREND_STATS: 'p(95),median' });
  });

  test('credentials in the URL move to a header and out of the URL shown', () => {
    const spec = parseOutputs(['prometheus-rw=http://user:s3cret@127.0.0.1:9090/api/v1/write'], env)[0]!;
    assert.ok(spec.kind === 'prometheus-rw');
    assert.equal(spec.settings.url, 'http://127.0.0.1:9090/api/v1/write');
    assert.equal(spec.settings.authorization, `Basic ${Buffer.from('user:s3cret').toString('base64')}`);
    assert.equal(parseOutputs(['prometheus-rw=http://127.0.0.1:9090/x'], { LOAD_PROMETHEUS_BEARER_TOKEN: 'tok' })[0]!.kind === 'prometheus-rw' && (parseOutputs(['prometheus-rw=http://127.0.0.1:9090/x'], { LOAD_PROMETHEUS_BEARER_TOKEN: 'tok' })[0] as { settings: { authorization: string } }).settings.authorization, 'Bearer tok');
  });

  test("trend statistics take k6's names", () => {
    assert.deepEqual(parseTrendStats('p(95),p(99.9),max,count').map((s) => s.suffix), ['p95', 'p999', 'max', 'count']);
  });

  test('a remote-write body decodes back to its series', () => {
    const series = [{ labels: [{ name: '__name__', value: 'k6_http_reqs_total' }, { name: 'endpoint', value: 'chat' }], samples: [{ value: 3, timestamp: 1_700_000_000_123 }] }];
    assert.deepEqual(decodeWriteRequest(encodeWriteRequest(series), uncompress), series);
  });

  test('the command prints one line and exits 2 for a bad --out', async () => {
    const result = await runLoadCli(['run', 'smoke', '--dry-run', '--out', 'nonsense'], baseEnv(join(scratch, 'usage')));
    assert.equal(result.status, 2, describeRun(result));
    assert.deepEqual(result.stderr.trimEnd().split('\n'), ['USAGE: --out nonsense: unknown output (json=…, csv=…, prometheus-rw=…)']);
  });
});
