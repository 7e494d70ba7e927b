/**
 * `@telemetry-analyzer/query`: what the anomaly proxy and the writer share beneath them — the anomaly query grammar,
 * the Prometheus and InfluxDB upstream clients (with the read-only InfluxQL gate), the model store and caches, the
 * training pool, and the evaluator that turns an anomaly query and a range into scores. One code path, so that a
 * written anomaly_score equals what the proxy answers for the same query and options.
 */
export * from './config';
export * from './errors';
export * from './time';
export * from './query/anomalyQuery';
export * from './query/anomalyEvaluator';
export { formatSampleValue } from './query/answerShape';
export * from './query/cancellation';
export * from './query/costLimits';
export * from './query/fastForward';
export { fewestTrainingPoints, resolveSettings } from './query/evaluationPlan';
export {
  checkPromqlTokensCost,
  checkSubquerySeries,
  type PromqlFetch,
  ASSUMED_EVALUATION_INTERVAL_MS,
} from './query/promqlCost';
export { prometheusSeriesCount } from './upstreams/prometheusUpstream';
export * from './query/onlineScoring';
export * from './query/scoreCache';
export * from './query/seriesFetch';
export * from './query/seriesTables';
export * from './models/lruCache';
export * from './models/modelKey';
export * from './models/modelRepository';
export * from './models/modelStore';
export * from './models/singleFlight';
export * from './models/storeRetention';
export * from './training/trainingPool';
export * from './training/concurrencyLimit';
export * from './upstreams/series';
export * from './upstreams/upstreamHttp';
export * from './upstreams/authHeaders';
export { blockedPortProblem } from './upstreams/fetchPorts';
export * from './upstreams/prometheusUpstream';
export * from './upstreams/prometheusSelection';
export * from './upstreams/influxUpstream';
export * from './upstreams/influxql/readOnlySelect';
export { spelledStrings } from './query/spelledStrings';
export { tokenize, type Token } from './query/lexer';
export { selectorsOf, LOOKBACK_MS } from './query/operandSelectors';
export { tokenizeInfluxql, MACROS, type InfluxToken, type InfluxTokenType } from './upstreams/influxql/influxqlLexer';
export { createLogLineRedactor, createLogTextRedactor, createRedactor } from './redact';
