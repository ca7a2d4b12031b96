/**
 * The run's outputs (k6's `--out`): observers of the run, each given the interval entries
 * and the end result; the engine does not know them. At the end each reports one line for
 * the console and its member of `puppilot.outputs` in summary.json.
 */
import type { LoadSummary } from '../engine/summary-types.ts';
import type { Output } from './entries.ts';
import { CsvOutput, JsonOutput } from './files.ts';
import { PrometheusOutput, type PrometheusContext } from './prometheus.ts';
import type { OutputSpec } from './spec.ts';

export { parseOutputs, type OutputSpec } from './spec.ts';
export type { Output } from './entries.ts';

export function createOutputs(specs: readonly OutputSpec[], context: PrometheusContext): Output[] {
  return specs.map((spec) => {
    switch (spec.kind) {
      case 'json':
        return new JsonOutput(spec.file, spec.gzip);
      case 'csv':
        return new CsvOutput(spec.file, spec.gzip);
      case 'prometheus-rw':
        return new PrometheusOutput(spec.settings, context);
    }
  });
}

/** summary.json's `puppilot.outputs`: what each output did, keyed by its kind. */
export type OutputsDetails = Record<string, Record<string, unknown>>;

/** Adds the outputs' reports to the summary (before it is written) and returns the console lines. */
export function attachOutputReports(summary: LoadSummary, outputs: readonly Output[]): string[] {
  if (outputs.length === 0) return [];
  const details: OutputsDetails = {};
  const lines: string[] = [];
  for (const output of outputs) {
    const report = output.report();
    lines.push(`output: ${report.line}`);
    const key = details[output.name] ? `${output.name}:${Object.keys(details).filter((k) => k.startsWith(output.name)).length}` : output.name;
    details[key] = report.details;
  }
  (summary.puppilot as typeof summary.puppilot & { outputs?: OutputsDetails }).outputs = details;
  return lines;
}
