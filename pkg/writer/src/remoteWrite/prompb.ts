/**
 * Prometheus remote write 1.0 on the wire: a `prometheus.WriteRequest` (prompb/remote.proto and types.proto) encoded
 * with protobufjs and compressed with snappy's block format (snappyjs), as Prometheus' own remote-write client sends
 * it. The schema is declared here field by field, with prompb's field numbers.
 */
import { Root, type Type } from 'protobufjs';
// snappyjs has no type declarations; its block format is the one remote write uses.
const snappy: {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array): Uint8Array;
} = require('snappyjs');

/** One time series of a write request: labels sorted by name (`__name__` included), samples in time order. */
export interface WriteSeries {
  labels: Array<{ name: string; value: string }>;
  samples: Array<{ value: number; timestamp: number }>;
}

const root = Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: {
          fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } },
          reserved: [[2, 2]],
        },
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
const writeRequest: Type = root.lookupType('prometheus.WriteRequest');

/** The HTTP headers of a remote write 1.0 request. */
export const REMOTE_WRITE_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'telemetry-analyzer-writer/0.1.0',
};

/** The snappy-compressed protobuf body of a WriteRequest holding `series`. */
export function encodeWriteRequest(series: WriteSeries[]): Uint8Array {
  const message = writeRequest.fromObject({ timeseries: series });
  return snappy.compress(writeRequest.encode(message).finish());
}

/** The inverse of encodeWriteRequest (tests, and a receiver's view of what was sent). */
export function decodeWriteRequest(body: Uint8Array): WriteSeries[] {
  const decoded = writeRequest.toObject(writeRequest.decode(snappy.uncompress(body)), {
    longs: Number,
    defaults: true,
  });
  return (decoded.timeseries ?? []) as WriteSeries[];
}
