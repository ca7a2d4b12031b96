/**
 * What the run report charts, as data: one spec per chart with its series and their values
 * per second, in the column layout uPlot takes (`data[0]` the seconds, then one array per
 * series). The page embeds these specs as JSON and a few lines of script hand them to uPlot
 * (chart-script.ts); nothing here knows about HTML.
 */
import type { LoadSummary } from '../engine/summary-types.ts';

export interface ChartSeries {
  label: string;
  color: string;
  /** Canvas line dash, e.g. [6, 4]; solid when absent. */
  dash?: number[];
  /** Fill under the line (a translucent colour), for counts such as dropped arrivals. */
  fill?: string;
}

export interface ChartSpec {
  /** The element id of the chart's figure: chart-arrivals, chart-latency-1…, chart-failures. */
  id: string;
  kind: 'arrivals' | 'latency' | 'failures';
  /** The endpoint a latency chart is about. */
  endpoint?: string;
  title: string;
  /** Said to assistive technology and used as the figure's aria-label. */
  description: string;
  unit: string;
  series: ChartSeries[];
  /** `[seconds, ...one array per series]`, every array as long as the seconds; null is a gap. */
  data: (number | null)[][];
}

export const COLORS = {
  target: '#6b7280',
  offered: '#2563eb',
  started: '#16a34a',
  dropped: '#dc2626',
  p50: '#16a34a',
  p95: '#d97706',
  p99: '#dc2626',
  corrected: '#7c3aed',
  failed: '#dc2626',
  contract: '#7c3aed',
} as const;

/** An array as long as the seconds: what is missing becomes null, never zero. */
function column(values: readonly (number | null)[] | undefined, length: number): (number | null)[] {
  return Array.from({ length }, (_, i) => {
    const v = values?.[i];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
}

export function chartSpecs(summary: LoadSummary): ChartSpec[] {
  const ts = summary.puppilot.timeseries;
  const n = ts.t.length;
  const seconds = column(ts.t, n);
  const specs: ChartSpec[] = [];

  specs.push({
    id: 'chart-arrivals',
    kind: 'arrivals',
    title: 'Arrival rate',
    description: 'Target, offered and started arrivals and dropped arrivals per second of the run',
    unit: 'arrivals/s',
    series: [
      { label: 'target', color: COLORS.target, dash: [6, 4] },
      { label: 'offered', color: COLORS.offered },
      { label: 'started', color: COLORS.started },
      { label: 'dropped', color: COLORS.dropped, fill: 'rgba(220, 38, 38, 0.15)' },
    ],
    data: [seconds, column(ts.targetRate, n), column(ts.offered, n), column(ts.started, n), column(ts.dropped, n)],
  });

  const endpoints = Object.keys(summary.puppilot.endpoints);
  for (const name of Object.keys(ts.p95)) if (!endpoints.includes(name)) endpoints.push(name);
  endpoints.forEach((endpoint, i) => {
    specs.push({
      id: `chart-latency-${i + 1}`,
      kind: 'latency',
      endpoint,
      title: `Latency: ${endpoint}`,
      description: `p50, p95 and p99 request duration and corrected p99 of ${endpoint} per second of the run, in milliseconds`,
      unit: 'ms',
      series: [
        { label: 'p50', color: COLORS.p50 },
        { label: 'p95', color: COLORS.p95 },
        { label: 'p99', color: COLORS.p99 },
        { label: 'p99 corrected', color: COLORS.corrected, dash: [5, 3] },
      ],
      data: [seconds, column(ts.p50[endpoint], n), column(ts.p95[endpoint], n), column(ts.p99[endpoint], n), column(ts.correctedP99[endpoint], n)],
    });
  });

  specs.push({
    id: 'chart-failures',
    kind: 'failures',
    title: 'Failures',
    description: 'Failed requests and contract failures per second of the run',
    unit: 'per second',
    series: [
      { label: 'failed requests', color: COLORS.failed, fill: 'rgba(220, 38, 38, 0.12)' },
      { label: 'contract failures', color: COLORS.contract },
    ],
    data: [seconds, column(ts.failed, n), column(ts.contractFailures, n)],
  });
  return specs;
}
