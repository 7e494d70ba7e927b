/** `@telemetry-analyzer/proxy`: a Prometheus-compatible HTTP API that adds anomaly functions over Prometheus and InfluxDB. */
export { loadConfig, parseConfig, ConfigError } from './config';
export type {
  ProxyConfig,
  UpstreamConfig,
  UpstreamAuth,
  EngineDefaults,
  IncomingAuth,
  Limits,
  ServerSettings,
} from './config';
export { startProxy, startProxyFromConfigFile, buildProxy } from './server';
export { MAX_WAITING_PER_CONNECTION } from './http/requestTurns';
export type { RunningProxy, ProxyOptions } from './server';
export { parseQuery, ANOMALY_FUNCTIONS } from '@telemetry-analyzer/query';
export type { AnomalyQuery, AnomalyOptions, AnomalyFunction, ParsedQuery } from '@telemetry-analyzer/query';
export { ModelStoreDirectoryError, PromApiError, QueryParseError } from '@telemetry-analyzer/query';
