/**
 * Prometheus remote write 1.0: a `WriteRequest` encoded with protobufjs from the protocol's
 * own message definitions (prompb's remote.proto and types.proto, the parts a sender
 * needs), compressed with Snappy's block format (snappyjs), POSTed with the protocol's
 * headers.
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; }  // ms since the epoch
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
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface TimeSeries {
  /** Sorted by name, `__name__` among them. */
  labels: { name: string; value: string }[];
  /** In time order. */
  samples: { value: number; timestamp: number }[];
}

/** The body of one remote-write request: protobuf, then Snappy. */
export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
  return compress(bytes);
}

/** For tests: the series of a request body. */
export function decodeWriteRequest(body: Uint8Array, uncompress: (b: Uint8Array) => Uint8Array): TimeSeries[] {
  const message = WriteRequest.decode(uncompress(body));
  return (WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: TimeSeries[] }).timeseries;
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
