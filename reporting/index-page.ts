/**
 * `reports/index.html`: one page for everything a run left in `reports/`: the latest
 * contract run with links to its reports, a trend of p95 latency and throughput over the
 * stored load runs, a table of those runs with links to their files, and the self-check
 * table. The page is static and self-contained (no script, no fonts, no network) and every
 * link is relative, so the `reports/` folder can be uploaded or zipped as it is.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readContractRun, type ContractRunState } from './contract-run.ts';
import { escapeHtml, href } from './html.ts';
import { readLoadRuns, type LoadRun, type UnreadableRun } from './load-runs.ts';
import { formatNumber, scenarioColors, trendChart } from './trend-chart.ts';

export interface ReportsIndex {
  generatedAt: Date;
  contract: ContractRunState;
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
  return {
    generatedAt,
    contract: readContractRun(join(root, 'contract')),
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

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const percent = (rate: number | undefined) => (rate === undefined ? '–' : `${formatNumber(rate * 100)} %`);
const ms = (value: number | undefined) => (value === undefined ? '–' : formatNumber(value));
const seconds = (value: number) => `${formatNumber(value / 1000)} s`;

function contractSection(model: ReportsIndex): string {
  const { contract, contractLinks } = model;
  const links = contractLinks.map((l) => `<a href="${href(l.path)}">${escapeHtml(l.label)}</a>`).join(' · ');
  let status: string;
  if (contract.kind === 'none') {
    status = '<p class="empty">No contract run stored yet. Run <code>npm start</code> (embedded reference API) or <code>npm run contract</code> (your <code>BASE_URL</code>).</p>';
  } else if (contract.kind === 'unreadable') {
    status = `<p class="bad">The last contract run cannot be read: ${escapeHtml(contract.reason)}.</p>`;
  } else {
    const verdict = contract.failed > 0
      ? '<span class="badge bad">failed</span>'
      : contract.passed === 0
        ? '<span class="badge empty">no test passed</span>'
        : '<span class="badge good">passed</span>';
    const when = contract.startedAt ? utc(contract.startedAt) : 'unknown time';
    const target = contract.target ? ` against <code>${escapeHtml(contract.target)}</code>` : '';
    status = `<p>${verdict} ${escapeHtml(when)}${target}, ${seconds(contract.durationMs)}: <strong>${contract.passed}</strong> passed, <strong>${contract.failed}</strong> failed, ${contract.flaky} flaky, ${contract.skipped} skipped.</p>`;
  }
  return `<section id="contract"><h2>Contract suite</h2>${status}${links ? `<p class="links">${links}</p>` : ''}</section>`;
}

function thresholdCell(run: LoadRun): string {
  if (run.thresholdCount === 0) return '<span class="muted">none defined</span>';
  if (run.breachedThresholds.length === 0) return `<span class="good">${run.thresholdCount} held</span>`;
  return `<span class="bad">breached: ${run.breachedThresholds.map(escapeHtml).join('; ')}</span>`;
}

function runRow(run: LoadRun, colors: Map<string, string>): string {
  const files = run.files.map((f) => `<a href="${href('load', run.id, f)}">${escapeHtml(f)}</a>`).join(' ');
  const endpoints = Object.entries(run.endpointP95Ms)
    .map(([endpoint, p95]) => `${escapeHtml(endpoint)} ${ms(p95)}`)
    .join('<br>');
  return [
    `<tr data-run="${escapeHtml(run.id)}">`,
    `<td>${escapeHtml(utc(run.startedAt))}</td>`,
    `<td><span class="swatch" style="background:${colors.get(run.scenario)}"></span>${escapeHtml(run.scenario)}</td>`,
    `<td class="num">${run.requests.toLocaleString('en-US')}</td>`,
    `<td class="num">${formatNumber(run.throughputRps)}</td>`,
    `<td class="num">${ms(run.p95Ms)}</td>`,
    `<td class="num">${ms(run.p99Ms)}</td>`,
    `<td class="small">${endpoints || '–'}</td>`,
    `<td class="num">${percent(run.failedRate)}</td>`,
    `<td class="num">${percent(run.checksRate)}</td>`,
    `<td class="num">${run.droppedIterations ?? '–'}</td>`,
    `<td>${thresholdCell(run)}</td>`,
    `<td class="files">${files}</td>`,
    '</tr>',
  ].join('');
}

function loadSection(model: ReportsIndex): string {
  const { loadRuns, unreadableRuns } = model;
  const parts = ['<section id="load"><h2>Load runs</h2>'];
  if (loadRuns.length === 0) {
    parts.push('<p class="empty">No load run stored in <code>reports/load/</code> yet: each run of the load suite adds a folder <code>&lt;scenario&gt;-&lt;timestamp&gt;/</code> with its <code>summary.json</code>, and this page charts them.</p>');
  } else {
    const colors = scenarioColors(loadRuns.map((r) => r.scenario));
    const runOrder = loadRuns.map((r) => r.id);
    const points = (value: (r: LoadRun) => number) =>
      loadRuns.map((r) => ({ runId: r.id, scenario: r.scenario, at: r.startedAt, value: value(r), flagged: r.breachedThresholds.length > 0 }));
    const legend = [
      ...[...colors].map(([name, color]) => `<span class="legend-item" data-scenario="${escapeHtml(name)}"><span class="swatch" style="background:${color}"></span>${escapeHtml(name)}</span>`),
      loadRuns.some((r) => r.breachedThresholds.length > 0) ? '<span class="legend-item"><span class="breached-key"></span>thresholds breached</span>' : '',
    ].join('');
    parts.push(
      `<p class="legend">${legend}</p>`,
      '<div class="charts">',
      trendChart({ id: 'p95', title: 'p95 latency, all requests', unit: 'ms', points: points((r) => r.p95Ms), runOrder, colors }),
      trendChart({ id: 'throughput', title: 'Throughput', unit: 'req/s', points: points((r) => r.throughputRps), runOrder, colors }),
      '</div>',
      '<table class="runs"><thead><tr><th>started</th><th>scenario</th><th>requests</th><th>req/s</th><th>p95 ms</th><th>p99 ms</th><th>p95 ms per endpoint</th><th>failed</th><th>checks</th><th>dropped</th><th>thresholds</th><th>files</th></tr></thead><tbody>',
      ...[...loadRuns].reverse().map((run) => runRow(run, colors)),
      '</tbody></table>',
    );
  }
  if (unreadableRuns.length > 0) {
    parts.push(
      '<h3>Folders that could not be read</h3><ul class="unreadable">',
      ...unreadableRuns.map((u) => `<li data-run="${escapeHtml(u.id)}"><code>load/${escapeHtml(u.id)}</code>: ${escapeHtml(u.reason)}</li>`),
      '</ul>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 0; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.meta, .muted, .empty { color: #6b7280; } code { background: #f3f4f6; padding: 0 3px; border-radius: 3px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.good { color: #15803d; } .bad { color: #b91c1c; }
.badge.good { background: #16a34a; color: #fff; } .badge.bad { background: #dc2626; color: #fff; } .badge.empty { background: #6b7280; color: #fff; }
.charts { display: flex; flex-direction: column; gap: 8px; }
svg.trend { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; max-width: 100%; height: auto; }
svg .grid { stroke: #e5e7eb; } svg .axis { stroke: #9ca3af; } svg .series { fill: none; stroke-width: 2; }
svg text { font: 11px system-ui, sans-serif; fill: #4b5563; } svg .chart-title { font-size: 14px; font-weight: 600; fill: #111827; }
svg .unit { font-weight: 400; fill: #6b7280; } svg .point { stroke: #fff; stroke-width: 1.5; }
svg .point.breached { stroke: #111827; stroke-width: 2.5; } .breached-key { display: inline-block; width: 9px; height: 9px; border-radius: 50%; border: 2.5px solid #111827; vertical-align: -2px; margin-right: 5px; }
.legend-item { margin-right: 16px; } .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
table.runs { border-collapse: collapse; width: 100%; margin-top: 12px; font-size: 13px; }
table.runs th, table.runs td { border-bottom: 1px solid #e5e7eb; padding: 4px 6px; text-align: left; vertical-align: top; }
table.runs th { background: #f9fafb; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.small { font-size: 12px; } td.files a { margin-right: 6px; }
`;

export function renderReportsIndex(model: ReportsIndex): string {
  const selfcheck = model.selfcheckTable
    ? `<section id="selfcheck"><h2>Self-check</h2><p>The suite against each fault of the reference API${model.selfcheckSummary ? `: ${escapeHtml(model.selfcheckSummary)}` : ''}. <a href="${href(model.selfcheckTable)}">The table</a>.</p></section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="puppilot-auth-suite reporting/index-page.ts">
<title>Puppilot auth suite: reports</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Puppilot auth suite: reports</h1>
<p class="meta">Generated ${escapeHtml(utc(model.generatedAt))} from this folder. ${model.loadRuns.length} load run${model.loadRuns.length === 1 ? '' : 's'} stored.</p>
${contractSection(model)}
${loadSection(model)}
${selfcheck}
</body>
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
