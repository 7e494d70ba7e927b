/**
 * Where a starting writer resumes: the last sample of each of its job's written series in the target TSDB, read back
 * through the Prometheus query API (Prometheus, Mimir, Thanos, VictoriaMetrics all answer it). Only series of this
 * writer's shard count, so shards that stopped at different times each resume where they stopped. Each written
 * metric is asked for one value per series, the timestamp of its last raw sample (`max_over_time(timestamp(m)[w:r])`,
 * which Prometheus and VictoriaMetrics both answer with the sample's own time), so the answer grows with the series,
 * not with their samples; over a short window first and longer ones only when that finds nothing.
 */
import { labelsKey, type UpstreamHttp } from '@telemetry-analyzer/query';
import type { JobConfig, RemoteWriteConfig } from './config';
import { ShardSpec, inShard } from './shard';
import { writtenMatchers, writtenMetrics } from './writtenSeries';

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

/**
 * Where a job resumes: the newest written sample of the shard's series (`newestMs`), and the written series (score,
 * flag and threshold; keyed by labelsKey) whose last sample is older than that but within the window the
 * first window before it: a writer that died with part of a run sent (its queue, in batches, lost with it) left them
 * behind the others, and the first run after the restart writes each of them from its own last sample on.
 */
export interface ResumePoint {
  newestMs?: number;
  behind: Map<string, number>;
}

export async function resumePoint(
  readBack: UpstreamHttp,
  remoteWrite: RemoteWriteConfig,
  job: JobConfig,
  shard: ShardSpec,
  unitLabelsOf: UnitLabelsOf,
  nowMs: number
): Promise<ResumePoint> {
  const matchers = writtenMatchers(job, remoteWrite).join(',');
  const metrics = writtenMetrics(job);
  // A run's chunks end at fit times, so a write cut in a catch-up leaves a series at most about a chunk (fit_every)
  // behind the newest: within this window a series is live and resumes from its own last sample.
  const firstWindowMs = Math.max(job.schedule.inferEveryMs * 10, 3_600_000, job.schedule.fitEveryMs);
  /** The last sample of each written series of the shard (by its key), and the unit each is an output of. */
  const last = new Map<string, number>();
  const unitOf = new Map<string, string>();
  /** Per unit, the written metrics found for it. */
  const unitMetrics = new Map<string, Set<string>>();
  /** Reads every written metric's series over `windowMs` (only `names`), adding the ones `wanted` accepts. */
  const read = async (windowMs: number, names: string[], wanted: (key: string) => boolean) => {
    for (const name of names) {
      // Also the first window after now: what a clock ahead wrote (or this one, behind) is found, and the runs wait
      // for the clock to pass it instead of writing those points again.
      const selector = `${name}{${matchers}}`;
      for (const [labels, ms] of await lastSampleTimes(
        readBack,
        selector,
        windowMs + firstWindowMs,
        nowMs + firstWindowMs
      )) {
        // timestamp() drops the metric name; the key is the written series' whole label set.
        const written = { ...labels, __name__: name };
        const unitLabels = unitLabelsOf(written);
        const key = labelsKey(written);
        if (inShard(unitLabels, shard) && wanted(key)) {
          const unit = labelsKey(unitLabels);
          last.set(key, ms);
          unitOf.set(key, unit);
          unitMetrics.set(unit, (unitMetrics.get(unit) ?? new Set<string>()).add(name));
        }
      }
    }
  };
  let windowMs = firstWindowMs;
  for (; ; windowMs *= 8) {
    await read(Math.min(windowMs, remoteWrite.resumeLookbackMs), metrics, () => true);
    if (last.size > 0 || windowMs >= remoteWrite.resumeLookbackMs) {
      break;
    }
  }
  // A loop, not Math.max(...): a shard's written series (3 per unit) outnumber the arguments a call may take.
  let newestMs: number | undefined;
  for (const ms of last.values()) {
    newestMs = newestMs === undefined || ms > newestMs ? ms : newestMs;
  }
  // The units written within a short window before the newest are live; the others ended (their input went away).
  // An output of a live unit that is not in that window was cut from a write (the queue sends a chunk's scores before
  // its flags and thresholds, and a shutdown or a crash cuts it anywhere; with fit_every above the window a chunk
  // spans more than it): it is looked for further back, and resumes from its own last sample, however far.
  const live = new Set<string>();
  for (const [key, ms] of last) {
    if (ms >= newestMs! - firstWindowMs) {
      live.add(unitOf.get(key)!);
    }
  }
  /** The written metrics some live unit has no series of yet. */
  const lacking = () => metrics.filter((name) => [...live].some((unit) => !unitMetrics.get(unit)!.has(name)));
  for (let names = lacking(); names.length > 0 && windowMs < remoteWrite.resumeLookbackMs; names = lacking()) {
    windowMs *= 8;
    await read(Math.min(windowMs, remoteWrite.resumeLookbackMs), names, (key) => !last.has(key));
  }
  const behind = [...last].filter(([key, ms]) => ms < newestMs! && live.has(unitOf.get(key)!));
  return { newestMs, behind: new Map(behind) };
}

/**
 * Subquery steps of the read-back: at most 4 minutes apart, under Prometheus' default 5 m lookback, so every sample
 * in the window is the latest one at some step; ~240 steps per series whatever the window.
 */
const MIN_RESUME_STEP_S = 60;
const MAX_RESUME_STEP_S = 240;

/**
 * The read-back query for the last raw sample's time (in seconds) of each series of `selector` within `windowMs`
 * before `nowMs`, and the time to evaluate it at: the first step boundary at or after now, so the subquery's last step
 * (steps are aligned to multiples of the step) is not before the newest sample.
 */
export function lastSampleQuery(selector: string, windowMs: number, nowMs: number): { query: string; atMs: number } {
  const stepS = Math.min(MAX_RESUME_STEP_S, Math.max(MIN_RESUME_STEP_S, Math.ceil(windowMs / 1000 / 240)));
  const atMs = Math.ceil(nowMs / (stepS * 1000)) * stepS * 1000;
  const rangeS = Math.ceil((windowMs + (atMs - nowMs)) / 1000);
  return { query: `max_over_time(timestamp(${selector})[${rangeS}s:${stepS}s])`, atMs };
}

/** The time (ms) of the last raw sample of each series of `selector` within the window, and its labels (no name). */
async function lastSampleTimes(
  readBack: UpstreamHttp,
  selector: string,
  windowMs: number,
  nowMs: number
): Promise<Array<[Record<string, string>, number]>> {
  const { query, atMs } = lastSampleQuery(selector, windowMs, nowMs);
  const times: Array<[Record<string, string>, number]> = [];
  for (const series of await instantQuery(readBack, query, atMs)) {
    const seconds = series.value === undefined ? NaN : Number(series.value[1]);
    if (Number.isFinite(seconds)) {
      times.push([series.metric, Math.round(seconds * 1000)]);
    }
  }
  return times;
}

/** A Prometheus instant query's matrix or vector answer (`values` for a matrix, `value` for a vector). */
/** The TSDB written to could not be read back (down, refusing the writer's credentials, not Prometheus' API). */
export class ReadBackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadBackError';
  }
}

export async function instantQuery(
  upstream: UpstreamHttp,
  query: string,
  timeMs: number,
  /** The error for an answer that is no success, told `<query> from <url>: HTTP <status>[: <error>]`. */
  failure: (text: string) => Error = (text) => new ReadBackError(`reading back ${text}`)
): Promise<NonNullable<MatrixAnswer['data']>['result']> {
  // Through the upstream's client: its auth, timeout and limits.maxUpstreamAnswerBytes, as every other read.
  const { status, body } = await upstream.send(
    '/api/v1/query',
    new URLSearchParams({ query, time: String(timeMs / 1000) }),
    'POST'
  );
  let answer: MatrixAnswer | undefined;
  try {
    answer = JSON.parse(body) as MatrixAnswer;
  } catch {
    answer = undefined;
  }
  if (status < 200 || status >= 300 || answer?.status !== 'success' || !answer.data) {
    const said = typeof answer?.error === 'string' ? `: ${answer.error}` : '';
    throw failure(`${query} from ${upstream.config.url}: HTTP ${status}${said}`);
  }
  return answer.data.result;
}
