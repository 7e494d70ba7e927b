/**
 * /readyz: the config is loaded (we are running) and the default upstream, the one plain PromQL and Grafana's health
 * check go to, answers its health endpoint. Another upstream that does not answer is reported (status "degraded")
 * without failing readiness: a readiness probe would take the proxy out of service for every query because one
 * secondary database is down (an install review). Cached briefly.
 */
import { UpstreamHttp } from '@telemetry-analyzer/query';

export interface ReadinessReport {
  /** The default upstream answers. */
  ready: boolean;
  /** Every upstream answers. */
  allUp: boolean;
  upstreams: Record<string, { ok: boolean; detail: string }>;
}

const CACHE_MS = 5_000;

export class Readiness {
  private cached?: { at: number; report: Promise<ReadinessReport> };

  constructor(
    private readonly upstreams: Map<string, UpstreamHttp>,
    private readonly defaultUpstream: string,
    private readonly now: () => number = Date.now
  ) {}

  check(): Promise<ReadinessReport> {
    if (!this.cached || this.now() - this.cached.at > CACHE_MS) {
      this.cached = { at: this.now(), report: this.probeAll() };
    }
    return this.cached.report;
  }

  private async probeAll(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.upstreams.values()].map(async (upstream) => [upstream.name, await probe(upstream)] as const)
    );
    const upstreams = Object.fromEntries(entries);
    return {
      ready: upstreams[this.defaultUpstream]?.ok ?? false,
      allUp: entries.every(([, result]) => result.ok),
      upstreams,
    };
  }
}

/**
 * Prometheus answers /-/ready (behind its web config's auth, if any). InfluxDB 1.x answers /ping to anyone, so it is
 * asked `SHOW DATABASES` with the proxy's credentials instead: an install review saw /readyz "ready" while every
 * InfluxQL query failed with 401 (a bearer token, which InfluxDB 1.x takes only as a JWT). Any user may run it.
 */
function probeRequest(upstream: UpstreamHttp): { path: string; params: URLSearchParams } {
  return upstream.config.type === 'prometheus'
    ? { path: '/-/ready', params: new URLSearchParams() }
    : { path: '/query', params: new URLSearchParams({ q: 'SHOW DATABASES' }) };
}

async function probe(upstream: UpstreamHttp): Promise<{ ok: boolean; detail: string }> {
  const { path, params } = probeRequest(upstream);
  try {
    const response = await upstream.send(path, params);
    return response.status < 400
      ? { ok: true, detail: `HTTP ${response.status}` }
      : { ok: false, detail: `HTTP ${response.status} from ${path}` };
  } catch (error) {
    // What failed, not where: /readyz needs no credentials by default, and the cause of a network error names the
    // upstream's internal address (connect ECONNREFUSED 10.0.0.5:9090); an authenticated query to it says it all.
    return { ok: false, detail: (error as Error).message.split(':')[0] };
  }
}
