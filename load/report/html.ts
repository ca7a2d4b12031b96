/**
 * `report.html` for one load run: a single self-contained file (uPlot, its stylesheet, the
 * data and the script that draws the charts are all inline; no font, no image, no request),
 * so it opens the same from disk, from a CI artifact or from an archive. A Content Security
 * Policy forbids any fetch, so a mistake that would reach the network fails visibly instead.
 *
 * Everything a run or a user named (scenario, description, endpoints, reasons, check names,
 * contract problems) is escaped; the chart data is inline JSON in which no `<` survives.
 */
import { badge, BASE_CSS, chartAssets, chartScripts, documentStart, escapeHtml, formatInstant, formatNumber, MISSING, type Tone } from '../../reporting/page.ts';
import type { LoadSummary, ThresholdResult, WindowFigures } from '../engine/summary-types.ts';
import { baselineRows } from './baseline.ts';
import { CHART_SCRIPT } from './chart-script.ts';
import { chartSpecs, type ChartSpec } from './charts.ts';
import {
  describeBalance,
  describeCapacity,
  describeSchedule,
  formatMemory,
  endpointTotals,
  formatChangePct,
  formatCount,
  formatCounts,
  formatDuration,
  formatFraction,
  formatMs,
  formatThresholdActual,
  runDurationMs,
  verdictWord,
} from './format.ts';

const e = escapeHtml;

const num = (text: string) => `<td class="num">${e(text)}</td>`;
const cell = (text: string) => `<td>${e(text)}</td>`;

function reasonList(reasons: string[], className: string): string {
  return reasons.length ? `<ul class="${className}">${reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>` : '';
}

function table(className: string, head: string, rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${e(empty)}</p>`;
  return `<div class="table-wrap"><table class="${className}"><thead>${head}</thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

function header(summary: LoadSummary): string {
  const run = summary.puppilot;
  const status = run.verdict.status;
  const tone: Tone = status === 'passed' ? 'good' : status === 'invalid' || status === 'interrupted' ? 'warn' : 'bad';
  const v = run.validity;
  const ratio = v.targetRate > 0 ? v.offeredRate / v.targetRate : null;
  const segment = run.config.segment ? `segment ${run.config.segment.index + 1} of ${run.config.segment.count}` : 'whole run';
  const facts: [string, string][] = [
    ['target', `${run.target.origin} (${run.target.kind})`],
    ['started', formatInstant(run.startedAt)],
    ['duration', `${formatDuration(runDurationMs(summary))}${run.interrupted ? ' (interrupted)' : ''}`],
    ['executor', `${run.config.executor.executor}, ${describeSchedule(summary)}, maxVUs ${formatCount(run.config.executor.maxVUs)}`],
    ['workers', `${run.config.workers}, ${segment}`],
    ['request timeout', formatMs(run.config.timeoutMs)],
  ];
  const balance = describeBalance(summary);
  if (balance) facts.push(['arrivals', balance]);
  if (run.contractCoverage) {
    const cc = run.contractCoverage;
    facts.push(['contract checked', `${formatCount(cc.checked)} of ${formatCount(cc.responses)} responses${cc.sample < 1 ? ` (LOAD_CHECK_SAMPLE ${formatNumber(cc.sample)})` : ''}`]);
  }
  if (run.memory) facts.push(['peak memory', `${formatMemory(run.memory.peakRssBytes)} resident (the generator process)`]);
  if (run.mergedFrom?.length) facts.push(['merged from', run.mergedFrom.join(', ')]);
  return `<header>
<h1>Load run: <span class="scenario">${e(run.scenario)}</span></h1>
${run.description ? `<p class="description">${e(run.description)}</p>` : ''}
<dl class="facts">${facts.map(([k, val]) => `<div><dt>${e(k)}</dt><dd>${e(val)}</dd></div>`).join('')}</dl>
<div class="verdicts">
<section class="verdict tone-${tone}" id="verdict" aria-label="verdict">
<h2>Verdict ${badge(verdictWord(status), tone)}</h2>
${run.verdict.reasons.length ? reasonList(run.verdict.reasons, 'reasons') : '<p class="muted">Every threshold held, no contract failure, the run is valid.</p>'}
</section>
<section class="verdict tone-${v.valid ? 'good' : 'warn'}" id="validity" aria-label="validity">
<h2>Validity ${badge(v.valid ? 'valid' : 'invalid', v.valid ? 'good' : 'warn')}</h2>
<p>Target ${e(formatNumber(v.targetRate))}/s, offered ${e(formatNumber(v.offeredRate))}/s (${e(formatFraction(ratio))}, at least ${e(formatFraction(run.config.validity.minRateRatio))} required), started ${e(formatNumber(v.startedRate))}/s. Arrival lag p50 ${e(formatMs(v.lagMs.p50))}, p99 ${e(formatMs(v.lagMs.p99))} (at most ${e(formatMs(run.config.validity.maxLagP99Ms))}), max ${e(formatMs(v.lagMs.max))}.</p>
${reasonList(v.reasons, 'reasons')}
</section>
</div>
</header>`;
}

function chartFigure(spec: ChartSpec): string {
  const endpoint = spec.endpoint === undefined ? '' : ` data-endpoint="${e(spec.endpoint)}"`;
  return `<figure class="chart" id="${e(spec.id)}" data-chart="${e(spec.kind)}"${endpoint} aria-label="${e(spec.description)}">
<figcaption>${e(spec.title)} <span class="unit">(${e(spec.unit)})</span></figcaption>
<div class="chart-canvas"></div>
</figure>`;
}

function chartsSection(specs: ChartSpec[]): string {
  const byKind = (kind: ChartSpec['kind']) => specs.filter((s) => s.kind === kind).map(chartFigure).join('\n');
  return `<section id="charts"><h2>Over time</h2>
<noscript><p class="empty">The charts need JavaScript; the tables below carry the same figures.</p></noscript>
<h3>Arrivals</h3>
<div class="chart-grid wide">${byKind('arrivals')}</div>
<h3>Latency per endpoint</h3>
<p class="muted">Request duration percentiles per second; corrected p99 counts from each arrival's intended start, as a user waited.</p>
<div class="chart-grid">${byKind('latency')}</div>
<h3>Failures</h3>
<div class="chart-grid wide">${byKind('failures')}</div>
</section>`;
}

function thresholdRow(summary: LoadSummary, th: ThresholdResult): string {
  return `<tr class="${th.ok ? 'ok' : 'breached'}">${cell(th.metric)}<td><code>${e(th.expression)}</code></td>${num(formatThresholdActual(summary, th))}<td>${th.ok ? badge('ok', 'good') : badge('breached', 'bad')}</td><td>${th.abortOnFail ? 'yes' : 'no'}</td></tr>`;
}

function thresholdsSection(summary: LoadSummary): string {
  const rows = summary.puppilot.thresholds.map((th) => thresholdRow(summary, th));
  return `<section id="thresholds"><h2>Thresholds</h2>${table(
    'thresholds',
    '<tr><th>metric</th><th>expression</th><th class="num">actual</th><th>result</th><th>abortOnFail</th></tr>',
    rows,
    'No threshold was defined for this run.',
  )}</section>`;
}

function endpointsSection(summary: LoadSummary): string {
  const rows = Object.entries(summary.puppilot.endpoints).map(([name, d]) => {
    const stats = (t: typeof d.duration) => [t.med, t['p(95)'], t['p(99)'], t.max].map((v) => num(formatNumber(v))).join('');
    return `<tr data-endpoint="${e(name)}">${cell(name)}${num(formatCount(d.requests))}<td class="num${d.failed > 0 ? ' bad' : ''}">${e(formatCount(d.failed))}</td><td class="num${d.contractFailures > 0 ? ' bad' : ''}">${e(formatCount(d.contractFailures))}</td><td class="small">${e(formatCounts(d.statuses))}</td><td class="small">${e(formatCounts(d.errors))}</td>${stats(d.duration)}${stats(d.corrected)}</tr>`;
  });
  const totals = endpointTotals(summary);
  const head = `<tr><th rowspan="2">endpoint</th><th rowspan="2" class="num">requests</th><th rowspan="2" class="num">failed</th><th rowspan="2" class="num">contract failures</th><th rowspan="2">statuses</th><th rowspan="2">transport errors</th><th colspan="4" class="group">duration (ms)</th><th colspan="4" class="group">corrected (ms)</th></tr>
<tr><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr>`;
  return `<section id="endpoints"><h2>Endpoints</h2><p class="muted">${e(formatCount(totals.requests))} requests, ${e(formatCount(totals.failed))} failed, ${e(formatCount(totals.contractFailures))} contract failures.</p>${table('endpoints', head, rows, 'No request was made.')}</section>`;
}

function windowRow(w: WindowFigures, capacityStep: string | null | undefined): string {
  const knee = capacityStep !== undefined && capacityStep !== null && w.label === capacityStep;
  const result = w.thresholdsHeld ? badge('held', 'good') : `${badge('breached', 'bad')}${w.breached.length ? `<div class="small">${w.breached.map(e).join('<br>')}</div>` : ''}`;
  return `<tr class="${w.thresholdsHeld ? 'ok' : 'breached'}${knee ? ' knee' : ''}">${cell(w.label)}${num(`${formatNumber(w.startS)}–${formatNumber(w.endS)} s`)}${num(formatNumber(w.targetRate))}${num(formatNumber(w.offeredRate))}${num(formatNumber(w.requestRate))}${num(formatNumber(w.p95Ms))}${num(formatNumber(w.p99Ms))}${num(formatFraction(w.failedRate))}${num(formatCount(w.dropped))}<td>${result}</td></tr>`;
}

function windowsSection(summary: LoadSummary): string {
  const run = summary.puppilot;
  if (run.windows.length === 0 && !run.capacity && !run.drift) return '';
  const lines: string[] = [];
  if (run.capacity) {
    lines.push(`<p class="capacity${run.capacity.rate === null ? ' bad' : ''}" id="capacity"><strong>Capacity:</strong> ${e(describeCapacity(run.capacity))}.</p>`);
  }
  if (run.drift) {
    const d = run.drift;
    lines.push(
      `<p class="drift" id="drift"><strong>Drift:</strong> p95 ${e(formatMs(d.p95FirstMs))} in the first window, ${e(formatMs(d.p95LastMs))} in the last (${e(formatChangePct(d.p95ChangePct))}); failed ${e(formatFraction(d.failedRateFirst))} → ${e(formatFraction(d.failedRateLast))}.</p>`,
    );
  }
  const head =
    '<tr><th>window</th><th class="num">seconds</th><th class="num">target /s</th><th class="num">offered /s</th><th class="num">achieved req/s</th><th class="num">p95 ms</th><th class="num">p99 ms</th><th class="num">failed</th><th class="num">dropped</th><th>thresholds</th></tr>';
  const title = run.capacity ? 'Stress steps' : run.drift ? 'Soak slices' : 'Windows';
  return `<section id="windows"><h2>${title}</h2>${lines.join('\n')}${table('windows', head, run.windows.map((w) => windowRow(w, run.capacity?.step)), 'No window was judged on its own.')}</section>`;
}

function degradationSection(summary: LoadSummary): string {
  const d = summary.puppilot.degradation;
  if (!d) return '';
  const rows = d.endpoints.map(
    (c) =>
      `<tr class="${c.degraded ? 'breached' : 'ok'}">${cell(c.endpoint ?? 'all')}${num(formatCount(c.firstRequests))}${num(formatMs(c.firstP95Ms))}${num(formatCount(c.lastRequests))}${num(formatMs(c.lastP95Ms))}${num(formatChangePct(c.changePct))}<td>${c.degraded ? badge('degraded', 'bad') : c.firstP95Ms === null || c.lastP95Ms === null || Math.min(c.firstRequests, c.lastRequests) < 20 ? e('too few requests') : badge('ok', 'good')}</td></tr>`,
  );
  const intro = `The last third (${e(formatNumber(d.lastThird.startS))}–${e(formatNumber(d.lastThird.endS))} s) against the first (${e(formatNumber(d.firstThird.startS))}–${e(formatNumber(d.firstThird.endS))} s): an endpoint degraded when its p95 grew beyond ${e(formatNumber(d.factor))}× + ${e(formatMs(d.marginMs))}. ${d.degraded ? badge('degraded', 'bad') : badge('no degradation', 'good')}`;
  return `<section id="degradation"><h2>Degradation</h2><p>${intro}</p>${table(
    'degradation',
    '<tr><th>endpoint</th><th class="num">first third reqs</th><th class="num">p95</th><th class="num">last third reqs</th><th class="num">p95</th><th class="num">change</th><th>result</th></tr>',
    rows,
    'No request to compare.',
  )}</section>`;
}

function baselineSection(summary: LoadSummary): string {
  const b = summary.puppilot.baseline;
  if (!b) return '';
  const rows = baselineRows(b).map((cells, i) => {
    const regressed = b.comparisons[i]!.regressed;
    const [figure, base, current, change, result] = cells as [string, string, string, string, string];
    return `<tr class="${regressed ? 'breached' : 'ok'}">${cell(figure)}${num(base)}${num(current)}${num(change)}<td>${regressed ? badge('regressed', 'bad') : result === 'ok' ? badge('ok', 'good') : e(result)}</td></tr>`;
  });
  const intro = `Against <code>${e(b.source)}</code> (started ${e(formatInstant(b.baselineStartedAt))}); a figure regresses when it is more than ${e(formatNumber(b.allowedPct))} % worse. ${b.regressed ? badge('regressed', 'bad') : badge('no regression', 'good')}`;
  return `<section id="baseline"><h2>Baseline</h2><p>${intro}</p>${table(
    'baseline',
    '<tr><th>figure</th><th class="num">baseline</th><th class="num">current</th><th class="num">change</th><th>result</th></tr>',
    rows,
    'Nothing to compare.',
  )}</section>`;
}

function invariantsSection(summary: LoadSummary): string {
  const i = summary.puppilot.invariants;
  const rows: [string, string, boolean][] = [
    ['tokens tracked for uniqueness', `${formatCount(i.tokensTracked)} (limit ${formatCount(i.tokenLimit)})`, true],
    ['duplicate tokens', formatCount(i.duplicateTokens), i.duplicateTokens === 0],
    ['refresh answered for another user', formatCount(i.refreshUserMismatches), i.refreshUserMismatches === 0],
    ['reuse probes (sent / refused / accepted)', `${formatCount(i.reuseProbes.sent)} / ${formatCount(i.reuseProbes.refused)} / ${formatCount(i.reuseProbes.accepted)}`, i.reuseProbes.accepted === 0],
  ];
  return `<section id="invariants"><h2>Invariants</h2>${table(
    'invariants',
    '<tr><th>invariant</th><th class="num">value</th><th>result</th></tr>',
    rows.map(([name, value, ok]) => `<tr class="${ok ? 'ok' : 'breached'}">${cell(name)}${num(value)}<td>${ok ? badge('ok', 'good') : badge('broken', 'bad')}</td></tr>`),
    '',
  )}</section>`;
}

function contractSamplesSection(summary: LoadSummary): string {
  const samples = summary.puppilot.contractFailureSamples;
  const rows = samples.map((s) => `<tr>${cell(s.endpoint)}${num(s.status === null ? MISSING : String(s.status))}<td>${reasonList(s.problems, 'problems')}</td></tr>`);
  return `<section id="contract-failures"><h2>Contract failure samples</h2>${table(
    'contract-samples',
    '<tr><th>endpoint</th><th class="num">status</th><th>problems</th></tr>',
    rows,
    'No response broke the contract.',
  )}</section>`;
}

function checksSection(summary: LoadSummary): string {
  const rows = Object.entries(summary.puppilot.checks).map(([name, c]) => {
    const total = c.passes + c.fails;
    return `<tr class="${c.fails === 0 ? 'ok' : 'breached'}">${cell(name)}${num(formatCount(c.passes))}<td class="num${c.fails > 0 ? ' bad' : ''}">${e(formatCount(c.fails))}</td>${num(formatFraction(total ? c.passes / total : null))}</tr>`;
  });
  return `<section id="checks"><h2>Checks</h2>${table(
    'checks',
    '<tr><th>check</th><th class="num">passes</th><th class="num">fails</th><th class="num">pass rate</th></tr>',
    rows,
    'No check was made.',
  )}</section>`;
}

/** This page's own styles, after BASE_CSS. */
const STYLE = `
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e5e7eb; }
h3 { font-size: 14px; margin: 16px 0 6px; color: #374151; }
.description { margin: 0 0 12px; color: #4b5563; }
.muted, .empty { color: #6b7280; } .empty { font-style: italic; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 6px 18px; margin: 0 0 14px; }
.facts div { display: flex; gap: 8px; } .facts dt { color: #6b7280; min-width: 104px; } .facts dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.verdicts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 820px) { .verdicts { grid-template-columns: 1fr; } }
.verdict { background: #fff; border: 1px solid #e5e7eb; border-left: 5px solid #9ca3af; border-radius: 6px; padding: 8px 14px; }
.verdict.tone-good { border-left-color: #16a34a; } .verdict.tone-bad { border-left-color: #dc2626; } .verdict.tone-warn { border-left-color: #d97706; }
.verdict h2 { border: 0; margin: 4px 0 6px; padding: 0; font-size: 15px; } .verdict p { margin: 4px 0; }
.reasons { margin: 4px 0; padding-left: 20px; } .reasons li { overflow-wrap: anywhere; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
.chart-grid.wide { grid-template-columns: 1fr; }
.table-wrap { overflow-x: auto; }
th { background: #f3f4f6; font-weight: 600; white-space: nowrap; } th.group { text-align: center; border-left: 1px solid #e5e7eb; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.small, div.small { font-size: 12px; color: #4b5563; }
tr.breached td:first-child { box-shadow: inset 3px 0 #dc2626; } tr.knee td { background: #f0fdf4; }
.problems { margin: 0; padding-left: 18px; }
.capacity, .drift { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px 12px; }
`;

export function renderRunReport(summary: LoadSummary): string {
  const run = summary.puppilot;
  const specs = chartSpecs(summary);
  const data = { scenario: run.scenario, charts: specs };
  return `${documentStart({
    title: `Load run ${run.scenario}: ${verdictWord(run.verdict.status)} (${formatInstant(run.startedAt)})`,
    generator: 'load/report/html.ts',
    styles: [chartAssets().stylesheet, BASE_CSS, STYLE],
  })}<main>
${header(summary)}
${chartsSection(specs)}
${thresholdsSection(summary)}
${endpointsSection(summary)}
${windowsSection(summary)}
${degradationSection(summary)}
${baselineSection(summary)}
${invariantsSection(summary)}
${contractSamplesSection(summary)}
${checksSection(summary)}
<footer>One self-contained file: the charts are drawn from the data inside it, with uPlot inline; it makes no request. The full figures are in <code>summary.json</code> beside it.</footer>
</main>
${chartScripts('report-data', data, CHART_SCRIPT)}</body>
</html>
`;
}
