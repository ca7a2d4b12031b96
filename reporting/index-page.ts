/**
 * `reports/index.html`: one page for everything a run left in `reports/`: the contract runs
 * as a history (verdict, counts and the titles of the failed tests of each), the load runs
 * as trends per scenario (p95 and p99 per endpoint, achieved throughput, capacity from
 * stress, each run's verdict) with a table of runs per scenario, and the self-check table.
 *
 * The page is one self-contained file: uPlot, its stylesheet, the data and the script that
 * draws the charts are inline, a Content Security Policy forbids every fetch, and every link
 * is relative, so the `reports/` folder can be opened from disk, uploaded or zipped as it is.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractRuns, type ContractHistoryEntry, type UnreadableEntry } from './contract-history.ts';
import { readContractRun, type ContractRunState } from './contract-run.ts';
import { readLoadRuns, type LoadRun, type RunVerdict, type UnreadableRun } from './load-runs.ts';
import { badge, BASE_CSS, chartAssets, chartScripts, documentStart, escapeHtml, formatInstant, formatNumber, href, MISSING, type Tone } from './page.ts';
import { runLink, scenarioTrends, VERDICT_COLORS, type ScenarioTrend, type TrendChart } from './trends.ts';
import { TRENDS_SCRIPT } from './trends-script.ts';

export interface ReportsIndex {
  generatedAt: Date;
  /** The run `contract/results.json` holds (the latest). */
  contract: ContractRunState;
  /** Every contract run known, newest first: the history, plus the latest when not in it. */
  contractHistory: ContractHistoryEntry[];
  /** The start of the run in `contract/`, whose reports the page links. */
  latestContractStartedAt?: string;
  unreadableHistory: UnreadableEntry[];
  /** Contract report files that exist, relative to the reports folder. */
  contractLinks: { label: string; path: string }[];
  loadRuns: LoadRun[];
  unreadableRuns: UnreadableRun[];
  selfcheckTable?: string;
  /** The table's last line, e.g. "39/39 faults caught, 9/9 harmless variations passed…". */
  selfcheckSummary?: string;
}

const CONTRACT_FILES = [
  { label: 'HTML report', path: 'contract/html/index.html' },
  { label: 'JUnit XML', path: 'contract/junit.xml' },
  { label: 'JSON results', path: 'contract/results.json' },
];
const SELFCHECK_TABLE = 'selfcheck/table.txt';

/** Reads what `root` (the reports folder) holds into the page's model. */
export function collectReports(root: string, generatedAt = new Date()): ReportsIndex {
  const { runs, unreadable } = readLoadRuns(join(root, 'load'));
  const history = contractRuns(root);
  return {
    generatedAt,
    contract: readContractRun(join(root, 'contract')),
    contractHistory: history.runs,
    ...(history.latestStartedAt === undefined ? {} : { latestContractStartedAt: history.latestStartedAt }),
    unreadableHistory: history.unreadable,
    contractLinks: CONTRACT_FILES.filter((f) => existsSync(join(root, f.path))),
    loadRuns: runs,
    unreadableRuns: unreadable,
    ...readSelfcheck(root),
  };
}

function readSelfcheck(root: string): Pick<ReportsIndex, 'selfcheckTable' | 'selfcheckSummary'> {
  const file = join(root, SELFCHECK_TABLE);
  if (!existsSync(file)) return {};
  const summary = readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)?.trim();
  return { selfcheckTable: SELFCHECK_TABLE, selfcheckSummary: summary || undefined };
}

const e = escapeHtml;
const percent = (rate: number | undefined) => (rate === undefined ? MISSING : `${formatNumber(rate * 100)} %`);
const seconds = (value: number) => `${formatNumber(value / 1000)} s`;

/** A contract run's verdict as the page words it. */
export function contractVerdict(run: ContractHistoryEntry): { word: string; tone: Tone } {
  if (run.status === 'timedout') return { word: 'timed out', tone: 'bad' };
  if (run.status === 'interrupted') return { word: 'interrupted', tone: 'warn' };
  if (run.status === 'failed' || run.counts.failed > 0) return { word: 'failed', tone: 'bad' };
  if (run.counts.passed === 0) return { word: 'no test passed', tone: 'neutral' };
  return { word: 'passed', tone: 'good' };
}

const LOAD_TONES: Record<RunVerdict['status'], Tone> = { passed: 'good', failed: 'bad', aborted: 'bad', invalid: 'warn', interrupted: 'warn', unknown: 'neutral' };

function contractRow(model: ReportsIndex, run: ContractHistoryEntry): string {
  const verdict = contractVerdict(run);
  const latest = run.startedAt === model.latestContractStartedAt;
  const links = latest ? model.contractLinks.map((l) => `<a href="${href(l.path)}">${e(l.label)}</a>`).join(' ') : '';
  const failed = run.failedTests.length
    ? `<ul class="failed-tests">${run.failedTests.map((t) => `<li>${e(t)}</li>`).join('')}${run.failedTestsOmitted ? `<li class="muted">and ${run.failedTestsOmitted} more</li>` : ''}</ul>`
    : run.counts.failed > 0
      ? '<span class="muted">titles not recorded</span>'
      : '';
  const target = run.target ? `<code>${e(run.target)}</code>${run.targetKind ? ` <span class="muted">${e(run.targetKind)}</span>` : ''}` : MISSING;
  return [
    `<tr class="tone-${verdict.tone}${latest ? ' latest' : ''}" data-started="${e(run.startedAt)}">`,
    `<td class="when">${e(formatInstant(run.startedAt))}${latest ? ' <span class="muted">(latest)</span>' : ''}</td>`,
    `<td class="verdict">${badge(verdict.word, verdict.tone)}</td>`,
    `<td>${target}</td>`,
    `<td class="num">${e(seconds(run.durationMs))}</td>`,
    `<td class="num">${run.counts.passed}</td>`,
    `<td class="num${run.counts.failed > 0 ? ' bad' : ''}">${run.counts.failed}</td>`,
    `<td class="num">${run.counts.flaky}</td>`,
    `<td class="num">${run.counts.skipped}</td>`,
    `<td class="failed">${failed}</td>`,
    `<td class="files">${links}</td>`,
    '</tr>',
  ].join('');
}

function contractSection(model: ReportsIndex): string {
  const { contract, contractHistory: runs } = model;
  const parts = ['<section id="contract"><h2>Contract suite</h2>'];
  if (contract.kind === 'unreadable') parts.push(`<p class="bad">The last contract run cannot be read: ${e(contract.reason)}.</p>`);
  if (runs.length === 0) {
    if (contract.kind !== 'unreadable') {
      parts.push('<p class="empty">No contract run stored yet. Run <code>npm start</code> (embedded reference API) or <code>npm run contract</code> (your <code>BASE_URL</code>).</p>');
    }
  } else {
    const failing = runs.filter((r) => contractVerdict(r).tone === 'bad').length;
    const strip = [...runs]
      .reverse()
      .map((r) => {
        const v = contractVerdict(r);
        return `<span class="cell ${v.tone}" title="${e(`${formatInstant(r.startedAt)}: ${v.word}`)}"></span>`;
      })
      .join('');
    parts.push(
      `<p>${runs.length} run${runs.length === 1 ? '' : 's'} stored, ${failing} failed. Oldest left, newest right:</p>`,
      `<div class="strip" aria-label="contract runs, oldest first">${strip}</div>`,
      '<div class="table-wrap scroll"><table class="contract-runs"><thead><tr><th>started</th><th>verdict</th><th>target</th><th class="num">duration</th><th class="num">passed</th><th class="num">failed</th><th class="num">flaky</th><th class="num">skipped</th><th>failed tests</th><th>reports</th></tr></thead><tbody>',
      ...runs.map((r) => contractRow(model, r)),
      '</tbody></table></div>',
    );
  }
  if (model.unreadableHistory.length > 0) {
    parts.push(
      '<p class="muted">History entries that could not be read: ',
      model.unreadableHistory.map((u) => `<code>contract-history/${e(u.file)}</code> (${e(u.reason)})`).join(', '),
      '</p>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function verdictCell(run: LoadRun): string {
  const { status, reasons, derived } = run.verdict;
  const word = status === 'unknown' ? 'no verdict' : status;
  const title = [...(derived ? ['from the thresholds (a plain k6 summary)'] : []), ...reasons].join('\n');
  return `<td class="verdict"${title ? ` title="${e(title)}"` : ''}>${badge(word, LOAD_TONES[status])}${run.valid === false && status !== 'invalid' ? ' <span class="muted">invalid run</span>' : ''}</td>`;
}

function endpointCell(run: LoadRun): string {
  const names = [...new Set([...Object.keys(run.endpointP95Ms), ...Object.keys(run.endpointP99Ms)])];
  return names.map((n) => `${e(n)} ${formatNumber(run.endpointP95Ms[n])} / ${formatNumber(run.endpointP99Ms[n])}`).join('<br>') || MISSING;
}

function runRow(run: LoadRun, withCapacity: boolean): string {
  const files = run.files.map((f) => `<a href="${href('load', run.id, f)}">${e(f)}</a>`).join(' ');
  const capacity = !withCapacity ? '' : `<td class="num">${run.capacity === undefined ? MISSING : run.capacity.rate === null ? '<span class="bad">none held</span>' : `${formatNumber(run.capacity.rate)}${run.capacity.step ? ` <span class="muted">(${e(run.capacity.step)})</span>` : ''}`}</td>`;
  return [
    `<tr data-run="${e(run.id)}" data-verdict="${e(run.verdict.status)}">`,
    `<td class="when"><a href="${runLink(run)}">${e(formatInstant(run.startedAt))}</a>${run.segment ? ` <span class="muted">${e(run.segment)}</span>` : ''}</td>`,
    verdictCell(run),
    `<td class="num">${run.requests.toLocaleString('en-US')}</td>`,
    `<td class="num">${formatNumber(run.throughputRps)}</td>`,
    capacity,
    `<td class="num">${formatNumber(run.p95Ms)}</td>`,
    `<td class="num">${formatNumber(run.p99Ms)}</td>`,
    `<td class="small">${endpointCell(run)}</td>`,
    `<td class="num">${percent(run.failedRate)}</td>`,
    `<td class="num">${run.droppedIterations ?? MISSING}</td>`,
    `<td class="files">${files}</td>`,
    '</tr>',
  ].join('');
}

function chartFigure(chart: TrendChart): string {
  return `<figure class="chart" id="${e(chart.id)}" data-chart="${e(chart.kind)}" aria-label="${e(chart.title)}">
<figcaption>${e(chart.title)} <span class="unit">(${e(chart.unit)}${chart.unit2 ? `; ${e(chart.unit2)} on the right` : ''})</span></figcaption>
<div class="chart-canvas"></div>
<p class="chart-run muted">Point at a run to name it; click it to open its report.</p>
</figure>`;
}

function scenarioSection(trend: ScenarioTrend, runs: LoadRun[]): string {
  const own = runs.filter((r) => r.scenario === trend.scenario).reverse();
  const withCapacity = own.some((r) => r.capacity !== undefined);
  const head = `<tr><th>started</th><th>verdict</th><th class="num">requests</th><th class="num">req/s</th>${withCapacity ? '<th class="num">capacity /s</th>' : ''}<th class="num">p95 ms</th><th class="num">p99 ms</th><th>p95 / p99 ms per endpoint</th><th class="num">failed</th><th class="num">dropped</th><th>files</th></tr>`;
  return `<section class="scenario" data-scenario="${e(trend.scenario)}">
<h3>${e(trend.scenario)} <span class="muted">${own.length} run${own.length === 1 ? '' : 's'}</span></h3>
<div class="chart-grid">${trend.charts.map(chartFigure).join('\n')}</div>
<div class="table-wrap"><table class="runs"><thead>${head}</thead><tbody>
${own.map((r) => runRow(r, withCapacity)).join('\n')}
</tbody></table></div>
</section>`;
}

const VERDICT_KEY = (['passed', 'failed', 'invalid', 'interrupted'] as const)
  .map((v) => `<span class="key"><span class="dot" style="background:${VERDICT_COLORS[v]}"></span>${v}</span>`)
  .join('');

function loadSection(model: ReportsIndex, trends: ScenarioTrend[]): string {
  const { loadRuns, unreadableRuns } = model;
  const parts = ['<section id="load"><h2>Load runs</h2>'];
  if (loadRuns.length === 0) {
    parts.push('<p class="empty">No load run stored in <code>reports/load/</code> yet: each run of the load suite adds a folder <code>&lt;scenario&gt;-&lt;timestamp&gt;/</code> with its <code>summary.json</code> and <code>report.html</code>, and this page charts them.</p>');
  } else {
    parts.push(
      `<p class="legend">Per scenario, one point per run at its start time (UTC); solid lines are p95, dashed p99. The dot above each run is its verdict, and a run that did not pass is shaded. Click a point to open that run's report.</p>`,
      `<p class="legend">${VERDICT_KEY}</p>`,
      '<noscript><p class="empty">The charts need JavaScript; the tables carry the same figures.</p></noscript>',
      ...trends.map((t) => scenarioSection(t, loadRuns)),
    );
  }
  if (unreadableRuns.length > 0) {
    parts.push(
      '<h3>Folders that could not be read</h3><ul class="unreadable">',
      ...unreadableRuns.map((u) => `<li data-run="${e(u.id)}"><code>load/${e(u.id)}</code>: ${e(u.reason)}</li>`),
      '</ul>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** This page's own styles, after BASE_CSS. */
const STYLE = `
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; } h3 .muted { font-weight: 400; font-size: 13px; }
.meta, .muted, .empty { color: #6b7280; } .empty { font-style: italic; }
.strip { display: flex; flex-wrap: wrap; gap: 2px; margin: 0 0 10px; }
.strip .cell { width: 12px; height: 18px; border-radius: 2px; background: #9ca3af; }
.strip .cell.good { background: #16a34a; } .strip .cell.bad { background: #dc2626; } .strip .cell.warn { background: #d97706; }
.legend .key { margin: 0 8px 0 4px; white-space: nowrap; } .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 12px; }
.chart-run { font-size: 12px; margin: 2px 0 4px; min-height: 1.45em; }
.uplot .u-legend .u-series > * { padding: 2px 4px; }
.table-wrap { overflow-x: auto; margin-top: 10px; } .table-wrap.scroll { max-height: 520px; overflow-y: auto; }
th { background: #f3f4f6; font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; } td.small { font-size: 12px; color: #4b5563; white-space: nowrap; } td.files a { margin-right: 6px; }
tr.tone-bad td:first-child, tr[data-verdict="failed"] td:first-child, tr[data-verdict="aborted"] td:first-child { box-shadow: inset 3px 0 #dc2626; }
tr.tone-warn td:first-child, tr[data-verdict="invalid"] td:first-child, tr[data-verdict="interrupted"] td:first-child { box-shadow: inset 3px 0 #d97706; }
tr.latest td { background: #f8fafc; }
.failed-tests { margin: 0; padding-left: 16px; font-size: 12px; } .failed-tests li { overflow-wrap: anywhere; }
`;

export function renderReportsIndex(model: ReportsIndex): string {
  const trends = scenarioTrends(model.loadRuns);
  const selfcheck = model.selfcheckTable
    ? `<section id="selfcheck"><h2>Self-check</h2><p>The suite against each fault of the reference API${model.selfcheckSummary ? `: ${e(model.selfcheckSummary)}` : ''}. <a href="${href(model.selfcheckTable)}">The table</a>.</p></section>`
    : '';
  const charts = trends.length > 0;
  const contractCount = model.contractHistory.length;
  return `${documentStart({
    title: 'Puppilot auth suite: reports',
    generator: 'reporting/index-page.ts',
    styles: [...(charts ? [chartAssets().stylesheet] : []), BASE_CSS, STYLE],
  })}<main>
<h1>Puppilot auth suite: reports</h1>
<p class="meta">Generated ${e(formatInstant(model.generatedAt))} from this folder. ${contractCount} contract run${contractCount === 1 ? '' : 's'} and ${model.loadRuns.length} load run${model.loadRuns.length === 1 ? '' : 's'} stored.</p>
${contractSection(model)}
${loadSection(model, trends)}
${selfcheck}
<footer>One self-contained file: the charts are drawn from the data inside it with uPlot inline; it makes no request. Every link is relative to this folder.</footer>
</main>
${charts ? chartScripts('trends-data', { verdictColors: VERDICT_COLORS, scenarios: trends }, TRENDS_SCRIPT) : ''}</body>
</html>
`;
}

/** Writes `<root>/index.html` from what `root` holds; the write is atomic (temp file, rename). */
export function writeReportsIndex(root: string, generatedAt = new Date()): { path: string; model: ReportsIndex } {
  const model = collectReports(root, generatedAt);
  mkdirSync(root, { recursive: true });
  const path = join(root, 'index.html');
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, renderReportsIndex(model));
  renameSync(temp, path);
  return { path, model };
}
