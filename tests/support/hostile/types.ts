/** One hostile request of the corpus (tests/integration/proxyHostile.test.ts) and what the proxy must answer. */
import { RawAnswer } from '../rawHttp';
import { TelemetryDataset } from '../telemetryDataset';

export type HostileClass =
  'auth' | 'http' | 'influxql' | 'times' | 'options' | 'cost' | 'promql' | 'body' | 'disconnect' | 'passthrough';

export interface HostileTarget {
  port: number;
  url: string;
  dataset: TelemetryDataset;
}

export interface HostileCase {
  class: HostileClass;
  name: string;
  send(target: HostileTarget): Promise<RawAnswer>;
  status: number;
  errorType: string;
  /** What the error message must say (e.g. the limit it names). */
  error: RegExp;
  /** The refusal comes after the upstream answered (e.g. too many samples came back): it may count requests. */
  mayAskUpstream?: boolean;
  /**
   * The client goes away instead of reading an answer (status 0, no body): the proxy must stop the work, which
   * `telemetry_proxy_queries_aborted_total` counts once its handler ran, having asked the upstreams at most this often.
   */
  clientLeaves?: { handlerRuns: boolean; upstreamRequestsAtMost: number };
  /**
   * The proxy read the whole body before its answer and keeps the connection (no `Connection: close`); the client
   * hangs up itself once answered (rawHttp's `answer: 'complete'`).
   */
  keepsConnection?: boolean;
}
