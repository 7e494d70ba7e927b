/**
 * `@telemetry-analyzer/writer`: scheduled anomaly scoring written into a Prometheus-compatible TSDB by remote write
 * (docs/scale.md). Scores through the same evaluator as the anomaly proxy (@telemetry-analyzer/query).
 */
export { loadWriterConfig, parseWriterConfig } from './config';
export type { WriterConfig, JobConfig, JobSchedule, OutputNames, RemoteWriteConfig } from './config';
export { ConfigError } from '@telemetry-analyzer/query';
export {
  AnomalyWriter,
  FAILED_RUNS_UNHEALTHY,
  REFUSED_BATCHES_UNHEALTHY,
  UnknownJobError,
  failureText,
} from './writer';
export { INPUT_METRIC_LABEL } from './writtenSeries';
export type { WriterOptions } from './writer';
export { runWriterFromConfigFile } from './run';
export { ReadBackError, lastSampleQuery } from './resume';
export type { RunOptions } from './run';
export { parseShard, shardOf, inShard } from './shard';
export type { ShardSpec } from './shard';
export { scoringChunks, chunkQueryText } from './schedule';
export { encodeWriteRequest, decodeWriteRequest, REMOTE_WRITE_HEADERS } from './remoteWrite/prompb';
export type { WriteSeries } from './remoteWrite/prompb';
export { RemoteWriteClient } from './remoteWrite/remoteWriteClient';
export type { RemoteWriteSettings, RemoteWriteEvents } from './remoteWrite/remoteWriteClient';
