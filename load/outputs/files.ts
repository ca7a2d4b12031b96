/**
 * `--out json=<file>` and `--out csv=<file>`: k6's JSON lines and CSV outputs, written as
 * the run goes (a name ending in `.gz` is gzipped with Node's zlib). Samples come from the
 * interval entries as points.ts describes.
 *
 * JSON: a `{"type":"Metric",…}` line when a metric first appears, then one
 * `{"type":"Point","data":{"time","value","tags"},"metric"}` line per sample.
 * CSV: k6's columns; the tags k6 has a column for (`check`, `error`, `status`,
 * `scenario`) go there, the others (`endpoint`, `reason`) into `extra_tags` as
 * `name=value&name=value`; `timestamp` is Unix seconds.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import type { RunHeader } from '../engine/interval-log.ts';
import { METRICS, type MetricName } from '../engine/registry.ts';
import type { IntervalEntry } from '../engine/series.ts';
import { EntryOutput, presentTags, secondStartMs, type OutputReport } from './entries.ts';
import { pointsOf } from './points.ts';

export const CSV_COLUMNS = [
  'metric_name',
  'timestamp',
  'metric_value',
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
  'extra_tags',
  'metadata',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

abstract class FileOutput extends EntryOutput {
  private stream: WriteStream | undefined;
  private gzip: Gzip | undefined;
  private failure: string | undefined;
  protected samples = 0;

  constructor(
    readonly file: string,
    private readonly compress: boolean,
  ) {
    super();
  }

  protected begin(header: RunHeader): void {
    this.stream = createWriteStream(this.file);
    this.stream.on('error', (error) => (this.failure ??= error.message.split('\n')[0]));
    if (this.compress) {
      this.gzip = createGzip();
      this.gzip.on('error', (error) => (this.failure ??= error.message.split('\n')[0]));
      this.gzip.pipe(this.stream);
    }
    const first = this.opening(header);
    if (first) this.write(first);
  }

  protected write(text: string): void {
    if (this.failure) return;
    (this.gzip ?? this.stream)?.write(text);
  }

  protected entry(entry: IntervalEntry): void {
    if (!this.header) return;
    const text = this.lines(entry, secondStartMs(this.header, entry.second));
    if (text) this.write(text);
  }

  protected async finish(): Promise<void> {
    const sink = this.gzip ?? this.stream;
    if (!sink || !this.stream) return;
    const closed = once(this.stream, 'close').catch(() => undefined);
    sink.end();
    await closed;
  }

  report(): OutputReport {
    return {
      line: this.failure ? `${this.name} ${this.file}: not written completely: ${this.failure}` : `${this.name} ${this.file}: ${this.samples} samples`,
      details: { file: this.file, samples: this.samples, ...(this.failure ? { error: this.failure } : {}) },
    };
  }

  protected opening(_header: RunHeader): string | undefined {
    return undefined;
  }

  protected abstract lines(entry: IntervalEntry, timeMs: number): string;
}

export class JsonOutput extends FileOutput {
  readonly name = 'json';
  private readonly declared = new Set<MetricName>();

  protected lines(entry: IntervalEntry, timeMs: number): string {
    let text = '';
    if (!this.declared.has(entry.metric)) {
      this.declared.add(entry.metric);
      const info = METRICS[entry.metric];
      const thresholds = Object.entries(this.header?.config.thresholds ?? {})
        .filter(([key]) => key.replace(/\{.*$/, '') === entry.metric)
        .flatMap(([, list]) => list);
      text += `${JSON.stringify({ type: 'Metric', data: { name: entry.metric, type: info.type, contains: info.contains, thresholds, submetrics: null }, metric: entry.metric })}\n`;
    }
    const time = new Date(timeMs).toISOString();
    const tags = { ...presentTags(entry), scenario: this.header!.scenario };
    for (const point of pointsOf(entry)) {
      text += `${JSON.stringify({ type: 'Point', data: { time, value: point.value, tags }, metric: point.metric })}\n`.repeat(point.repeat);
      this.samples += point.repeat;
    }
    return text;
  }
}

const CSV_TAG_COLUMNS = new Set(['check', 'error', 'status']);

export class CsvOutput extends FileOutput {
  readonly name = 'csv';

  protected override opening(): string {
    return `${CSV_COLUMNS.join(',')}\n`;
  }

  protected lines(entry: IntervalEntry, timeMs: number): string {
    const tags = presentTags(entry);
    const extra = Object.entries(tags)
      .filter(([name]) => !CSV_TAG_COLUMNS.has(name))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .join('&');
    const row = (value: number) => {
      const fields: Record<(typeof CSV_COLUMNS)[number], string> = {
        metric_name: entry.metric,
        timestamp: String(Math.floor(timeMs / 1000)),
        metric_value: String(value),
        check: tags.check ?? '',
        error: tags.error ?? '',
        error_code: '',
        expected_response: '',
        group: '',
        method: '',
        name: '',
        proto: '',
        scenario: this.header!.scenario,
        service: '',
        status: tags.status ?? '',
        subproto: '',
        tls_version: '',
        url: '',
        extra_tags: extra,
        metadata: '',
      };
      return `${CSV_COLUMNS.map((c) => csvField(fields[c])).join(',')}\n`;
    };
    let text = '';
    for (const point of pointsOf(entry)) {
      text += row(point.value).repeat(point.repeat);
      this.samples += point.repeat;
    }
    return text;
  }
}
