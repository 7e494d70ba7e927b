/**
 * The one place the proxy talks HTTP to upstreams. The URL is always the configured base URL plus a path constant
 * chosen by the proxy's code, so nothing in a query can reach another host or path.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { UpstreamConfig } from '../config';
import { authHeaders } from './authHeaders';
import { PromApiError } from '../errors';
import { abortReason } from '../query/cancellation';
import { formatDuration } from '../time';

export interface UpstreamResponse<Body = string> {
  status: number;
  contentType: string;
  body: Body;
  /** The body's length as the upstream declared it (content-length), when it did: pass-through keeps it. */
  contentLength?: string;
}

/** Called on every failed upstream call, with a kind like "unreachable", "timeout", "bad_answer", "http_5xx". */
export type UpstreamErrorListener = (upstream: string, kind: string) => void;

/** Called with +1 when a request is sent and -1 when it is answered or given up. */
export type InFlightListener = (upstream: string, change: 1 | -1) => void;

const JSON_TYPE = 'application/json';

/** One request as the proxy sends it, whichever HTTP client carries it. */
interface OutgoingRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
}

export class UpstreamHttp {
  /** Keep-alive connections for streamed pass-through (fetch keeps its own). */
  private readonly agents: Record<string, http.Agent> = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };

  /** The configured base URL, parsed once: a URL string per request would be parsed again on every call. */
  private target?: ReturnType<typeof requestTarget>;

  constructor(
    readonly config: UpstreamConfig,
    private readonly onError: UpstreamErrorListener,
    private readonly onInFlight: InFlightListener = () => undefined
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** Sends a request; network failures and timeouts become 503 Prometheus errors (never a cached failure). */
  send(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST' = 'GET',
    clientSignal?: AbortSignal
  ): Promise<UpstreamResponse> {
    return this.exchange(path, params, method, clientSignal, async ({ url, ...init }) => {
      const response = await fetch(url, { ...init, redirect: 'manual' });
      const body = await response.text();
      return { status: response.status, contentType: response.headers.get('content-type') ?? JSON_TYPE, body };
    });
  }

  /**
   * Sends a request and hands back the answer's body as a stream, for pass-through: its bytes go to the client as
   * they arrive, neither parsed nor re-serialised. Plain node:http on a keep-alive agent (no web-stream layer) and
   * uncompressed (`accept-encoding: identity`), so the bytes need no decoding; the upstream's timeout still bounds
   * reading the body.
   */
  async stream(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal?: AbortSignal
  ): Promise<UpstreamResponse<Readable>> {
    const answer = await this.exchange<Readable>(
      path,
      params,
      method,
      clientSignal,
      ({ url, headers, body, ...init }) =>
        new Promise((resolve, reject) => {
          const { basePath, ...target } = (this.target ??= requestTarget(this.config.url));
          const request = (target.protocol === 'https:' ? https : http).request(
            {
              ...init,
              ...target,
              path: basePath + url.slice(this.config.url.length),
              headers: { ...headers, 'accept-encoding': 'identity' },
              agent: this.agents[target.protocol],
            },
            (response) =>
              resolve({
                status: response.statusCode ?? 502,
                contentType: response.headers['content-type'] ?? JSON_TYPE,
                contentLength: response.headers['content-length'],
                body: response,
              })
          );
          request.on('error', reject);
          request.end(body);
        })
    );
    // The body, too, must arrive within the upstream's timeout (the request's own timer ended with the headers).
    const bodyTimer = setTimeout(
      () => answer.body.destroy(new Error(`upstream "${this.name}" did not send its answer within its timeout`)),
      this.config.timeoutMs
    );
    answer.body.once('close', () => clearTimeout(bodyTimer));
    return answer;
  }

  private async exchange<Body>(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal: AbortSignal | undefined,
    transport: (request: OutgoingRequest) => Promise<UpstreamResponse<Body>>
  ): Promise<UpstreamResponse<Body>> {
    // One controller and timer per request: AbortSignal.any/timeout cost ~150 µs each and live until GC.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.config.timeoutMs);
    const onClientAbort = () => controller.abort();
    clientSignal?.addEventListener('abort', onClientAbort, { once: true });
    const signal = controller.signal;
    const headers: Record<string, string> = { accept: 'application/json', ...this.authHeaders() };
    let url = this.config.url + path;
    let body: string | undefined;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = params.toString();
    } else if ([...params.keys()].length > 0) {
      url += `?${params.toString()}`;
    }
    this.onInFlight(this.name, 1);
    try {
      const answer = await transport({ url, method, headers, body, signal });
      if (answer.status >= 500) {
        this.onError(this.name, 'http_5xx');
      }
      return answer;
    } catch (error) {
      if (timedOut) {
        this.onError(this.name, 'timeout');
        throw new PromApiError(
          503,
          'timeout',
          `upstream "${this.name}" did not answer within ${formatDuration(this.config.timeoutMs)}`
        );
      }
      if (clientSignal?.aborted) {
        throw abortReason(clientSignal);
      }
      this.onError(this.name, 'unreachable');
      throw new PromApiError(503, 'unavailable', `upstream "${this.name}" unreachable: ${describeFetchError(error)}`);
    } finally {
      clearTimeout(timer);
      clientSignal?.removeEventListener('abort', onClientAbort);
      this.onInFlight(this.name, -1);
    }
  }

  /** Records a bad answer (wrong shape) and builds the 502 error for it. */
  badAnswer(what: string): PromApiError {
    this.onError(this.name, 'bad_answer');
    return new PromApiError(502, 'internal', `upstream "${this.name}" gave an invalid answer: ${what}`);
  }

  private authHeaders(): Record<string, string> {
    return authHeaders(this.config.auth);
  }
}

/** node:http's request options for the base URL (`http://host:port/prefix`), and its path prefix. */
function requestTarget(baseUrl: string) {
  const url = new URL(baseUrl);
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal without its brackets
    port: url.port,
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/** undici reports "fetch failed" with the real reason (ECONNREFUSED ...) in `cause`; node:http on the error. */
function describeFetchError(error: unknown): string {
  // node:http reports the code on the error itself.
  type Described = { code?: string; message?: string };
  const cause = (error as { cause?: Described }).cause ?? (error as Described);
  if (cause?.code) {
    return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  }
  return cause?.message ?? (error as Error).message ?? String(error);
}
