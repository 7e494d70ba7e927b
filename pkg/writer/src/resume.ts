/**
 * Where a starting writer resumes: the newest sample of its job's score series in the target TSDB, read back through
 * the Prometheus query API (Prometheus, Mimir, Thanos, VictoriaMetrics all answer it). Only series of this writer's
 * shard count, so shards that stopped at different times each resume where they stopped. Raw samples are read with a
 * range selector, over a short window first and longer ones only when that finds nothing.
 */
import { authHeaders, type UpstreamConfig } from '@telemetry-analyzer/query';
import type { JobConfig, RemoteWriteConfig } from './config';
import { ShardSpec, inShard } from './shard';

interface MatrixAnswer {
  status: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }>;
  };
  error?: string;
}

/** The labels a unit had, recovered from a written series (the shard's key): see unitLabelsOf in the writer. */
export type UnitLabelsOf = (written: Record<string, string>) => Record<string, string>;

export async function lastWrittenMs(
  readBack: UpstreamConfig,
  remoteWrite: RemoteWriteConfig,
  job: JobConfig,
  shard: ShardSpec,
  unitLabelsOf: UnitLabelsOf,
  nowMs: number
): Promise<number | undefined> {
  const matchers = [
    `__name__=${JSON.stringify(job.output.score)}`,
    `${job.output.jobLabel}=${JSON.stringify(job.name)}`,
    ...Object.entries(remoteWrite.externalLabels).map(([name, value]) => `${name}=${JSON.stringify(value)}`),
  ];
  const selector = `{${matchers.join(',')}}`;
  for (let windowMs = Math.max(job.schedule.inferEveryMs * 10, 3_600_000); ; windowMs *= 8) {
    const window = Math.min(windowMs, remoteWrite.resumeLookbackMs);
    const answer = await instantQuery(readBack, `${selector}[${Math.ceil(window / 1000)}s]`, nowMs);
    let newest: number | undefined;
    for (const series of answer) {
      if (!inShard(unitLabelsOf(series.metric), shard)) {
        continue;
      }
      const values = series.values ?? [];
      const last = values.length > 0 ? Math.round(values[values.length - 1][0] * 1000) : undefined;
      if (last !== undefined && (newest === undefined || last > newest)) {
        newest = last;
      }
    }
    if (newest !== undefined || window >= remoteWrite.resumeLookbackMs) {
      return newest;
    }
  }
}

/** A Prometheus instant query's matrix or vector answer (`values` for a matrix, `value` for a vector). */
export async function instantQuery(
  upstream: UpstreamConfig,
  query: string,
  timeMs: number
): Promise<NonNullable<MatrixAnswer['data']>['result']> {
  const response = await fetch(`${upstream.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...authHeaders(upstream.auth) },
    body: new URLSearchParams({ query, time: String(timeMs / 1000) }),
    signal: AbortSignal.timeout(upstream.timeoutMs),
  });
  const body = (await response.json()) as MatrixAnswer;
  if (!response.ok || body.status !== 'success' || !body.data) {
    throw new Error(`reading back ${query} from ${upstream.url}: HTTP ${response.status} ${body.error ?? ''}`);
  }
  return body.data.result;
}
