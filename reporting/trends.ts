/**
 * What the reports page charts, as data: per scenario, the stored runs in time order and two
 * charts in uPlot's column layout (`data[0]` the runs' start times in seconds, then one array
 * per series; null is a gap): p95 and p99 per endpoint, and the achieved throughput with, for
 * a stress run, its capacity. The page embeds these as JSON and trends-script.ts draws them.
 */
import { href } from './page.ts';
import type { LoadRun, RunVerdict } from './load-runs.ts';

export interface TrendSeries {
  label: string;
  color: string;
  dash?: number[];
  /** The y scale: `y` (left axis) or `capacity` (right axis). */
  scale: 'y' | 'capacity';
}

export interface TrendChart {
  /** The element id of the chart's figure. */
  id: string;
  kind: 'latency' | 'throughput';
  title: string;
  unit: string;
  /** The right axis' unit, when a series uses it. */
  unit2?: string;
  series: TrendSeries[];
  data: (number | null)[][];
}

export interface TrendRun {
  id: string;
  /** Seconds since the epoch (uPlot's time unit). */
  t: number;
  verdict: RunVerdict['status'];
  /** Relative link opened when the run's point is clicked: its report.html, else its summary. */
  href: string;
}

export interface ScenarioTrend {
  scenario: string;
  /** The scenario's runs, oldest first, one per x value. */
  runs: TrendRun[];
  charts: TrendChart[];
}

const ENDPOINT_COLORS = ['#2563eb', '#d97706', '#16a34a', '#9333ea', '#0891b2', '#be185d', '#4d7c0f', '#dc2626'];
export const THROUGHPUT_COLOR = '#2563eb';
export const CAPACITY_COLOR = '#ea580c';
export const VERDICT_COLORS: Record<RunVerdict['status'], string> = {
  passed: '#16a34a',
  failed: '#dc2626',
  aborted: '#dc2626',
  invalid: '#d97706',
  interrupted: '#d97706',
  unknown: '#9ca3af',
};

/** A run's own page when it has one, else its summary. */
export const runLink = (run: LoadRun) => href('load', run.id, run.report ?? 'summary.json');

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
const value = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The scenarios of `runs` (oldest first), each with its charts. */
export function scenarioTrends(runs: LoadRun[]): ScenarioTrend[] {
  const scenarios = [...new Set(runs.map((r) => r.scenario))].sort();
  return scenarios.map((scenario, index) => {
    const own = runs.filter((r) => r.scenario === scenario).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    const x = own.map((r) => r.startedAt.getTime() / 1000);
    const endpoints = [...new Set(own.flatMap((r) => [...Object.keys(r.endpointP95Ms), ...Object.keys(r.endpointP99Ms)]))];
    const latencySeries: TrendSeries[] = [];
    const latencyData: (number | null)[][] = [x];
    if (endpoints.length === 0) {
      // A plain summary without endpoint submetrics: all requests together.
      latencySeries.push({ label: 'p95 all requests', color: ENDPOINT_COLORS[0]!, scale: 'y' }, { label: 'p99 all requests', color: ENDPOINT_COLORS[0]!, dash: [6, 4], scale: 'y' });
      latencyData.push(own.map((r) => value(r.p95Ms)), own.map((r) => value(r.p99Ms)));
    }
    endpoints.forEach((endpoint, i) => {
      const color = ENDPOINT_COLORS[i % ENDPOINT_COLORS.length]!;
      latencySeries.push({ label: `p95 ${endpoint}`, color, scale: 'y' }, { label: `p99 ${endpoint}`, color, dash: [6, 4], scale: 'y' });
      latencyData.push(own.map((r) => value(r.endpointP95Ms[endpoint])), own.map((r) => value(r.endpointP99Ms[endpoint])));
    });
    const throughputSeries: TrendSeries[] = [{ label: 'achieved req/s', color: THROUGHPUT_COLOR, scale: 'y' }];
    const throughputData: (number | null)[][] = [x, own.map((r) => value(r.throughputRps))];
    const hasCapacity = own.some((r) => r.capacity !== undefined);
    if (hasCapacity) {
      throughputSeries.push({ label: 'capacity arrivals/s', color: CAPACITY_COLOR, scale: 'capacity' });
      throughputData.push(own.map((r) => (r.capacity?.rate === null ? null : value(r.capacity?.rate))));
    }
    const id = `trend-${index + 1}-${slug(scenario)}`;
    return {
      scenario,
      runs: own.map((r) => ({ id: r.id, t: r.startedAt.getTime() / 1000, verdict: r.verdict.status, href: runLink(r) })),
      charts: [
        { id: `${id}-latency`, kind: 'latency', title: `${scenario}: p95 and p99 per endpoint`, unit: 'ms', series: latencySeries, data: latencyData },
        {
          id: `${id}-throughput`,
          kind: 'throughput',
          title: hasCapacity ? `${scenario}: achieved throughput and capacity` : `${scenario}: achieved throughput`,
          unit: 'req/s',
          ...(hasCapacity ? { unit2: 'arrivals/s' } : {}),
          series: throughputSeries,
          data: throughputData,
        },
      ],
    };
  });
}
