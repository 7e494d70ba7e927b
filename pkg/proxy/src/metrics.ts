/** The proxy's own Prometheus metrics, in a registry per proxy instance (several proxies may run in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type RemovedFile, UPSTREAM_ERROR_KINDS } from '@telemetry-analyzer/query';

/** The proxy's two concurrency limits, as its gauges read them. */
type WatchedLimits = Record<'trainings' | 'queries', { runningCount: number; waitingCount: number }>;

/** Gauges of the limits: name, help, what they read. */
const LIMIT_GAUGES: Array<[string, string, (limits: WatchedLimits) => number]> = [
  [
    'telemetry_proxy_anomaly_queries_in_flight',
    'Anomaly queries under way, at most limits.maxQueriesInFlight.',
    (limits) => limits.queries.runningCount,
  ],
  [
    'telemetry_proxy_anomaly_queries_waiting',
    'Anomaly queries waiting for a turn of limits.maxQueriesInFlight.',
    (limits) => limits.queries.waitingCount,
  ],
  [
    'telemetry_proxy_trainings_running',
    'Trainings under way (cold models, online queries), at most limits.maxConcurrency.',
    (limits) => limits.trainings.runningCount,
  ],
  [
    'telemetry_proxy_trainings_waiting',
    'Trainings waiting for a turn of limits.maxConcurrency (queries whose models are cached never wait).',
    (limits) => limits.trainings.waitingCount,
  ],
];

/** Why a request's work stopped (its Prometheus errorType). */
const ABORT_REASONS = ['canceled', 'timeout', 'unavailable'] as const;
/** Why a model file left the store. */
const REMOVAL_REASONS: Array<RemovedFile['reason']> = ['bytes', 'age'];

export class ProxyMetrics {
  readonly registry = new Registry();
  private limits?: WatchedLimits;

  readonly requests = new Counter({
    name: 'telemetry_proxy_http_requests_total',
    help: 'HTTP requests answered, by endpoint and status code.',
    labelNames: ['endpoint', 'code'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'telemetry_proxy_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly connectionsDropped = new Counter({
    name: 'telemetry_proxy_connections_dropped_total',
    help: 'Client connections closed as they were accepted because server.maxConnections were open.',
    registers: [this.registry],
  });

  readonly answersStalled = new Counter({
    name: 'telemetry_proxy_answers_stalled_total',
    help: 'Client connections closed because their answer could not be written any further for server.writeTimeout.',
    registers: [this.registry],
  });

  readonly trainings = new Counter({
    name: 'telemetry_proxy_model_trainings_total',
    help: 'Models trained (each AnomalyDetector.train call that succeeded).',
    registers: [this.registry],
  });

  readonly trainingFailures = new Counter({
    name: 'telemetry_proxy_model_training_failures_total',
    help: 'Series or groups whose model could not be trained (too little or unusable data).',
    registers: [this.registry],
  });

  readonly trainingDuration = new Histogram({
    name: 'telemetry_proxy_model_training_duration_seconds',
    help: 'Time to train one model.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly modelsInCache = new Gauge({
    name: 'telemetry_proxy_models_in_cache',
    help: 'Trained models held in memory (bounded by modelCache.maxModels and modelCache.maxBytes).',
    registers: [this.registry],
  });

  readonly modelEvictions = new Counter({
    name: 'telemetry_proxy_model_evictions_total',
    help: 'Models dropped from memory to stay within modelCache.maxModels or maxBytes (rising with trainings: raise them).',
    registers: [this.registry],
  });

  readonly modelBytes = new Gauge({
    name: 'telemetry_proxy_model_bytes',
    help: 'Bytes the models in memory hold (their trees and scalers; bounded by modelCache.maxBytes).',
    registers: [this.registry],
  });

  readonly scoreCacheBytes = new Gauge({
    name: 'telemetry_proxy_score_cache_bytes',
    help: 'Bytes of scored rows the models keep for warm queries (bounded by scoreCache.maxBytes).',
    registers: [this.registry],
  });

  readonly modelStoreLoads = new Counter({
    name: 'telemetry_proxy_model_store_loads_total',
    help: 'Models loaded from the model store directory instead of being trained.',
    registers: [this.registry],
  });

  readonly modelStoreSaveFailures = new Counter({
    name: 'telemetry_proxy_model_store_save_failures_total',
    help: 'Trained models that could not be written to the model store (served from memory, lost at a restart).',
    registers: [this.registry],
  });

  readonly modelStoreBytes = new Gauge({
    name: 'telemetry_proxy_model_store_bytes',
    help: 'Bytes of the model files in the model store directory (bounded by modelStore.maxBytes).',
    registers: [this.registry],
  });

  readonly modelStoreRemovals = new Counter({
    name: 'telemetry_proxy_model_store_removals_total',
    help: 'Model files removed from the store, by reason: bytes (modelStore.maxBytes, least recently used first) or age (modelStore.maxAge).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly rowsScored = new Counter({
    name: 'telemetry_proxy_rows_scored_total',
    help: 'Table rows scored by the engine for anomaly queries (new or changed rows, and the warm-up history around them).',
    registers: [this.registry],
  });

  readonly rowsFromCache = new Counter({
    name: 'telemetry_proxy_rows_from_cache_total',
    help: "Scored rows reused from the model's previous request instead of being scored again.",
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'telemetry_proxy_upstream_errors_total',
    help: 'Failed upstream calls, by upstream and kind (unreachable, timeout, bad_answer, http_5xx, too_large).',
    labelNames: ['upstream', 'kind'] as const,
    registers: [this.registry],
  });

  readonly queriesAborted = new Counter({
    name: 'telemetry_proxy_queries_aborted_total',
    help: 'Requests whose work was stopped before it finished, by reason: canceled (client gone), timeout (limits.queryTimeout), unavailable (shutdown).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly upstreamRequestsInFlight = new Gauge({
    name: 'telemetry_proxy_upstream_requests_in_flight',
    help: 'Requests sent to an upstream and not yet answered or given up, by upstream.',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  readonly secretsRedacted = new Counter({
    name: 'telemetry_proxy_secrets_redacted_total',
    help: 'Error answers a configured secret was redacted from (an upstream echoing credentials, or a client probing guesses).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'telemetry_proxy_' });
    // The proxy's two limits, read whenever /metrics is scraped (watchLimits).
    for (const [name, help, read] of LIMIT_GAUGES) {
      const gauge: Gauge = new Gauge({
        name,
        help,
        registers: [this.registry],
        collect: () => gauge.set(this.limits ? read(this.limits) : 0),
      });
    }
  }

  /**
   * Every documented label value of the counters that count failures, at 0 from the start: a rule on
   * `rate(telemetry_proxy_queries_aborted_total{reason="canceled"}[5m])` or an upstream's errors has a series to read
   * before the first failure (an install review found them absent on a healthy proxy).
   */
  startAtZero(upstreamNames: string[], modelStore: boolean): void {
    for (const upstream of upstreamNames) {
      for (const kind of UPSTREAM_ERROR_KINDS) {
        this.upstreamErrors.inc({ upstream, kind }, 0);
      }
    }
    for (const reason of ABORT_REASONS) {
      this.queriesAborted.inc({ reason }, 0);
    }
    if (modelStore) {
      for (const reason of REMOVAL_REASONS) {
        this.modelStoreRemovals.inc({ reason }, 0);
      }
    }
  }

  /** The limits the gauges read whenever /metrics is scraped. */
  watchLimits(limits: WatchedLimits): void {
    this.limits = limits;
  }
}
