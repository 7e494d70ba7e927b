/**
 * The one place the proxy talks HTTP to upstreams. The URL is always the configured base URL plus a path constant
 * chosen by the proxy's code, so nothing in a query can reach another host or path.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { UpstreamConfig } from '../config';
import { PromApiError } from '../errors';
import { abortReason } from '../query/cancellation';
import { formatDuration } from '../time';

export interface UpstreamResponse<Body = string> {
  status: number;
  contentType: string;
  body: Body;
}

/** Called on every failed upstream call, with a kind like "unreachable", "timeout", "bad_answer", "http_5xx". */
export type UpstreamErrorListener = (upstream: string, kind: string) => void;

/** Called with +1 when a request is sent and -1 when it is answered or given up. */
export type InFlightListener = (upstream: string, change: 1 | -1) => void;

export class UpstreamHttp {
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
    return this.exchange(path, params, method, clientSignal, {}, async (response) => response.text());
  }

  /**
   * Sends a request and hands back the answer's body as a stream, for pass-through: its bytes go to the client as
   * they arrive, neither parsed nor re-serialised. Uncompressed (`accept-encoding: identity`), so they need no
   * decoding either; the upstream's timeout still bounds reading the body.
   */
  stream(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal?: AbortSignal
  ): Promise<UpstreamResponse<Readable>> {
    return this.exchange(path, params, method, clientSignal, { 'accept-encoding': 'identity' }, async (response) =>
      response.body ? Readable.fromWeb(response.body as NodeWebReadableStream) : Readable.from([])
    );
  }

  private async exchange<Body>(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal: AbortSignal | undefined,
    extraHeaders: Record<string, string>,
    readBody: (response: Response) => Promise<Body>
  ): Promise<UpstreamResponse<Body>> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = clientSignal ? AbortSignal.any([timeout, clientSignal]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders, ...this.authHeaders() };
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
      const response = await fetch(url, { method, headers, body, signal, redirect: 'manual' });
      const answer = await readBody(response);
      if (response.status >= 500) {
        this.onError(this.name, 'http_5xx');
      }
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? 'application/json',
        body: answer,
      };
    } catch (error) {
      if (timeout.aborted) {
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
      this.onInFlight(this.name, -1);
    }
  }

  /** Records a bad answer (wrong shape) and builds the 502 error for it. */
  badAnswer(what: string): PromApiError {
    this.onError(this.name, 'bad_answer');
    return new PromApiError(502, 'internal', `upstream "${this.name}" gave an invalid answer: ${what}`);
  }

  private authHeaders(): Record<string, string> {
    const { auth } = this.config;
    const headers: Record<string, string> = { ...(auth.headers ?? {}) };
    if (auth.basic) {
      headers.authorization = `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
    } else if (auth.bearer) {
      headers.authorization = `Bearer ${auth.bearer.token}`;
    }
    return headers;
  }
}

/** undici reports "fetch failed" with the real reason (ECONNREFUSED ...) in `cause`. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) {
    return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  }
  return cause?.message ?? (error as Error).message ?? String(error);
}
