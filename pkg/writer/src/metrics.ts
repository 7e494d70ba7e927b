/** The writer's Prometheus metrics (GET /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class WriterMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'telemetry_writer_runs_total',
    help: 'Scoring runs per job, by outcome (ok, failed)',
    labelNames: ['job', 'outcome'],
    registers: [this.registry],
  });
  readonly pointsRead = new Counter({
    name: 'telemetry_writer_points_read_total',
    help: 'Points (samples of all series) read from the upstream per job, for scoring and for training; a shard counts only the series it reads',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly pointsScored = new Counter({
    name: 'telemetry_writer_points_scored_total',
    help: 'Rows the engine scored, per job (a multivariate row counts once)',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly seriesListings = new Counter({
    name: 'telemetry_writer_series_listings_total',
    help: "Times a shard listed its selector's series (/api/v1/series) instead of reusing its listing, per job",
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly samplesQueued = new Counter({
    name: 'telemetry_writer_samples_queued_total',
    help: 'Samples (score, flag, threshold) queued for remote write, per job',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly samplesWritten = new Counter({
    name: 'telemetry_writer_samples_written_total',
    help: 'Samples the remote-write target accepted',
    registers: [this.registry],
  });
  readonly samplesResent = new Counter({
    name: 'telemetry_writer_samples_resent_total',
    help: 'Samples a backfill sent again because reading the target back found them missing after it had accepted them, per job',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly samplesDropped = new Counter({
    name: 'telemetry_writer_samples_dropped_total',
    help: 'Samples dropped: queue_full (beyond remoteWrite.queueSamples) or shutdown (still queued at the end of the grace)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly samplesRejected = new Counter({
    name: 'telemetry_writer_samples_rejected_total',
    help: 'Samples the target refused with a 4xx other than 429 (not retried)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly writeFailures = new Counter({
    name: 'telemetry_writer_write_failures_total',
    help: 'Remote-write requests that failed and were retried (5xx, 429, network)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly writeDuration = new Histogram({
    name: 'telemetry_writer_write_duration_seconds',
    help: 'Successful remote-write requests',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly queueSamples = new Gauge({
    name: 'telemetry_writer_queue_samples',
    help: 'Samples queued or in flight',
    registers: [this.registry],
  });
  readonly lastWritten = new Gauge({
    name: 'telemetry_writer_last_scored_timestamp_seconds',
    help: 'Newest point of a job the remote-write target accepted',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'telemetry_writer_lag_seconds',
    help: 'Real time minus the newest point of a job the remote-write target accepted (or the start, before any)',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly models = new Gauge({
    name: 'telemetry_writer_models',
    help: 'Models a job holds in memory',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly modelBytes = new Gauge({
    name: 'telemetry_writer_model_bytes',
    help: "Bytes a job's models in memory hold (their trees and scalers), without their score caches",
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly scoreCacheBytes = new Gauge({
    name: 'telemetry_writer_score_cache_bytes',
    help: "Bytes of scored rows a job's models keep for its next run",
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly trainings = new Counter({
    name: 'telemetry_writer_trainings_total',
    help: 'Models trained, per job',
    labelNames: ['job'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'telemetry_writer_' });
  }
}
