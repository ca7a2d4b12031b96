// `--out` on a load run: one short smoke run writes k6's JSON lines, a gzipped CSV and
// pushes to a real Prometheus (Debian's, started here on a loopback port with its
// remote-write receiver and native histograms), trends as native histograms; each output
// re-aggregates to summary.json's figures, and every query of the Grafana dashboard
// answers. The same run's interval log, replayed through the output in-process, covers
// the trends as gauges (the default) without another run. A second run pushes to a
// receiver that refuses a batch, then stops answering: the run still passes, its end waits
// no longer than LOAD_PROMETHEUS_TIMEOUT, and summary.json counts the dropped batches.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { JsHistogram } from 'hdr-histogram-js';
import { uncompress } from 'snappyjs';
import { PROJECT_ROOT } from '../lib/config.ts';
import { SuiteError } from '../lib/errors.ts';
import { newHistogram } from '../load/engine/histogram.ts';
import { INTERVAL_LOG_FILE, readLogFile } from '../load/engine/interval-log.ts';
import type { LoadSummary } from '../load/engine/summary-types.ts';
import { bucketIndex, nativeHistogram, nativeHistogramOfHdr, spansAndDeltas, ZERO_THRESHOLD, type NativeHistogram } from '../load/outputs/native-histogram.ts';
import { PrometheusOutput } from '../load/outputs/prometheus.ts';
import { decodeWriteRequest, encodeWriteRequest, type TimeSeries } from '../load/outputs/remote-write.ts';
import { parseOutputs, parseTrendStats, prometheusSettings } from '../load/outputs/spec.ts';
import { baseEnv, describeRun, LAG_NOT_UNDER_TEST, readSummary, runLoadCli, type CliRun } from './fixtures/load-cli.ts';
import { startFailingReceiver, type FailingReceiver } from './fixtures/remote-write-receivers.ts';

const PROMETHEUS = '/usr/bin/prometheus';
/** A schema-8 bucket's width against its upper bound: 1 − 2^(−1/256), about 0.27 %. */
const BUCKET_WIDTH = 1 - 2 ** (-1 / 256);
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
    [`--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--enable-feature=native-histograms', '--log.level=warn'],
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

/** Each endpoint's figure of a query answering one series per endpoint. */
async function perEndpoint(base: string, expr: string): Promise<Record<string, number>> {
  const answer = await query(base, expr);
  assert.equal(answer.status, 'success', `${expr}: ${answer.error}`);
  return Object.fromEntries(answer.data!.result.map((r) => [r.metric.endpoint!, Number(r.value[1])]));
}

type OutputDetails = { url: string; batchesSent: number; batchesDropped: number; samplesSent: number; lastError: string | null };
const outputOf = (summary: LoadSummary) => (summary.puppilot as unknown as { outputs: Record<string, OutputDetails> }).outputs['prometheus-rw']!;

/**
 * A finished run's interval log through the Prometheus output, in-process, as the command
 * hands it over at the end of a run: every series' last sample, under its own testid.
 */
async function replay(runDir: string, summary: LoadSummary, url: string, env: NodeJS.ProcessEnv): Promise<OutputDetails> {
  const settings = prometheusSettings(url, env, 'test');
  const output = new PrometheusOutput(settings, { testid: () => env.LOAD_TESTID ?? 'replay', say: () => undefined });
  await output.ended({ log: readLogFile(join(runDir, INTERVAL_LOG_FILE)), summary });
  return output.report().details as OutputDetails;
}

describe('load --out json, csv and prometheus-rw, one run', () => {
  let prometheus: { base: string; child: ChildProcess } | undefined;
  let receiver: FailingReceiver | undefined;
  let run: CliRun;
  let refused: CliRun;
  let summary: LoadSummary;
  let refusedSummary: LoadSummary;
  /** From the end of the refused run's load (summary.json's endedAt) to its process's exit. */
  let refusedTailMs = 0;
  let replayed: OutputDetails;
  let testid = '';
  const gaugesTestid = () => `${testid}-gauges`;
  const files = { json: join(scratch, 'run.jsonl'), csv: join(scratch, 'run.csv.gz') };
  const REFUSED_TIMEOUT_MS = 1000;

  const runFolder = (env: Record<string, string>) => join(env.LOAD_REPORT_DIR!, readdirSync(env.LOAD_REPORT_DIR!).find((n) => n.startsWith('smoke-'))!);

  before(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (.ci/run does)`);
    [prometheus, receiver] = await Promise.all([startPrometheus(), startFailingReceiver()]);
    const common = { ...LAG_NOT_UNDER_TEST, LOAD_RATE: '4', LOAD_DURATION: '3s', LOAD_BASELINE: 'false', LOAD_PROMETHEUS_FLUSH_INTERVAL: '1s' };
    const mainEnv: Record<string, string> = { ...baseEnv(join(scratch, 'main')), ...common, LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM: 'true' };
    const refusedEnv: Record<string, string> = { ...baseEnv(join(scratch, 'refused')), ...common, LOAD_PROMETHEUS_RW_URL: receiver.url, LOAD_PROMETHEUS_USER: 'loader', LOAD_PROMETHEUS_PASSWORD: PASSWORD, LOAD_PROMETHEUS_TIMEOUT: `${REFUSED_TIMEOUT_MS}ms` };
    let refusedExitedAt = 0;
    [run, refused] = await Promise.all([
      runLoadCli(['run', 'smoke', '--quiet', '--out', `json=${files.json}`, '--out', `csv=${files.csv}`, '--out', `prometheus-rw=${prometheus.base}/api/v1/write`], mainEnv),
      // Not quiet: the console's line about the first dropped batch is under test.
      runLoadCli(['run', 'smoke'], refusedEnv).then((r) => ((refusedExitedAt = Date.now()), r)),
    ]);
    assert.equal(run.status, 0, describeRun(run));
    const folder = runFolder(mainEnv);
    testid = basename(folder);
    summary = readSummary(folder);
    refusedSummary = readSummary(runFolder(refusedEnv));
    refusedTailMs = refusedExitedAt - Date.parse(refusedSummary.puppilot.endedAt);
    replayed = await replay(folder, summary, `${prometheus.base}/api/v1/write`, { LOAD_TESTID: gaugesTestid() });
  });

  after(async () => {
    prometheus?.child.kill('SIGTERM');
    if (prometheus && prometheus.child.exitCode === null) await new Promise((r) => prometheus!.child.once('exit', r));
    await receiver?.close();
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

  test("prometheus-rw, trends as native histograms: Prometheus's counts are summary.json's, its p95 within one schema-8 bucket", async () => {
    const base = prometheus!.base;
    const expected = (figure: (d: LoadSummary['puppilot']['endpoints'][string]) => number) => Object.fromEntries(Object.entries(summary.puppilot.endpoints).map(([e, d]) => [e, figure(d)]));
    assert.deepEqual(await perEndpoint(base, `sum by (endpoint) (k6_http_reqs_total{testid="${testid}"})`), expected((d) => d.requests));
    const durations = `sum by (endpoint) (k6_http_req_duration_seconds{testid="${testid}"})`;
    assert.deepEqual(await perEndpoint(base, `histogram_count(${durations})`), expected((d) => d.requests));
    const p95 = await perEndpoint(base, `histogram_quantile(0.95, ${durations})`);
    const means = await perEndpoint(base, `histogram_sum(${durations}) / histogram_count(${durations})`);
    assert.deepEqual(Object.keys(p95).sort(), Object.keys(summary.puppilot.endpoints).sort());
    for (const [endpoint, details] of Object.entries(summary.puppilot.endpoints)) {
      const want = details.duration['p(95)'];
      const got = p95[endpoint]! * 1000;
      // One bucket of schema 8, plus summary.json's rounding to the microsecond.
      assert.ok(Math.abs(got - want) <= want * BUCKET_WIDTH + 0.001, `p95 of ${endpoint}: ${got} ms in Prometheus, ${want} ms in summary.json`);
      // The sum is HdrHistogram's own (mean × count), not the buckets'.
      assert.ok(Math.abs(means[endpoint]! * 1000 - details.duration.avg) <= 0.001 + details.duration.avg * 1e-9, `mean of ${endpoint}: ${means[endpoint]! * 1000} ms against ${details.duration.avg}`);
    }
    assert.equal((await query(base, `k6_http_req_duration_p95{testid="${testid}"}`)).data!.result.length, 0, 'native histograms instead of the gauges');
    const checks = await query(base, `sum(k6_checks_passes_total{testid="${testid}"})`);
    assert.equal(Number(checks.data!.result[0]!.value[1]), Object.values(summary.puppilot.checks).reduce((n, c) => n + c.passes, 0));
    const iterations = await query(base, `k6_iterations_total{testid="${testid}"}`);
    assert.equal(Number(iterations.data!.result[0]!.value[1]), summary.metrics.iterations!.values.count);
    assert.equal(outputOf(summary).batchesDropped, 0);
    assert.match(run.stdout, /^output: prometheus-rw http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: \d+ batches sent \(\d+ samples\), none dropped$/m);
  });

  test("prometheus-rw, trends as gauges (the default): the run's log through the output gives summary.json's p95", async () => {
    const base = prometheus!.base;
    assert.equal(replayed.batchesDropped, 0, JSON.stringify(replayed));
    const p95 = await perEndpoint(base, `k6_http_req_duration_p95{testid="${gaugesTestid()}"}`);
    assert.deepEqual(Object.keys(p95).sort(), Object.keys(summary.puppilot.endpoints).sort());
    for (const [endpoint, details] of Object.entries(summary.puppilot.endpoints)) {
      const want = details.duration['p(95)'];
      const got = p95[endpoint]! * 1000;
      assert.ok(Math.abs(got - want) <= Math.max(0.001, want * 0.001), `p95 of ${endpoint}: ${got} ms in Prometheus, ${want} ms in summary.json`);
    }
    assert.equal((await query(base, `k6_http_req_duration_seconds{testid="${gaugesTestid()}"}`)).data!.result.length, 0, 'gauges, no native histogram');
  });

  test('every query of the Grafana dashboard answers with data (its latencies in both forms); a mistyped one does not', async () => {
    const base = prometheus!.base;
    const queries = dashboardQueries(testid);
    assert.ok(queries.length >= 15, `the dashboard's queries: ${queries.length}`);
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const problem = await problemOf(base, expr);
      if (problem) problems.push(`${panel}: ${expr}: ${problem}`);
    }
    // The replayed run has one sample a series, too few for rate(): only the latencies, the
    // queries that differ between gauges and native histograms, are asked of it.
    const latencies = dashboardQueries(gaugesTestid()).filter((q) => q.expr.includes('histogram_quantile'));
    assert.equal(latencies.length, 4);
    for (const { panel, expr } of latencies) {
      const problem = await problemOf(base, expr);
      if (problem) problems.push(`${panel} (gauges): ${expr}: ${problem}`);
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

  test('a receiver that refuses a batch, then stops answering: the run still passes, its end waits at most LOAD_PROMETHEUS_TIMEOUT, summary.json counts the drops, the password is never printed', () => {
    assert.equal(refused.status, 0, describeRun(refused));
    const rw = outputOf(refusedSummary);
    // The refused batch was tried three times; every later one went unanswered.
    assert.equal(receiver!.refused, 3);
    assert.ok(receiver!.unanswered >= 1, `${receiver!.unanswered} unanswered`);
    assert.equal(rw.batchesSent, 0);
    assert.ok(rw.batchesDropped >= 2, JSON.stringify(rw));
    assert.match(refused.stderr, /^prometheus-rw: a batch was dropped \(HTTP 500: storage is down\); the run goes on, the count is in summary\.json$/m);
    // An unanswered batch is dropped at the end, under the last error seen; a request that ran
    // out of time before the end of the run leaves its own.
    assert.match(rw.lastError ?? '', new RegExp(`^(HTTP 500: storage is down|no answer within ${REFUSED_TIMEOUT_MS} ms)$`));
    assert.equal(rw.url, receiver!.url);
    assert.match(refused.stdout, /^output: prometheus-rw .*: 0 batches sent \(0 samples\), \d+ dropped/m);
    // The last flush waits at most the timeout; writing the reports and leaving take the rest
    // (well under 3 s, even on a busy machine; the default timeout of 5 s would not fit). Had
    // it waited for an answer, or kept the process alive with an open socket, the command
    // would not have ended at all.
    assert.ok(refusedTailMs <= REFUSED_TIMEOUT_MS + 3000, `the command ended ${refusedTailMs} ms after its load`);
    assert.ok(receiver!.authorizations.length >= 4 && receiver!.authorizations.every((a) => a === `Basic ${Buffer.from(`loader:${PASSWORD}`).toString('base64')}`));
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

  test('trends as native histograms: off unless LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM says so; a bad value is a one-line error', () => {
    const native = (value: string | undefined) => {
      const spec = parseOutputs(['prometheus-rw=http://127.0.0.1:9090/api/v1/write'], value === undefined ? {} : { LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM: value })[0]!;
      return spec.kind === 'prometheus-rw' && spec.settings.trendAsNativeHistogram;
    };
    assert.deepEqual([native(undefined), native(''), native('true'), native('false')], [false, false, true, false]);
    usage(['prometheus-rw=http://127.0.0.1:1/x'], /^LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM: expected true or false, got 'maybe'$/, { LOAD_PROMETHEUS_TREND_AS_NATIVE_HISTOGRAM: 'maybe' });
  });

  test('a remote-write body decodes back to its series, samples and native histograms', () => {
    const series: TimeSeries[] = [
      { labels: [{ name: '__name__', value: 'k6_http_reqs_total' }, { name: 'endpoint', value: 'chat' }], samples: [{ value: 3, timestamp: 1_700_000_000_123 }] },
      {
        labels: [{ name: '__name__', value: 'k6_http_req_duration_seconds' }, { name: 'endpoint', value: 'chat' }],
        samples: [],
        histograms: [{ countInt: 5, sum: 0.42, schema: 8, zeroThreshold: ZERO_THRESHOLD, zeroCountInt: 1, positiveSpans: [{ offset: -850, length: 2 }, { offset: 3, length: 1 }], positiveDeltas: [2, -1, 0], timestamp: 1_700_000_000_124 }],
      },
    ];
    assert.deepEqual(decodeWriteRequest(encodeWriteRequest(series), uncompress), series);
  });

  test('the command prints one line and exits 2 for a bad --out', async () => {
    const result = await runLoadCli(['run', 'smoke', '--dry-run', '--out', 'nonsense'], baseEnv(join(scratch, 'usage')));
    assert.equal(result.status, 2, describeRun(result));
    assert.deepEqual(result.stderr.trimEnd().split('\n'), ['USAGE: --out nonsense: unknown output (json=…, csv=…, prometheus-rw=…)']);
  });
});

describe('trends as native histograms: HdrHistogram to schema-8 buckets', () => {
  /** A native histogram's buckets back as [index, count], from its spans and deltas. */
  function bucketsOf(h: NativeHistogram): [number, number][] {
    const buckets: [number, number][] = [];
    // Where the next bucket would be without a gap: a span's offset is the gap before it.
    let next = 0;
    let count = 0;
    let delta = 0;
    for (const span of h.positiveSpans) {
      next += span.offset;
      for (let k = 0; k < span.length; k++) {
        count += h.positiveDeltas[delta++]!;
        buckets.push([next++, count]);
      }
    }
    return buckets;
  }

  /** Prometheus's histogram_quantile on a native histogram: the bucket where the rank falls, interpolated linearly. */
  function quantileOf(h: NativeHistogram, q: number): number {
    const rank = q * h.count;
    let seen = h.zeroCount;
    for (const [index, count] of bucketsOf(h)) {
      if (seen + count >= rank) {
        const lower = 2 ** ((index - 1) / 256);
        const upper = 2 ** (index / 256);
        return lower + (upper - lower) * ((rank - seen) / count);
      }
      seen += count;
    }
    return NaN;
  }

  /** The next double above a positive one. */
  function nextUp(x: number): number {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    view.setBigUint64(0, view.getBigUint64(0) + 1n);
    return view.getFloat64(0);
  }

  test('bucket i holds (2^((i-1)/256), 2^(i/256)] seconds, exactly at the bounds', () => {
    assert.equal(bucketIndex(1), 0);
    assert.equal(bucketIndex(nextUp(1)), 1);
    assert.equal(bucketIndex(2), 256);
    assert.equal(bucketIndex(0.5), -256);
    // A bound itself belongs to the bucket below it, the next double to the one above.
    const bound = 2 ** (37 / 256);
    assert.equal(bucketIndex(bound), 37);
    assert.equal(bucketIndex(nextUp(bound)), 38);
    for (const seconds of [1e-6, 0.000999, 0.0123, 0.1, 0.25, 3.7, 3600]) {
      const i = bucketIndex(seconds);
      assert.ok(2 ** ((i - 1) / 256) < seconds && seconds <= 2 ** (i / 256), `${seconds} s in bucket ${i}`);
    }
    assert.equal(bucketIndex(0.1), -850);
  });

  test('an empty histogram has no buckets', () => {
    const empty = { count: 0, sum: 0, schema: 8, zeroThreshold: ZERO_THRESHOLD, zeroCount: 0, positiveSpans: [], positiveDeltas: [] };
    assert.deepEqual(nativeHistogram([], 0), empty);
    const hdr = newHistogram();
    assert.deepEqual(nativeHistogramOfHdr(hdr), empty);
    hdr.destroy();
  });

  test('a single value is one span of one bucket', () => {
    assert.deepEqual(nativeHistogram([{ seconds: 0.1, count: 1 }], 0.1), {
      count: 1,
      sum: 0.1,
      schema: 8,
      zeroThreshold: ZERO_THRESHOLD,
      zeroCount: 0,
      positiveSpans: [{ offset: -850, length: 1 }],
      positiveDeltas: [1],
    });
  });

  test('values over many buckets: a span per run of buckets, offsets the gaps, deltas across spans', () => {
    assert.deepEqual(spansAndDeltas([[-5, 2], [-4, 3], [0, 1], [10, 4]]), {
      spans: [{ offset: -5, length: 2 }, { offset: 3, length: 1 }, { offset: 9, length: 1 }],
      deltas: [2, 1, -2, 3],
    });
    const ms = bucketIndex(0.001);
    const h = nativeHistogram(
      [
        { seconds: 1, count: 4 },
        { seconds: 0.001, count: 2 },
        { seconds: 0.001 * 2 ** (1 / 256) * 1.0001, count: 3 },
        { seconds: 0.01, count: 1 },
        { seconds: 0.0010001, count: 1 },
      ],
      4.014,
    );
    assert.equal(h.count, 11);
    assert.deepEqual(bucketsOf(h), [
      [ms, 3],
      [ms + 1, 3],
      [bucketIndex(0.01), 1],
      [0, 4],
    ]);
    assert.equal(h.positiveSpans.length, 3);
  });

  test('zeros go to the zero bucket; a negative value is refused', () => {
    const h = nativeHistogram([{ seconds: 0, count: 4 }, { seconds: 0.2, count: 1 }], 0.2);
    assert.equal(h.count, 5);
    assert.equal(h.zeroCount, 4);
    assert.deepEqual(bucketsOf(h), [[bucketIndex(0.2), 1]]);
    assert.throws(() => nativeHistogram([{ seconds: -0.001, count: 1 }], 0), RangeError);
  });

  test("from an HdrHistogram: each slot in its highest equivalent value's bucket; quantiles read back within one bucket", () => {
    const hdr = newHistogram();
    // From 200 µs to about 2 s, denser at the low end, as latencies are.
    let seed = 7;
    for (let n = 0; n < 5000; n++) {
      seed = (seed * 48271) % 2147483647;
      hdr.recordValue(Math.round(200 * Math.exp((seed / 2147483647) * 9.2)));
    }
    hdr.recordValue(1);
    const h = nativeHistogramOfHdr(hdr);
    assert.equal(h.count, hdr.totalCount);
    const mean = (hdr.mean * hdr.totalCount) / 1e6;
    assert.ok(Math.abs(h.sum - mean) <= mean * 1e-12, `sum ${h.sum} against HdrHistogram's ${mean}`);
    // The library's own iterator, as the reference: each recorded value's highest equivalent.
    assert.ok(hdr instanceof JsHistogram);
    const expected = new Map<number, number>();
    const iterator = hdr.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const { valueIteratedTo, countAtValueIteratedTo } = iterator.next();
      const index = bucketIndex(valueIteratedTo / 1e6);
      expected.set(index, (expected.get(index) ?? 0) + countAtValueIteratedTo);
    }
    assert.deepEqual(bucketsOf(h), [...expected].sort((a, b) => a[0] - b[0]));
    assert.ok(h.positiveSpans.length > 1, 'gaps between the buckets');
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const want = hdr.getValueAtPercentile(q * 100) / 1e6;
      const got = quantileOf(h, q);
      assert.ok(Math.abs(got - want) <= want * BUCKET_WIDTH, `q${q}: ${got} s from the buckets, ${want} s from HdrHistogram`);
    }
    hdr.destroy();
  });
});
