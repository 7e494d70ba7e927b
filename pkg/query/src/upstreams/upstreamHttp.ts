/**
 * The one place the proxy talks HTTP to upstreams. The URL is always the configured base URL plus a path constant
 * chosen by the proxy's code, so nothing in a query can reach another host or path.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { DEFAULT_MAX_UPSTREAM_ANSWER_BYTES, UpstreamConfig } from '../config';
import { authHeaders } from './authHeaders';
import { PromApiError } from '../errors';
import { Cancellation, abortReason } from '../query/cancellation';
import { formatDuration } from '../time';

export interface UpstreamResponse<Body = string> {
  status: number;
  contentType: string;
  body: Body;
  /** The body's length as the upstream declared it (content-length), when it did: pass-through keeps it. */
  contentLength?: string;
}

/**
 * The largest error answer (HTTP 4xx/5xx) read: Prometheus' and InfluxDB's are a line of JSON. Read whole and searched
 * for the proxy's secrets on the event loop, a 120 MB one held it (and /healthz) for seconds.
 */
export const MAX_ERROR_ANSWER_BYTES = 2 ** 20;

/** Called on every failed upstream call, with a kind like "unreachable", "timeout", "bad_answer", "http_5xx". */
/** Kinds of failed upstream calls (a metric's label values: every one is exported from the start, at 0). */
export const UPSTREAM_ERROR_KINDS = ['unreachable', 'timeout', 'bad_answer', 'http_5xx', 'too_large'] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

export type UpstreamErrorListener = (upstream: string, kind: UpstreamErrorKind) => void;

/** Called with +1 when a request is sent and -1 when it is answered or given up. */
export type InFlightListener = (upstream: string, change: 1 | -1) => void;

const JSON_TYPE = 'application/json';

/** One request as the proxy sends it, whichever HTTP client carries it. */
interface OutgoingRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

/** A request under way: its answer, and how to give it up (timeout, client gone). */
interface Exchange<Body> {
  answer: Promise<UpstreamResponse<Body>>;
  cancel(): void;
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
    private readonly onInFlight: InFlightListener = () => undefined,
    /** limits.maxUpstreamAnswerBytes: the largest answer send() reads into memory. */
    readonly maxAnswerBytes: number = DEFAULT_MAX_UPSTREAM_ANSWER_BYTES
  ) {}

  get name(): string {
    return this.config.name;
  }

  /**
   * Sends a request and reads its answer into memory, at most maxAnswerBytes of it (decoded): a larger answer is
   * given up as soon as it is known to be larger (its declared length, else the byte that passes the limit) → 422
   * naming limits.maxUpstreamAnswerBytes. Network failures and timeouts become 503 Prometheus errors (never a cached
   * failure).
   */
  send(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST' = 'GET',
    clientSignal?: Cancellation
  ): Promise<UpstreamResponse> {
    return this.sendReading(path, params, method, clientSignal, false) as Promise<UpstreamResponse>;
  }

  /**
   * send(), with a successful answer's body as the chunks read: neither joined nor decoded, so that a worker thread
   * can be handed them (transferred) and do both (a 40 MB answer's Buffer.concat, UTF-8 decoding and structured clone
   * of the string held the event loop for ~0.7 s). An error answer is text as with send().
   */
  sendChunks(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST' = 'GET',
    clientSignal?: Cancellation
  ): Promise<UpstreamResponse<string | Uint8Array[]>> {
    return this.sendReading(path, params, method, clientSignal, true);
  }

  private sendReading(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal: Cancellation | undefined,
    asChunks: boolean
  ): Promise<UpstreamResponse<string | Uint8Array[]>> {
    return this.exchange(path, params, method, clientSignal, ({ url, ...init }) => {
      const controller = new AbortController();
      const answer = (async () => {
        const response = await fetch(url, { ...init, signal: controller.signal, redirect: 'manual' });
        const refused = this.notAnAnswer(response.status);
        if (refused) {
          controller.abort();
          throw refused;
        }
        const declared = response.headers.has('content-encoding')
          ? undefined // the declared length is the encoded one; the decoded bytes are counted as they come
          : Number(response.headers.get('content-length') ?? NaN);
        if (declared !== undefined && declared > this.maxAnswerBytes) {
          controller.abort();
          throw this.answerTooLarge(`: its content-length is ${declared}`);
        }
        // An error answer is read whole and searched for secrets on the event loop: it is kept small.
        const failed = response.status >= 400;
        const chunks = await readBoundedChunks(
          response.body,
          failed ? MAX_ERROR_ANSWER_BYTES : this.maxAnswerBytes,
          () => {
            controller.abort();
            return failed ? this.errorAnswerTooLarge(response.status) : this.answerTooLarge('');
          }
        );
        const body = asChunks && !failed ? chunks.chunks : Buffer.concat(chunks.chunks, chunks.bytes).toString('utf8');
        return { status: response.status, contentType: response.headers.get('content-type') ?? JSON_TYPE, body };
      })();
      return { answer, cancel: () => controller.abort() };
    });
  }

  /**
   * A redirect (or an interim status) is no answer: it is not followed (the proxy reaches its upstreams only), and
   * read as one, a redirect's JSON body made an anomaly query a success with no series and /readyz count the upstream
   * up; passed on, it would send the client nowhere (its Location is not passed). Every read refuses it (502).
   */
  private notAnAnswer(status: number): PromApiError | undefined {
    return status < 200 || (status >= 300 && status < 400)
      ? this.badAnswer(`HTTP ${status}, not an API answer (redirects are not followed)`)
      : undefined;
  }

  /**
   * Sends a request and hands back the answer's body as a stream, for pass-through: its bytes go to the client as
   * they arrive, neither parsed nor re-serialised. Plain node:http on a keep-alive agent (no web-stream layer, no
   * AbortSignal: giving up destroys the request) and uncompressed (`accept-encoding: identity`), so the bytes need no
   * decoding. An answer in any other encoding (an upstream, or a gateway before it, that compresses anyway) is a bad
   * answer (502, naming it): decoded on the way, it was unbounded (an attack review: a 611 KB gzip answer reached the
   * client as 629 MB of a plain query's answer), and passed on encoded it would need the client to accept it. The
   * upstream's timeout and the client's cancellation still bound reading the body.
   */
  async stream(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal?: Cancellation
  ): Promise<UpstreamResponse<Readable>> {
    const answer = await this.exchange<Readable>(path, params, method, clientSignal, ({ url, headers, body }) => {
      const { basePath, ...target } = (this.target ??= requestTarget(this.config.url));
      let request!: http.ClientRequest;
      const answer = new Promise<UpstreamResponse<Readable>>((resolve, reject) => {
        request = (target.protocol === 'https:' ? https : http).request(
          {
            method,
            ...target,
            path: basePath + url.slice(this.config.url.length),
            headers: { ...headers, 'accept-encoding': 'identity' },
            agent: this.agents[target.protocol],
          },
          (response) => {
            const refused = this.notAnAnswer(response.statusCode ?? 502);
            if (refused) {
              response.destroy();
              reject(refused);
              return;
            }
            const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
            if (encoding !== '' && encoding !== 'identity') {
              response.destroy();
              reject(this.badAnswer(`content-encoding ${JSON.stringify(encoding)}, not identity as asked`));
              return;
            }
            resolve({
              status: response.statusCode ?? 502,
              contentType: response.headers['content-type'] ?? JSON_TYPE,
              contentLength: response.headers['content-length'],
              body: response,
            });
          }
        );
        request.on('error', reject);
        request.end(body);
      });
      return { answer, cancel: () => request.destroy(new Error('request given up')) };
    });
    // The body, too, must arrive within the upstream's timeout (the request's own timer ended with the headers),
    // and stops when the client's work is cancelled.
    const stop = () => answer.body.destroy(clientSignal?.aborted ? abortReason(clientSignal) : undefined);
    const bodyTimer = setTimeout(() => {
      this.onError(this.name, 'timeout');
      answer.body.destroy(
        new PromApiError(
          503,
          'timeout',
          `upstream "${this.name}" did not send its whole answer within ${formatDuration(this.config.timeoutMs)}`
        )
      );
    }, this.config.timeoutMs);
    clientSignal?.addEventListener('abort', stop);
    answer.body.once('close', () => {
      clearTimeout(bodyTimer);
      clientSignal?.removeEventListener('abort', stop);
    });
    return answer;
  }

  private async exchange<Body>(
    path: string,
    params: URLSearchParams,
    method: 'GET' | 'POST',
    clientSignal: Cancellation | undefined,
    transport: (request: OutgoingRequest) => Exchange<Body>
  ): Promise<UpstreamResponse<Body>> {
    if (clientSignal?.aborted) {
      throw abortReason(clientSignal);
    }
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
    const sent = transport({ url, method, headers, body });
    // Given up (timeout, client gone), the request ends here whether or not the transport settles: a fetch aborted
    // while its body arrived could leave the body's read pending for good (nodejs/undici#4089), and its query, holding
    // a turn of limits.maxQueriesInFlight, never answered (an attack review: 3 of 40 under load).
    let giveUp!: (reason: Error) => void;
    const givenUp = new Promise<never>((_resolve, reject) => (giveUp = reject));
    sent.answer.catch(() => undefined); // what it fails with once given up is nobody's concern
    const cancel = () => {
      sent.cancel();
      giveUp(new Error('request given up'));
    };
    // One timer per request, and no AbortSignal of our own: AbortSignal.any/timeout cost ~150 µs each, an
    // AbortController with a listener tens of µs on a busy machine.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      cancel();
    }, this.config.timeoutMs);
    clientSignal?.addEventListener('abort', cancel, { once: true });
    try {
      const answer = await Promise.race([sent.answer, givenUp]);
      if (answer.status >= 500) {
        this.onError(this.name, 'http_5xx');
      }
      return answer;
    } catch (error) {
      if (error instanceof AnswerTooLargeError || (error instanceof PromApiError && !timedOut)) {
        throw error; // the answer came, and was judged (too large, an encoding it cannot read)
      }
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
      if (isHttpParseError(error)) {
        // It answered, but not in HTTP (llhttp's HPE_ codes): nonsense, as a body that is not JSON is.
        throw this.badAnswer(`not valid HTTP: ${describeFetchError(error)}`);
      }
      this.onError(this.name, 'unreachable');
      throw new PromApiError(503, 'unavailable', `upstream "${this.name}" unreachable: ${describeFetchError(error)}`);
    } finally {
      clearTimeout(timer);
      clientSignal?.removeEventListener('abort', cancel);
      this.onInFlight(this.name, -1);
    }
  }

  /**
   * A streamed error answer's body (stream(), HTTP `status`) read into memory as send() reads one: within
   * MAX_ERROR_ANSWER_BYTES, else 502. For pass-through error answers, which are redacted before they are passed on.
   */
  readStreamedErrorAnswer(body: Readable, status: number): Promise<string> {
    return readBounded(Readable.toWeb(body) as ReadableStream<Uint8Array>, MAX_ERROR_ANSWER_BYTES, () => {
      body.destroy();
      return this.errorAnswerTooLarge(status);
    });
  }

  /** An error answer over MAX_ERROR_ANSWER_BYTES: no Prometheus error is that large (502). */
  private errorAnswerTooLarge(status: number): PromApiError {
    return this.badAnswer(`HTTP ${status} with an error answer of more than ${MAX_ERROR_ANSWER_BYTES} bytes`);
  }

  /** Records an answer over maxAnswerBytes and builds the 422 error for it (`declared`: what its header said). */
  private answerTooLarge(declared: string): AnswerTooLargeError {
    this.onError(this.name, 'too_large');
    return new AnswerTooLargeError(
      `upstream "${this.name}" answered more than ${this.maxAnswerBytes} bytes (limits.maxUpstreamAnswerBytes)` +
        `${declared}: narrow the query (fewer series, a shorter range or train=, a coarser step)`
    );
  }

  /**
   * What a streamed answer's body failed with (stream()), in Prometheus' terms: its own timeout and the client's
   * cancellation as they are; anything else (the connection closed or reset mid-answer) 503 unavailable.
   */
  brokenAnswer(error: unknown): PromApiError {
    if (error instanceof PromApiError) {
      return error;
    }
    this.onError(this.name, 'unreachable');
    return new PromApiError(
      503,
      'unavailable',
      `upstream "${this.name}" broke off its answer: ${describeFetchError(error)}`
    );
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

/** An upstream answer over limits.maxUpstreamAnswerBytes: 422, like the other cost limits a query's data meets. */
export class AnswerTooLargeError extends PromApiError {
  constructor(message: string) {
    super(422, 'execution', message);
    this.name = 'AnswerTooLargeError';
  }
}

/** The body as text, reading no more than `maxBytes` of it: past them, `tooLarge()` is thrown (and stops the read). */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => Error
): Promise<string> {
  const { chunks, bytes } = await readBoundedChunks(body, maxBytes, tooLarge);
  return Buffer.concat(chunks, bytes).toString('utf8');
}

/** The chunks of a body as read, at most maxBytes in all (else tooLarge()), not yet joined. */
async function readBoundedChunks(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => Error
): Promise<{ chunks: Uint8Array[]; bytes: number }> {
  if (body === null) {
    return { chunks: [], bytes: 0 };
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      const error = tooLarge();
      await reader.cancel(error).catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  return { chunks, bytes };
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

/** Whether an exchange failed on an answer that is not HTTP (node's parser, llhttp, names its errors HPE_...). */
function isHttpParseError(error: unknown): boolean {
  const code = ((error as { cause?: { code?: unknown } }).cause ?? (error as { code?: unknown }))?.code;
  return typeof code === 'string' && code.startsWith('HPE_');
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
