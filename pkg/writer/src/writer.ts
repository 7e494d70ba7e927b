/**
 * The writer: every job, on its schedule, scores the points that arrived since its last written one through the
 * proxy's own evaluator (@telemetry-analyzer/query's AnomalyEvaluator, the same code path as an anomaly query), and
 * remote-writes anomaly_score, anomaly_flag and anomaly_threshold with the input's labels plus the job label.
 */
import {
  AnomalyEvaluator,
  ModelRepository,
  ModelStore,
  SeriesListingCache,
  TrainingPool,
  UpstreamHttp,
  UpstreamPassThroughError,
  createLogLineRedactor,
  createRedactor,
  groupByTimeIntervalMs,
  labelsKey,
  parseQuery,
  type AnomalyQuery,
  type MatrixResult,
} from '@telemetry-analyzer/query';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { JobConfig, WriterConfig } from './config';
import { WriterMetrics } from './metrics';
import { OpenMetricsFileSink } from './openMetricsFile';
import { RemoteWriteClient } from './remoteWrite/remoteWriteClient';
import type { WriteSeries } from './remoteWrite/prompb';
import type { SampleSink, SinkSeries } from './sampleSink';
import { newestInputSample, seriesSelectors } from './inputNewest';
import { ReadBackError, resumePoint } from './resume';
import { ScoringChunk, alignDown, chunkQueryText, scoringChunks } from './schedule';
import { inShard } from './shard';
import { SentChunk, heldTimestamps, missingSamples, sentChunk, shortSeries } from './verify';
import {
  INPUT_METRIC_LABEL,
  inputLabelName,
  seriesKey,
  writerLabelNames,
  writtenLabelName,
  writtenMatchers,
  writtenMetrics,
} from './writtenSeries';

export interface WriterOptions {
  /** Clock [Date.now]: tests drive runs through time with it. */
  now?: () => number;
  /** Where the JSON log lines go [stdout]. */
  logStream?: NodeJS.WritableStream;
  /** Write the samples to this OpenMetrics file instead of remote-writing them (a backfill to a file). */
  outputFile?: string;
}

const FUNCTIONS = ['anomaly_score', 'anomaly_flag', 'anomaly_threshold'] as const;
/** Rounds of re-sending what a backfill's read-back finds missing before the backfill fails. */
const RESEND_ROUNDS = 5;

/**
 * How long a backfill's read-back waits after its last write. VictoriaMetrics (1.79, with -search.latencyOffset=0s; by
 * default it hides the newest 30 s) made accepted samples searchable within a second or two, but was observed to keep
 * a series lookup that found nothing for ~10 s: read back at once, a new series stayed missing for 8.8-10.8 s; read
 * back 2 s after the write, it was there at the first read (five series each way). Prometheus serves samples at once:
 * there the pause costs 2 s per job and per read-back round.
 */
const READ_BACK_PAUSE_MS = 2_000;

type AnomalyFn = (typeof FUNCTIONS)[number];

interface JobState {
  job: JobConfig;
  evaluator: AnomalyEvaluator;
  /** Newest scored (and queued) timestamp; undefined before the first run and before resume found one. */
  cursorMs?: number;
  /**
   * Newest point the target accepted (or found in it at resume): the cursor moves on over steps where the query
   * returned nothing, this does not, so lag and /healthz show a job that writes nothing (a review: a job over a
   * misspelt metric ran "ok" every minute with a lag of 20 s and not a log line); nor over samples the target refused
   * (a review: with every write answered 401, lastScored and lag_seconds moved on as if all were written).
   */
  newestWrittenMs?: number;
  /** Newest point queued: whether a run wrote anything (its samples are sent after it). */
  newestQueuedMs?: number;
  /** The target refused the job's last batches, none accepted since: /healthz says so from REFUSED_BATCHES_UNHEALTHY. */
  refused?: { batches: number; samples: number; sinceMs: number; status: number; body: string };
  /** The last run queued nothing although its range held steps (said once per such streak). */
  silent?: boolean;
  /** PromQL: the query's series selectors, whose newest sample ends every run (inputNewest.ts); InfluxQL: none. */
  selectors?: string[];
  /**
   * InfluxQL with GROUP BY time(...): its buckets' span. The row at m holds the samples of [m, m + bucketMs), so a run
   * scores m only once m + bucketMs is at or before now - delay (the bucket is whole).
   */
  bucketMs?: number;
  /** The clock is behind the cursor (it went back, or the target holds points from a clock ahead): said once. */
  clockBehind?: boolean;
  /**
   * Written series the target holds less of than the cursor (a writer that died with part of a run sent), with
   * their last sample: the first run after resume writes each from there; other series from the cursor on.
   */
  behind?: Map<string, number>;
  running?: Promise<void>;
  /** The failed runs since the last run that did not fail (none: the last run did not fail): what /healthz says. */
  failing?: { runs: number; sinceMs: number; lastError: string };
}

/**
 * A job whose last this many runs all failed makes /healthz answer 503: one failed run (an upstream restarting, a
 * timeout) is retried by the next one and is no reason for a probe to restart the writer or page anyone; three in a
 * row (3 minutes at the default infer_every) is a job that is not writing.
 */
export const FAILED_RUNS_UNHEALTHY = 3;

/**
 * A job whose last this many batches the target refused (4xx: credentials, a sample too old), none accepted since,
 * makes /healthz answer 503: its samples are lost, not delayed, though its runs succeed.
 */
export const REFUSED_BATCHES_UNHEALTHY = 3;

/** The longest delay setTimeout keeps (a longer one fires at once, with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A backfill asked for jobs the config does not have. */
export class UnknownJobError extends Error {
  constructor(unknown: string[], known: string[]) {
    super(
      `no job named ${unknown.map((name) => `"${name}"`).join(', ')} in the config (its jobs: ${known.join(', ')})`
    );
  }
}

export class AnomalyWriter {
  readonly metrics = new WriterMetrics();
  readonly log: Logger;
  private readonly client: SampleSink;
  /** Samples the remote-write target refused for good (4xx), and its last refusal: a backfill's read-back reads it. */
  private readonly refusals: { samples: number; last?: { status: number; body: string } } = { samples: 0 };
  /** Remote write (not a file): a backfill reads the target back and sends again what it lacks. */
  private readonly readsBack: boolean;
  /** The client of remoteWrite.readBack (the target read through the Prometheus query API): resume, read-backs. */
  private readonly readBack: UpstreamHttp;
  private readonly jobs = new Map<string, JobState>();
  private readonly pool: TrainingPool | undefined;
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  /** When the writer started (real time): a job that has written nothing lags from here. */
  private readonly startedAtMs = Date.now();
  private loops: Array<Promise<void>> = [];
  private server?: Server;
  /** Removes the configured secrets from a text (log lines, and the errors run() lets the CLI print). */
  readonly redact: (text: string) => string;

  constructor(
    readonly config: WriterConfig,
    options: WriterOptions = {}
  ) {
    this.now = options.now ?? Date.now;
    // Every line goes out with the configured secrets removed: a target's error answer may quote the request's
    // Authorization header, an upstream's its credentials (what the proxy's log lines get, createRedactor).
    const redact = createRedactor(config.secrets);
    this.redact = redact;
    const destination = options.logStream ?? process.stdout;
    const redactLine = createLogLineRedactor(config.secrets);
    this.log = pino({ level: config.log.level }, { write: (line: string) => destination.write(redactLine(line)) });
    this.client = options.outputFile
      ? new OpenMetricsFileSink(options.outputFile, (samples) => this.metrics.samplesWritten.inc(samples))
      : this.remoteWriteClient();
    this.readsBack = !options.outputFile;
    this.pool = config.workers.training > 0 ? new TrainingPool(config.workers.training) : undefined;
    const upstreams = new Map(
      Object.values(config.upstreams).map((u) => [
        u.name,
        new UpstreamHttp(
          u,
          () => undefined,
          () => undefined,
          config.limits.maxUpstreamAnswerBytes
        ),
      ])
    );
    this.readBack = upstreams.get(config.remoteWrite.readBack)!;
    for (const job of config.jobs) {
      const inner = job.parsed.inner;
      const selectors = inner.language === 'promql' ? seriesSelectors(inner.expression) : undefined;
      const bucketMs = inner.language === 'promql' ? undefined : groupByTimeIntervalMs(inner.statement, job.stepMs);
      this.jobs.set(job.name, { job, evaluator: this.evaluatorFor(job, upstreams), selectors, bucketMs });
    }
  }

  private remoteWriteClient(): RemoteWriteClient {
    const m = this.metrics;
    return new RemoteWriteClient(this.config.remoteWrite, {
      onSent: (samples, seconds, batch) => {
        m.samplesWritten.inc(samples);
        m.writeDuration.observe(seconds);
        for (const [state, { newestMs }] of this.jobsOf(batch)) {
          state.refused = undefined;
          state.newestWrittenMs = Math.max(newestMs, state.newestWrittenMs ?? -Infinity);
          m.lastWritten.set({ job: state.job.name }, state.newestWrittenMs / 1000);
          m.lag.set({ job: state.job.name }, (Date.now() - state.newestWrittenMs) / 1000);
        }
      },
      onRejected: (samples, status, body, batch) => {
        this.refusals.samples += samples;
        this.refusals.last = { status, body };
        m.samplesRejected.inc({ status: String(status) }, samples);
        // Redacted here, not only in the log line: /healthz serves it.
        const said = this.redact(body.trim().slice(0, 200));
        for (const [state, { samples: refused }] of this.jobsOf(batch)) {
          const { batches = 0, samples: before = 0, sinceMs = Date.now() } = state.refused ?? {};
          state.refused = { batches: batches + 1, samples: before + refused, sinceMs, status, body: said };
        }
        this.log.error({ samples, status, body }, 'remote-write target refused a batch (not retried)');
      },
      onRetry: (status, reason, delayMs) => {
        m.writeFailures.inc({ status: String(status) });
        this.log.warn({ status, reason, retryInMs: delayMs }, 'remote write failed, retrying');
      },
      onDropped: (samples, reason) => {
        m.samplesDropped.inc({ reason }, samples);
        this.log.error({ samples, reason }, 'samples dropped');
      },
      onQueueChange: (samples) => m.queueSamples.set(samples),
    });
  }

  /** The jobs whose series a remote-write batch holds (by their job label), with their samples and newest time. */
  private jobsOf(batch: WriteSeries[]): Map<JobState, { samples: number; newestMs: number }> {
    const found = new Map<JobState, { samples: number; newestMs: number }>();
    for (const series of batch) {
      const state = [...this.jobs.values()].find(({ job }) =>
        series.labels.some((label) => label.name === job.output.jobLabel && label.value === job.name)
      );
      const newestMs = series.samples[series.samples.length - 1]?.timestamp;
      if (state && newestMs !== undefined) {
        const seen = found.get(state) ?? { samples: 0, newestMs };
        found.set(state, {
          samples: seen.samples + series.samples.length,
          newestMs: Math.max(seen.newestMs, newestMs),
        });
      }
    }
    return found;
  }

  private evaluatorFor(job: JobConfig, upstreams: Map<string, UpstreamHttp>): AnomalyEvaluator {
    const m = this.metrics;
    const labels = { job: job.name };
    const storeConfig = this.config.modelStore;
    // Each job keeps its models in a directory of its own, in the proxy's store format.
    const store = storeConfig
      ? new ModelStore(join(storeConfig.directory, job.name), this.log, storeConfig, {}, this.now)
      : undefined;
    const repository = new ModelRepository(
      this.config.modelCache,
      store,
      this.log,
      {
        onCacheSizeChange: (size) => m.models.set(labels, size),
        onModelBytesChange: (bytes) => m.modelBytes.set(labels, bytes),
        onStoreLoad: () => undefined,
        onScoreCacheBytesChange: (bytes) => m.scoreCacheBytes.set(labels, bytes),
      },
      this.now,
      this.config.scoreCache.maxBytes
    );
    return new AnomalyEvaluator(
      this.config,
      upstreams,
      repository,
      {
        onTrained: () => m.trainings.inc(labels),
        onTrainingFailed: () => undefined,
        onRowsScored: (rows) => m.pointsScored.inc(labels, rows),
        onPointsRead: (points) => m.pointsRead.inc(labels, points),
        // A shard's listing of the job's selector, kept between runs (prometheusSelection.ts).
        seriesListing: new SeriesListingCache(job.schedule.seriesRefreshMs, () => m.seriesListings.inc(labels)),
        log: this.log,
      },
      this.now,
      this.pool // trains and scores on the pool's threads (the engine's EngineThreads); none: on the event loop
    );
  }

  /** Serves /metrics and /healthz, resumes every job from the target, and runs the jobs on their schedules. */
  async start(): Promise<{ url: string; port: number }> {
    const address = await this.listen();
    await this.resume();
    this.loops = [...this.jobs.values()].map((state) => this.loop(state));
    return address;
  }

  /** Reads each job's last written timestamp back from the target TSDB. */
  async resume(): Promise<void> {
    for (const state of this.jobs.values()) {
      const { newestMs: last, behind } = await resumePoint(
        this.readBack,
        this.config.remoteWrite,
        state.job,
        this.config.shard,
        (labels) => this.unitLabelsOf(state.job, labels),
        this.now()
      );
      state.cursorMs = last;
      state.newestWrittenMs = last;
      state.behind = behind.size > 0 ? behind : undefined;
      this.log.info(
        {
          job: state.job.name,
          resumeAfter: last === undefined ? null : new Date(last).toISOString(),
          seriesBehind: behind.size,
        },
        last === undefined
          ? 'nothing written yet: starting with the latest points'
          : 'resuming after the last written point'
      );
    }
  }

  /**
   * One scheduled run of a job at `nowMs`: scores (cursor, now - delay] on the step grid, up to the input's newest
   * sample (only the latest infer_every when nothing was written before) and queues the samples.
   */
  async runJob(name: string, nowMs = this.now()): Promise<void> {
    const state = this.jobs.get(name);
    if (!state) {
      throw new Error(`no job "${name}"`);
    }
    // Runs of one job never overlap: a run waits for the one before it.
    const previous = state.running ?? Promise.resolve();
    const run = previous.then(() => this.runOnce(state, nowMs));
    state.running = run.catch(() => undefined);
    return run;
  }

  private async runOnce(state: JobState, nowMs: number): Promise<void> {
    const { job } = state;
    const latestMs = latestScoredPoint(state, nowMs);
    const { cursorMs, behind } = state;
    let fromMs = cursorMs;
    // A loop, not Math.min(...): the series behind may outnumber the arguments a call may take.
    for (const ms of behind?.values() ?? []) {
      fromMs = Math.min(fromMs!, ms);
    }
    // With nothing written yet, the input's newest sample is looked for as far back as the resume looks.
    const searchFromMs = (fromMs ?? latestMs - this.config.remoteWrite.resumeLookbackMs) + job.stepMs;
    try {
      if (this.clockBehind(state, latestMs)) {
        // Nothing is scored again nor skipped: the first run after the clock passes the cursor goes on from it.
        this.metrics.runs.inc({ job: job.name, outcome: 'ok' });
        return;
      }
      if (searchFromMs <= latestMs) {
        const endMs = await this.inputEnd(state, searchFromMs, latestMs);
        // The first run scores the input's latest infer_every.
        const startMs =
          fromMs === undefined ? (endMs ?? latestMs) - job.schedule.inferEveryMs + job.stepMs : searchFromMs;
        const queuedBefore = state.newestQueuedMs;
        if (endMs !== undefined && startMs <= endMs) {
          await this.scoreRange(state, startMs, endMs, true);
        }
        // An input whose newest sample is before this run's first step is awaited, not reported.
        if (endMs === undefined || startMs <= endMs) {
          this.sayWhetherWriting(state, state.newestQueuedMs !== queuedBefore);
        }
      }
      state.behind = undefined;
      state.failing = undefined;
      this.metrics.runs.inc({ job: job.name, outcome: 'ok' });
    } catch (error) {
      this.metrics.runs.inc({ job: job.name, outcome: 'failed' });
      const reason = failureText(error);
      // Redacted here, not only in the log line: /healthz serves it.
      const { runs = 0, sinceMs = nowMs } = state.failing ?? {};
      state.failing = { runs: runs + 1, sinceMs, lastError: this.redact(reason) };
      this.log.error({ job: job.name, reason }, 'run failed; its points are retried next run');
      throw error;
    } finally {
      // To the newest point written, or the writer's start: a job that writes nothing, or fails every run, lags
      // more and more (its lag alert fires) instead of showing the schedule's delay.
      this.metrics.lag.set({ job: job.name }, (Date.now() - (state.newestWrittenMs ?? this.startedAtMs)) / 1000);
    }
  }

  /**
   * Whether the job's cursor is after the newest point this run may score (`latestMs`, now - delay): the clock went
   * back since a run, or the target holds points written by a clock ahead. Said once, when it starts and when it
   * ends. The run scores nothing: scoring the cursor's points again would write a second sample at their times
   * (refused by Prometheus, kept twice by VictoriaMetrics), and moving the cursor back to now leaves nothing out
   * either, since runs end at the input's newest sample: the points after the cursor are scored once the clock
   * passes it.
   */
  private clockBehind(state: JobState, latestMs: number): boolean {
    const behind = state.cursorMs !== undefined && state.cursorMs > latestMs;
    if (behind && !state.clockBehind) {
      this.log.warn(
        {
          job: state.job.name,
          lastScored: logTime(state.cursorMs!),
          until: logTime(latestMs),
          behindSeconds: (state.cursorMs! - latestMs) / 1000,
        },
        'the clock is behind the last scored point (it went back, or a clock ahead wrote it): runs score nothing ' +
          'until now - delay passes it, then go on from it; no point is skipped or written twice'
      );
    } else if (!behind && state.clockBehind) {
      this.log.info({ job: state.job.name }, 'the clock passed the last scored point: scoring again');
    }
    state.clockBehind = behind;
    return behind;
  }

  /**
   * Where a run of [startMs, latestMs] ends: a PromQL job's at its input's newest sample (on the step grid), so a step
   * answered with an older sample repeated is never scored; undefined when the input has no sample since the start.
   * An InfluxQL statement's answer holds the samples InfluxDB has, no repeated ones: its run ends at `latestMs` (for
   * GROUP BY time(...), the last whole bucket's).
   */
  private async inputEnd(state: JobState, startMs: number, latestMs: number): Promise<number | undefined> {
    if (!state.selectors) {
      return latestMs;
    }
    const upstream = state.evaluator.chooseUpstream(state.job.parsed);
    const newestMs = await newestInputSample(upstream, state.selectors, startMs, latestMs);
    return newestMs === undefined ? undefined : Math.min(latestMs, alignDown(newestMs, state.job.stepMs));
  }

  /** A warning when a job's runs start writing nothing, a line when it writes again: once per streak, not per run. */
  private sayWhetherWriting(state: JobState, wrote: boolean): void {
    if (!wrote && !state.silent) {
      this.log.warn(
        { job: state.job.name, query: state.job.query },
        'run wrote nothing: the query returned no series it could score (lag_seconds grows until it does)'
      );
    } else if (wrote && state.silent) {
      this.log.info({ job: state.job.name }, 'writing again');
    }
    state.silent = !wrote;
  }

  /**
   * Backfill: scores [fromMs, toMs] of every job (or the named ones) with the models the live schedule would have
   * used, and writes them. Does not move the live cursor. A job's range ends at now - delay at the latest, as its
   * live runs do: points after it are not final yet (and a live writer would write them again); `toMs` Infinity:
   * there, without the warning that a later end was cut.
   */
  async backfill(fromMs: number, toMs: number, jobNames?: string[]): Promise<void> {
    const unknown = (jobNames ?? []).filter((name) => !this.jobs.has(name));
    if (unknown.length > 0) {
      // Before anything is scored or written: a misspelt --job backfilled nothing, exit 0 (a review).
      throw new UnknownJobError(unknown, [...this.jobs.keys()]);
    }
    for (const state of this.jobs.values()) {
      if (jobNames && !jobNames.includes(state.job.name)) {
        continue;
      }
      const step = state.job.stepMs;
      // As a live run's end, off the grid (an InfluxQL bucket's: when the whole bucket is).
      const latestMs = this.now() - state.job.schedule.delayMs - (state.bucketMs ?? 0);
      if (toMs > latestMs && Number.isFinite(toMs)) {
        this.log.warn(
          { job: state.job.name, to: logTime(toMs), until: logTime(latestMs) },
          'backfill ends at now - delay: later points are left to the live runs'
        );
      }
      const startMs = Math.ceil(fromMs / step) * step;
      const endMs = alignDown(Math.min(toMs, latestMs), step);
      const refusedBefore = this.refusals.samples;
      const sent = await this.scoreRange(state, startMs, endMs, false);
      const samples = sent.reduce((n, chunk) => n + [...chunk.samples.values()].reduce((a, b) => a + b, 0), 0);
      if (this.readsBack) {
        await this.client.flush();
        if (samples > 0) {
          // Nothing sent, nothing to read back (and no read-back pause).
          await this.resendMissing(state, sent, refusedBefore);
        }
      }
      if (samples === 0 && startMs <= endMs) {
        // Not an error (a job over a metric that did not exist then), but never silent: the run still exits 0. A
        // shard may own none of a job's series (each shard of a one-series job but one): that is said, not warned.
        const { index, count } = this.config.shard;
        if (count > 1) {
          this.log.info(
            { job: state.job.name, from: logTime(fromMs), to: logTime(endMs), shard: `${index}/${count}` },
            'backfill wrote nothing for this job on this shard: none of the series it owns had points it could score in the range'
          );
        } else {
          this.log.warn(
            { job: state.job.name, from: logTime(fromMs), to: logTime(endMs) },
            'backfill wrote nothing for this job: its query returned no series it could score in the range'
          );
        }
      }
      this.log.info({ job: state.job.name, from: logTime(fromMs), to: logTime(endMs), samples }, 'backfilled');
    }
  }

  /**
   * Samples since the writer started: queued (taken into the queue) = written (accepted by the target) + rejected
   * (refused by it, not retried) + dropped (taken, then given up at shutdown) + still queued; notQueued: refused by
   * a full queue, never taken (a review added the two kinds of drop up against the queued ones).
   */
  async sampleTotals(): Promise<{
    queued: number;
    written: number;
    rejected: number;
    dropped: number;
    notQueued: number;
  }> {
    type Values = { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> };
    const sum = async (counter: Values, keep: (labels: Record<string, unknown>) => boolean = () => true) =>
      (await counter.get()).values.filter((v) => keep(v.labels)).reduce((n, v) => n + v.value, 0);
    const m = this.metrics;
    return {
      queued: await sum(m.samplesQueued),
      written: await sum(m.samplesWritten),
      rejected: await sum(m.samplesRejected),
      dropped: await sum(m.samplesDropped, (labels) => labels.reason !== 'queue_full'),
      notQueued: await sum(m.samplesDropped, (labels) => labels.reason === 'queue_full'),
    };
  }

  /** A failed backfill to a file leaves no file (a remote-write target keeps what it accepted). */
  discardOutput(): void {
    this.client.discard?.();
  }

  /** Waits until everything queued so far was sent (or given up). */
  flush(): Promise<void> {
    return this.client.flush();
  }

  /** Scores and queues [fromMs, toMs]; a backfill (not live) returns what each chunk sent, for the read-back. */
  private async scoreRange(state: JobState, fromMs: number, toMs: number, live: boolean): Promise<SentChunk[]> {
    const { job } = state;
    const sent: SentChunk[] = [];
    const resumed = live ? state.behind && { cursorMs: state.cursorMs!, behind: state.behind } : undefined;
    for (const chunk of scoringChunks(job, fromMs, toMs, this.config.limits.maxPointsPerSeries)) {
      let series = await this.scoreChunk(state, chunk);
      if (resumed && chunk.startMs <= resumed.cursorMs) {
        series = afterLastWritten(series, resumed.cursorMs, resumed.behind);
      }
      const queued = series.reduce((n, s) => n + s.timestamps.length, 0);
      if (!live) {
        sent.push(sentChunk(chunk, series));
      }
      // Waits for room while the target takes what is sent (a backfill, a catch-up after downtime: their size is
      // the data's); live, what does not fit while the target is failing is dropped (the bound is for that case).
      const dropped = await this.client.enqueue(series, live, this.stopping.signal);
      this.metrics.samplesQueued.inc({ job: job.name }, queued - dropped);
      if (live) {
        state.cursorMs = Math.max(chunk.endMs, state.cursorMs ?? -Infinity);
        if (queued - dropped > 0) {
          // lastScored and lag move on once the target accepts them (onSent).
          let newest = state.newestQueuedMs ?? -Infinity;
          for (const one of series) {
            newest = Math.max(newest, one.timestamps[one.timestamps.length - 1] ?? -Infinity);
          }
          state.newestQueuedMs = newest;
        }
        // A run that fails later retries from here: what this chunk queued is not written twice.
        resumed?.behind.forEach((ms, key) => resumed.behind.set(key, Math.max(ms, chunk.endMs)));
      }
    }
    return sent;
  }

  /**
   * Reads back, chunk by chunk, how many samples of each written series the target holds, and sends again (re-scored:
   * the same values) the samples it lacks, until it holds all of them; fails after RESEND_ROUNDS rounds.
   */
  private async resendMissing(state: JobState, sent: SentChunk[], refusedBefore: number): Promise<void> {
    const { job } = state;
    const metrics = writtenMetrics(job);
    const matchers = writtenMatchers(job, this.config.remoteWrite);
    const shortfall = async () => {
      const short = [];
      for (const one of sent) {
        const found = await shortSeries(this.readBack, metrics, matchers, job.stepMs, one);
        if (found.missing > 0) {
          short.push({ ...one, ...found });
        }
      }
      return short;
    };
    const total = (short: Array<{ missing: number }>) => short.reduce((n, s) => n + s.missing, 0);
    for (let round = 0; ; round++) {
      await this.sleep(READ_BACK_PAUSE_MS);
      // Missing means still missing once the shortfall has stopped shrinking for readBackSettle.
      let short = await shortfall();
      let shrankAt = Date.now();
      while (total(short) > 0 && Date.now() - shrankAt < this.config.remoteWrite.readBackSettleMs) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const again = await shortfall();
        if (total(again) < total(short)) {
          shrankAt = Date.now();
        }
        short = again;
      }
      const missing = total(short);
      if (missing === 0) {
        return;
      }
      const refused = this.refusals.samples - refusedBefore;
      if (refused > 0 && this.refusals.last) {
        // The target refused samples of this backfill for good (4xx): sending them again cannot help, and rounds of
        // it took minutes to say so (a review: Prometheus' "out of bounds" for samples older than its head block).
        const { status, body } = this.refusals.last;
        throw new ReadBackError(
          `backfill of job ${job.name}: the target refused ${refused} of its samples (HTTP ${status}: ` +
            `${body.trim().slice(0, 200)}) and lacks ${missing}; sending them again cannot help. ${refusalAdvice(status)}`
        );
      }
      if (round === RESEND_ROUNDS) {
        // The target's doing, not the writer's: it refused batches (logged as such) or did not keep what it took.
        throw new ReadBackError(
          `backfill of job ${job.name}: the target still lacks ${missing} of the samples sent, after ${round} ` +
            'rounds of sending them again (it refused them, see "refused a batch" above, or did not keep them)'
        );
      }
      this.log.warn(
        { job: job.name, missing, series: short.reduce((n, s) => n + s.keys.size, 0), round: round + 1 },
        'the target lacks samples it accepted: sending them again'
      );
      for (const one of short) {
        const held = await heldTimestamps(this.readBack, metrics, matchers, job.stepMs, one.chunk, one.keys);
        const resend = missingSamples(await this.scoreChunk(state, one.chunk), one.keys, held);
        const samples = resend.reduce((n, s) => n + s.timestamps.length, 0);
        this.metrics.samplesResent.inc({ job: job.name }, samples);
        await this.client.enqueue(resend, false);
      }
      await this.client.flush();
    }
  }

  /** The three written series of every scored unit of one chunk, labels sorted, samples in time order. */
  private async scoreChunk(state: JobState, chunk: ScoringChunk) {
    const { job } = state;
    const range = { kind: 'range' as const, startMs: chunk.startMs, endMs: chunk.endMs, stepMs: job.stepMs };
    // A shard reads and scores only its units (the whole query when it is the only one).
    const shard = this.config.shard;
    const select = shard.count > 1 ? (labels: Record<string, string>) => inShard(labels, shard) : undefined;
    const out: Array<{ labels: Array<{ name: string; value: string }>; timestamps: number[]; values: number[] }> = [];
    // One evaluation answers all three: anomaly_score, and flag and threshold from the same scores (the proxy's
    // answer to each, as the proxy shapes it).
    const result = await state.evaluator.evaluate(
      this.queryFor(job, 'anomaly_score', chunk),
      range,
      undefined, // a run in progress finishes on shutdown (its upstream requests are bounded by their timeout)
      select,
      ['anomaly_flag', 'anomaly_threshold']
    );
    if (result.warnings.length > 0) {
      this.log.warn({ job: job.name, warnings: result.warnings }, 'scoring warnings');
    }
    for (const fn of FUNCTIONS) {
      const answer = (fn === 'anomaly_score' ? result : result.also?.[fn]) as MatrixResult | undefined;
      for (const series of answer?.result ?? []) {
        out.push({
          labels: this.writtenLabels(job, fn, series.metric),
          timestamps: Array.from(series.timestamps),
          values: Array.from(series.values),
        });
      }
    }
    return out;
  }

  private queryFor(job: JobConfig, fn: AnomalyFn, chunk: ScoringChunk): AnomalyQuery {
    const parsed = parseQuery(chunkQueryText(job, fn, chunk));
    if (parsed.kind !== 'anomaly') {
      throw new Error(`job ${job.name}: not an anomaly query`);
    }
    return parsed.query;
  }

  /**
   * Input labels (those the writer sets renamed: writtenLabelName) + job label + external labels, `__name__` = the
   * written metric; sorted by name, as remote write wants.
   */
  private writtenLabels(job: JobConfig, fn: AnomalyFn, input: Record<string, string>) {
    const writerNames = writerLabelNames(job, this.config.remoteWrite);
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      labels[name === '__name__' ? INPUT_METRIC_LABEL : writtenLabelName(name, writerNames)] = value;
    }
    labels[job.output.jobLabel] = job.name;
    Object.assign(labels, this.config.remoteWrite.externalLabels);
    labels.__name__ =
      fn === 'anomaly_score' ? job.output.score : fn === 'anomaly_flag' ? job.output.flag : job.output.threshold;
    return Object.keys(labels)
      .sort()
      .map((name) => ({ name, value: labels[name] }));
  }

  /** The unit (shard key) of a written series: the `by` labels of a multivariate job, else the input's labels. */
  unitLabelsOf(job: JobConfig, written: Record<string, string>): Record<string, string> {
    const options = job.parsed.options;
    const writerNames = writerLabelNames(job, this.config.remoteWrite);
    if (options.mode === 'multivariate' || options.by) {
      return Object.fromEntries(
        (options.by ?? []).map((name) => [name, written[writtenLabelName(name, writerNames)] ?? ''])
      );
    }
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(written)) {
      if (name !== '__name__' && !writerNames.has(name)) {
        labels[inputLabelName(name, writerNames)] = value;
      }
    }
    return labels;
  }

  private async loop(state: JobState): Promise<void> {
    const { inferEveryMs, delayMs } = state.job.schedule;
    while (!this.stopping.signal.aborted) {
      try {
        await this.runJob(state.job.name);
      } catch {
        // logged and counted by the run; the next run retries the same points
      }
      const next = alignDown(this.now() - delayMs, inferEveryMs) + inferEveryMs + delayMs;
      // In slices a timer can hold: setTimeout fires at once past 2^31 - 1 ms (~24.8 days), and an infer_every of 30d
      // ran the job every millisecond.
      while (!this.stopping.signal.aborted && this.now() < next) {
        await this.sleep(Math.min(MAX_TIMER_MS, next - this.now()));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.stopping.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * What /healthz answers: `failing` (503) while some job's last FAILED_RUNS_UNHEALTHY runs all failed, naming each
   * such job with its failed runs, since when, and its last error, or the target refused its last
   * REFUSED_BATCHES_UNHEALTHY batches (none accepted since), naming each such job with the target's status and answer
   * (the configured secrets removed); `ok` (200) otherwise.
   */
  health(): {
    status: 'ok' | 'failing';
    shard: string;
    queue: number;
    lastScored: Record<string, string | null>;
    failing?: Record<string, { failedRuns: number; since: string; lastError: string }>;
    refused?: Record<string, { status: number; batches: number; samples: number; since: string; answer: string }>;
  } {
    const states = [...this.jobs.values()];
    const failing = states.filter((s) => (s.failing?.runs ?? 0) >= FAILED_RUNS_UNHEALTHY);
    const refused = states.filter((s) => (s.refused?.batches ?? 0) >= REFUSED_BATCHES_UNHEALTHY);
    return {
      status: failing.length > 0 || refused.length > 0 ? 'failing' : 'ok',
      shard: `${this.config.shard.index}/${this.config.shard.count}`,
      queue: this.client.pending,
      lastScored: Object.fromEntries(
        states.map((s) => [s.job.name, s.newestWrittenMs === undefined ? null : logTime(s.newestWrittenMs)])
      ),
      ...(failing.length > 0 && {
        failing: Object.fromEntries(
          failing.map(({ job, failing: f }) => [
            job.name,
            { failedRuns: f!.runs, since: logTime(f!.sinceMs), lastError: f!.lastError },
          ])
        ),
      }),
      ...(refused.length > 0 && {
        refused: Object.fromEntries(
          refused.map(({ job, refused: r }) => [
            job.name,
            {
              status: r!.status,
              batches: r!.batches,
              samples: r!.samples,
              since: logTime(r!.sinceMs),
              answer: r!.body,
            },
          ])
        ),
      }),
    };
  }

  private listen(): Promise<{ url: string; port: number }> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method === 'GET' && path === '/metrics') {
        this.metrics.registry.metrics().then((text) => {
          response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
        });
      } else if (request.method === 'GET' && path === '/healthz') {
        const health = this.health();
        response
          .writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify(health));
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.listen.port, this.config.listen.host, () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : this.config.listen.port;
        const host = ['0.0.0.0', '::'].includes(this.config.listen.host) ? '127.0.0.1' : this.config.listen.host;
        resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port });
      });
    });
  }

  /**
   * Graceful shutdown: no new runs, the running ones finish, the queue is sent for at most shutdownGrace (what is
   * left then is dropped and counted), the HTTP server and the training threads stop.
   */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
    await Promise.all([...this.jobs.values()].map((s) => s.running));
    try {
      await this.client.close(this.config.shutdownGraceMs);
    } finally {
      // Also when the queue or the output file failed (an unwritable --output): the server and the training threads
      // held the process open for good.
      await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
      this.server?.closeAllConnections();
      await this.pool?.close();
    }
  }
}

/**
 * The newest point a run at `nowMs` may score (on the step grid): at or before now - delay, and for an InfluxQL
 * bucket, one whose whole bucket is (a bucket scored while samples may still come into it would keep a partial
 * mean, or be left out when it had none yet: runs never score a point twice).
 */
function latestScoredPoint(state: JobState, nowMs: number): number {
  const { stepMs, schedule } = state.job;
  return alignDown(nowMs - schedule.delayMs - (state.bucketMs ?? 0), stepMs);
}

/** Each series' samples after its last written one: the `behind` series' own, every other series' the cursor. */
function afterLastWritten(series: SinkSeries[], cursorMs: number, behind: Map<string, number>): SinkSeries[] {
  return series.flatMap((one) => {
    const key = seriesKey(one.labels);
    const afterMs = behind.get(key) ?? cursorMs;
    const first = one.timestamps.findIndex((t) => t > afterMs);
    if (first < 0) {
      return [];
    }
    return [{ labels: one.labels, timestamps: one.timestamps.slice(first), values: one.values.slice(first) }];
  });
}

/** What a failure says, with an upstream's own answer to the writer's query (why it refused it) when it gave one. */
export function failureText(error: unknown): string {
  if (error instanceof UpstreamPassThroughError) {
    const said = upstreamErrorText(error.body);
    return said ? `${error.message}: ${said}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The `error` of a Prometheus error answer, else the answer's start: what the upstream said, on one line. */
function upstreamErrorText(body: string): string {
  try {
    const answer = JSON.parse(body) as { error?: unknown };
    if (typeof answer.error === 'string') {
      return answer.error;
    }
  } catch {
    // not JSON: its text
  }
  return body.slice(0, 200).replace(/\s+/g, ' ').trim();
}

/** A time in a log line: ISO 8601, as the resume lines give theirs (epoch milliseconds were read as numbers). */
function logTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * What to do about a backfill the target refused with `status`: its credentials (401, 403), else Prometheus' window
 * for samples older than its newest ones (an install review: the window was advised for a wrong password too).
 */
function refusalAdvice(status: number): string {
  if (status === 401 || status === 403) {
    return "The target refused the writer's credentials: check remoteWrite.auth (docs/scale.md)";
  }
  return (
    'A Prometheus takes samples older than its newest ones only with storage.tsdb.out_of_order_time_window set; or ' +
    'write the backfill to a file with --output and load it with promtool (docs/scale.md)'
  );
}
