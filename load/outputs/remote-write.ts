/**
 * Prometheus remote write 1.0: a `WriteRequest` encoded with protobufjs from the protocol's
 * own message definitions (prompb's remote.proto and types.proto, the parts a sender
 * needs), compressed with Snappy's block format (snappyjs), POSTed with the protocol's
 * headers.
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
 *                          repeated Histogram histograms = 4; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; }  // ms since the epoch
 *   message Histogram {                                               // a native histogram
 *     enum ResetHint { UNKNOWN = 0; YES = 1; NO = 2; GAUGE = 3; }
 *     oneof count { uint64 count_int = 1; double count_float = 2; }
 *     double sum = 3;
 *     sint32 schema = 4;
 *     double zero_threshold = 5;
 *     oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
 *     repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
 *     repeated double negative_counts = 10;
 *     repeated BucketSpan positive_spans = 11; repeated sint64 positive_deltas = 12;
 *     repeated double positive_counts = 13;
 *     ResetHint reset_hint = 14;
 *     int64 timestamp = 15;
 *   }
 *   message BucketSpan   { sint32 offset = 1; uint32 length = 2; }
 *
 * Exemplars (TimeSeries field 3) are not sent.
 */
import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
            histograms: { rule: 'repeated', type: 'Histogram', id: 4 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        Histogram: {
          oneofs: { count: { oneof: ['countInt', 'countFloat'] }, zeroCount: { oneof: ['zeroCountInt', 'zeroCountFloat'] } },
          fields: {
            countInt: { type: 'uint64', id: 1 },
            countFloat: { type: 'double', id: 2 },
            sum: { type: 'double', id: 3 },
            schema: { type: 'sint32', id: 4 },
            zeroThreshold: { type: 'double', id: 5 },
            zeroCountInt: { type: 'uint64', id: 6 },
            zeroCountFloat: { type: 'double', id: 7 },
            negativeSpans: { rule: 'repeated', type: 'BucketSpan', id: 8 },
            negativeDeltas: { rule: 'repeated', type: 'sint64', id: 9 },
            negativeCounts: { rule: 'repeated', type: 'double', id: 10 },
            positiveSpans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
            positiveDeltas: { rule: 'repeated', type: 'sint64', id: 12 },
            positiveCounts: { rule: 'repeated', type: 'double', id: 13 },
            resetHint: { type: 'ResetHint', id: 14 },
            timestamp: { type: 'int64', id: 15 },
          },
          nested: { ResetHint: { values: { UNKNOWN: 0, YES: 1, NO: 2, GAUGE: 3 } } },
        },
        BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

/** A run of consecutive buckets: `offset` from the end of the previous span (the first: from bucket 0). */
export interface BucketSpan {
  offset: number;
  length: number;
}

/**
 * A native histogram with integer counts and no negative buckets, as sent: bucket counts
 * are deltas, each against the bucket before it (the first against 0), across spans.
 * `resetHint` is left UNKNOWN: Prometheus works out counter resets itself.
 */
export interface HistogramSample {
  countInt: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt: number;
  positiveSpans: BucketSpan[];
  positiveDeltas: number[];
  timestamp: number;
}

export interface TimeSeries {
  /** Sorted by name, `__name__` among them. */
  labels: { name: string; value: string }[];
  /** In time order. */
  samples: { value: number; timestamp: number }[];
  /** In time order; a series carries samples or histograms, not both. */
  histograms?: HistogramSample[];
}

/** The body of one remote-write request: protobuf, then Snappy. */
export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
  return compress(bytes);
}

/** For tests: the series of a request body (`histograms` only on series that carry some). */
export function decodeWriteRequest(body: Uint8Array, uncompress: (b: Uint8Array) => Uint8Array): TimeSeries[] {
  const message = WriteRequest.decode(uncompress(body));
  const object = WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: (TimeSeries & { histograms: HistogramSample[] })[] };
  return object.timeseries.map(({ histograms, ...series }) => (histograms.length > 0 ? { ...series, histograms: histograms.map(histogramFields) } : series));
}

/** The fields a sender sets, without the unused members protobufjs's defaults add. */
function histogramFields(h: HistogramSample): HistogramSample {
  return {
    countInt: h.countInt,
    sum: h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCountInt: h.zeroCountInt,
    positiveSpans: h.positiveSpans,
    positiveDeltas: h.positiveDeltas,
    timestamp: h.timestamp,
  };
}

export const REMOTE_WRITE_HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'puppilot-load',
} as const;

/** Label names as Prometheus allows them. */
export function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}
