/**
 * A trend chart as inline SVG: one line per scenario, one point per run, runs spaced
 * evenly in time order along the x axis (like a CI build history), the y axis from zero.
 * Static markup, no script and no network: the page renders the same in a browser, in a
 * CI artifact viewer, or in an archive opened years later.
 *
 * Every point carries `data-run`, `data-scenario` and `data-value` so a test (and a
 * curious reader's devtools) can tie what is drawn to the run it came from.
 */
import { escapeHtml } from './html.ts';

export interface TrendPoint {
  runId: string;
  scenario: string;
  at: Date;
  value: number;
  /** Drawn with a dark ring and named in the tooltip, e.g. a run whose thresholds failed. */
  flagged?: boolean;
}

export interface TrendChartOptions {
  /** Stable id, used for `data-chart` and element ids. */
  id: string;
  title: string;
  unit: string;
  /** Points in run order (oldest first); a run may be missing from a chart. */
  points: TrendPoint[];
  /** Every run's x slot, oldest first, so that both charts line up run for run. */
  runOrder: string[];
  /** Scenario → colour, shared by both charts and the legend. */
  colors: Map<string, string>;
}

const WIDTH = 880;
const HEIGHT = 250;
const MARGIN = { top: 34, right: 20, bottom: 48, left: 70 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const MAX_X_LABELS = 12;

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d'];

/** A colour per scenario, stable for a given set of names. */
export function scenarioColors(scenarios: Iterable<string>): Map<string, string> {
  const names = [...new Set(scenarios)].sort();
  return new Map(names.map((name, i) => [name, PALETTE[i % PALETTE.length]!]));
}

/** A tick step of 1, 2 or 5 × 10ⁿ that splits [0, max] into about four parts. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  return step;
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const shortDate = (d: Date) => d.toISOString().slice(5, 16).replace('T', ' ');

export function trendChart(options: TrendChartOptions): string {
  const { id, title, unit, points, runOrder, colors } = options;
  const slots = new Map(runOrder.map((run, i) => [run, i] as const));
  const max = Math.max(0, ...points.map((p) => p.value));
  const step = niceStep(max);
  const yMax = Math.max(step, Math.ceil(max / step) * step);
  const x = (runId: string) => MARGIN.left + ((slots.get(runId)! + 0.5) * PLOT_W) / Math.max(1, runOrder.length);
  const y = (value: number) => MARGIN.top + PLOT_H * (1 - value / yMax);
  const r = (n: number) => n.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg class="trend" data-chart="${escapeHtml(id)}" role="img" aria-labelledby="${escapeHtml(id)}-title" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${escapeHtml(id)}-title">${escapeHtml(`${title} (${unit}) per load run`)}</title>`,
    `<text class="chart-title" x="${MARGIN.left}" y="20">${escapeHtml(title)} <tspan class="unit">(${escapeHtml(unit)})</tspan></text>`,
  );

  // Horizontal grid and y labels.
  for (let tick = 0; tick <= yMax + step / 2; tick += step) {
    const ty = r(y(tick));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}"/>`,
      `<text class="y-label" x="${MARGIN.left - 8}" y="${ty}" dy="4" text-anchor="end">${formatNumber(tick)}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}"/>`);

  // X labels: the run's start time, thinned out when there are many runs.
  const every = Math.ceil(runOrder.length / MAX_X_LABELS);
  const startOf = new Map(points.map((p) => [p.runId, p.at] as const));
  runOrder.forEach((runId, i) => {
    const at = startOf.get(runId);
    if (i % every !== 0 || !at) return;
    parts.push(`<text class="x-label" x="${r(x(runId))}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${escapeHtml(shortDate(at))}</text>`);
  });
  parts.push(`<text class="x-caption" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 8}" text-anchor="middle">run start (UTC), oldest left</text>`);

  // One line and its points per scenario.
  for (const [scenario, color] of colors) {
    const own = points.filter((p) => p.scenario === scenario);
    if (own.length === 0) continue;
    if (own.length > 1) {
      const path = own.map((p) => `${r(x(p.runId))},${r(y(p.value))}`).join(' ');
      parts.push(`<polyline class="series" data-scenario="${escapeHtml(scenario)}" points="${path}" stroke="${color}"/>`);
    }
    for (const p of own) {
      const label = `${scenario} · ${shortDate(p.at)} UTC · ${formatNumber(p.value)} ${unit}${p.flagged ? ' · thresholds breached' : ''}`;
      parts.push(
        `<circle class="point${p.flagged ? ' breached' : ''}" data-run="${escapeHtml(p.runId)}" data-scenario="${escapeHtml(scenario)}" data-value="${p.value}" cx="${r(x(p.runId))}" cy="${r(y(p.value))}" r="4.5" fill="${color}"><title>${escapeHtml(label)}</title></circle>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
