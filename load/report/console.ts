/**
 * The end-of-test summary a load run prints on the terminal, k6-like and compact: the
 * verdict first (and why), then what ran against what, whether the run is valid, a table
 * per endpoint, the thresholds, the capacity (stress) or drift (soak), and the baseline.
 * ANSI colour only when asked for; without it the text has no escape code at all.
 */
import { formatInstant, formatNumber } from '../../reporting/page.ts';
import type { LoadSummary, VerdictStatus } from '../engine/summary-types.ts';
import { renderBaselineTable, textTable } from './baseline.ts';
import {
  describeBalance,
  describeCapacity,
  describeSchedule,
  formatMemory,
  formatChangePct,
  formatCount,
  formatDuration,
  formatFraction,
  formatMs,
  formatThresholdActual,
  runDurationMs,
  verdictWord,
} from './format.ts';

export interface ConsoleOptions {
  color: boolean;
}

type Paint = (text: string) => string;

function palette(color: boolean): { green: Paint; red: Paint; yellow: Paint; bold: Paint; dim: Paint } {
  const sgr = (open: number, close: number): Paint => (color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return { green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
}

/** Control characters from a run's names would move the cursor or recolour the terminal. */
const plain = (text: string): string => text.replace(/[\u0000-\u001F\u007F-\u009F]+/g, ' ');

const VERDICT_MARK: Record<VerdictStatus, string> = { passed: '✓', failed: '✗', invalid: '!', interrupted: '■', aborted: '✗' };

export function renderConsoleSummary(summary: LoadSummary, options: ConsoleOptions): string {
  const c = palette(options.color);
  const run = summary.puppilot;
  const status = run.verdict.status;
  const tone = status === 'passed' ? c.green : status === 'invalid' || status === 'interrupted' ? c.yellow : c.red;
  const out: string[] = [];

  out.push(`  ${tone(c.bold(`${VERDICT_MARK[status]} ${verdictWord(status)}`))}  ${plain(run.scenario)} against ${plain(run.target.origin)} (${run.target.kind})`);
  for (const reason of run.verdict.reasons) out.push(`    ${tone('-')} ${plain(reason)}`);
  out.push('');

  const e = run.config.executor;
  const durationMs = runDurationMs(summary);
  const segment = run.config.segment ? `segment ${run.config.segment.index + 1}/${run.config.segment.count}` : 'whole run (no segment)';
  out.push(`  scenario ....: ${plain(run.scenario)}${run.description ? c.dim(` — ${plain(run.description)}`) : ''}`);
  out.push(`  started .....: ${formatInstant(run.startedAt)}, ran ${formatDuration(durationMs)}${run.interrupted ? c.yellow(' (interrupted)') : ''}`);
  out.push(`  executor ....: ${e.executor}, ${describeSchedule(summary)}, maxVUs ${formatCount(e.maxVUs)}`);
  out.push(`  workers .....: ${run.config.workers}, ${segment}`);

  const v = run.validity;
  const ratio = v.targetRate > 0 ? v.offeredRate / v.targetRate : null;
  const validWord = v.valid ? c.green('valid') : c.yellow('INVALID');
  out.push(
    `  validity ....: ${validWord}: target ${formatNumber(v.targetRate)}/s, offered ${formatNumber(v.offeredRate)}/s (${formatFraction(ratio)}), started ${formatNumber(v.startedRate)}/s, lag p99 ${formatMs(v.lagMs.p99)}`,
  );
  for (const reason of v.reasons) out.push(`    ${c.yellow('-')} ${plain(reason)}`);
  const balance = describeBalance(summary);
  if (balance) out.push(`  arrivals ....: ${balance}`);
  if (run.contractCoverage) {
    const cc = run.contractCoverage;
    out.push(`  contract ....: checked ${formatCount(cc.checked)} of ${formatCount(cc.responses)} responses${cc.sample < 1 ? ` (a declared sample: LOAD_CHECK_SAMPLE ${formatNumber(cc.sample)})` : ''}`);
  }
  if (run.memory) out.push(`  memory ......: peak ${formatMemory(run.memory.peakRssBytes)} resident (the generator process)`);
  out.push('');

  const seconds = durationMs && durationMs > 0 ? durationMs / 1000 : null;
  const rows = Object.entries(run.endpoints).map(([name, d]) => [
    plain(name),
    formatCount(d.requests),
    seconds ? formatNumber(d.requests / seconds) : '–',
    formatCount(d.failed),
    formatCount(d.contractFailures),
    formatMs(d.duration.med),
    formatMs(d.duration['p(95)']),
    formatMs(d.duration['p(99)']),
    formatMs(d.corrected['p(99)']),
  ]);
  const header = ['endpoint', 'reqs', 'req/s', 'failed', 'contract', 'p50', 'p95', 'p99', 'p99 corrected'];
  out.push(indent(textTable(header, rows, (i) => i > 0)));
  out.push('');

  if (run.thresholds.length > 0) {
    out.push('  thresholds');
    for (const th of run.thresholds) {
      const mark = th.ok ? c.green('✓') : c.red('✗');
      const abort = th.abortOnFail ? c.dim(' (abortOnFail)') : '';
      out.push(`    ${mark} ${plain(th.metric)}: ${plain(th.expression)}  actual ${formatThresholdActual(summary, th)}${abort}`);
    }
    out.push('');
  }

  if (run.capacity) {
    const cap = run.capacity;
    const words = plain(describeCapacity(cap));
    out.push(`  capacity ....: ${cap.rate === null ? c.red(words) : cap.failedRate === null ? c.yellow(words) : c.bold(words)}`);
  }
  if (run.drift) {
    const d = run.drift;
    out.push(`  drift .......: p95 ${formatMs(d.p95FirstMs)} → ${formatMs(d.p95LastMs)} (${formatChangePct(d.p95ChangePct)}), failed ${formatFraction(d.failedRateFirst)} → ${formatFraction(d.failedRateLast)}`);
  }
  if (run.degradation) {
    const d = run.degradation;
    const judged = d.endpoints.filter((x) => x.firstP95Ms !== null && x.lastP95Ms !== null);
    const word = d.degraded ? c.red('DEGRADED') : 'none';
    const detail = judged.map((x) => `${plain(x.endpoint ?? 'all')} ${formatMs(x.firstP95Ms)} → ${formatMs(x.lastP95Ms)}${x.degraded ? c.red(' (degraded)') : ''}`).join(', ');
    out.push(`  degradation : ${word}: p95, last third against the first (allowed ${formatNumber(d.factor)}× + ${formatMs(d.marginMs)})${detail ? `: ${detail}` : ''}`);
  }
  if (run.capacity || run.drift || run.degradation) out.push('');

  if (run.baseline) {
    const b = run.baseline;
    const word = b.regressed ? c.red('REGRESSED') : c.green('no regression');
    out.push(`  baseline ....: ${word} against ${plain(b.source)} (started ${formatInstant(b.baselineStartedAt)}), allowed ${formatNumber(b.allowedPct)} % worse`);
    const table = renderBaselineTable(b)
      .split('\n')
      .map((line) => plain(line).replace(/REGRESSED$/, c.red('REGRESSED')))
      .join('\n');
    out.push(indent(table, 4));
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const indent = (text: string, by = 2) =>
  text
    .split('\n')
    .map((line) => ' '.repeat(by) + line)
    .join('\n');
