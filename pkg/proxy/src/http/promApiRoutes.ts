/**
 * The Prometheus HTTP API as Grafana's Prometheus datasource and vmalert call it. Queries with an anomaly function
 * are evaluated here; everything else goes to the default (Prometheus) upstream and its answer comes back unchanged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProxyConfig } from '../config';
import {
  ASSUMED_EVALUATION_INTERVAL_MS,
  badData,
  checkPromqlTokensCost,
  checkSubquerySeries,
  prometheusSeriesCount,
  AnomalyEvaluator,
  type AnomalyQuery,
  ConcurrencyLimit,
  EvaluationRange,
  parseQuery,
  MAX_ABS_TIME_MS,
  parseDurationOrSeconds,
  parseTimestamp,
  tokenize,
  type Token,
  UpstreamHttp,
  UpstreamPassThroughError,
} from '@telemetry-analyzer/query';
import { coalescedBody } from './coalescedBody';
import { checkInfluxqlOfQuery } from './influxqlCheck';
import { queryAnswerBody } from './queryAnswerJson';
import { redactedAnswer } from './redactedAnswer';
import { clientSentText } from '../redact';
import { responseInProgress } from './responseInProgress';
import { InFlightQueries } from './queryCancellation';
import { type ParsedParams, REFUSED } from './requestParamsText';

export interface PromApiDependencies {
  config: ProxyConfig;
  upstreams: Map<string, UpstreamHttp>;
  evaluator: AnomalyEvaluator;
  now: () => number;
  /** Anomaly queries evaluated at once (limits.maxQueriesInFlight). */
  queryLimit: ConcurrencyLimit;
  /** Removes the proxy's secrets from a text, except those the client sent itself (createRedactor). */
  redact: (text: string, clientSent?: readonly string[]) => string;
  /** An answer a secret was removed from. */
  onSecretRedacted(): void;
  /** Aborts once the shutdown grace is over: every request's work stops. */
  shutdown: AbortSignal;
  /** A request's work was aborted (client gone, timeout, shutdown), with the errorType that says which. */
  onQueryAborted(errorType: string): void;
  /** An anomaly answer's connection closed because its client read none of it for server.writeTimeout. */
  onAnswerStalled(): void;
}

type Params = Record<string, string | string[]>;

/** Endpoints answered by the default upstream as they are (GET, and POST where Prometheus accepts it). */
const PASS_THROUGH: Array<{ path: string; post: boolean; empty?: unknown }> = [
  { path: '/api/v1/labels', post: true, empty: [] },
  { path: '/api/v1/series', post: true, empty: [] },
  { path: '/api/v1/metadata', post: false, empty: {} },
  { path: '/api/v1/query_exemplars', post: true, empty: [] },
  { path: '/api/v1/format_query', post: true },
  { path: '/api/v1/rules', post: false, empty: { groups: [] } },
  { path: '/api/v1/alerts', post: false, empty: { alerts: [] } },
  { path: '/api/v1/status/buildinfo', post: false },
];

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parameters that hold PromQL on the pass-through endpoints (format_query, query_exemplars; series, labels). */
const PROMQL_PARAMETERS = ['query', 'match[]'];

/**
 * Tokens of a query /api/v1/format_query is asked to format. Prometheus 2.42 formats in time cubic in the depth of
 * the expression (nested calls or brackets, chains of binary operators): a review measured 0.5 s for 1 000 nested
 * brackets, 35 s for 4 000, and hours for a body of the size the proxy reads, all of it spent in the upstream after
 * the proxy's timeout. 1 000 tokens (~0.1 s there) is far beyond a query a person formats.
 */
export const MAX_FORMAT_QUERY_TOKENS = 1000;

/**
 * Selectors (`match[]`) of one /api/v1/series, /labels or /label/<name>/values request. Prometheus 2.42 selects and
 * merges each one: an attack review measured ~25 ms apiece over 700 series, 80 000 of them (a 1 MiB body) keeping it
 * busy for minutes at 2.6 GB after the proxy's timeout. Grafana sends one; 100 is far beyond any client's.
 */
export const MAX_MATCHERS = 100;

export function registerPromApiRoutes(app: FastifyInstance, deps: PromApiDependencies): void {
  const { config, upstreams, evaluator } = deps;
  const defaultUpstream = upstreams.get(config.defaultUpstream)!;
  const prometheusDefault = defaultUpstream.config.type === 'prometheus' ? defaultUpstream : undefined;
  const inFlight = new InFlightQueries(config.limits.queryTimeoutMs, deps.shutdown, (reason) =>
    deps.onQueryAborted(reason.errorType)
  );

  /** Forwards the request to the default Prometheus upstream; its JSON status and body stream back unchanged (else 502). */
  const passThrough = async (request: FastifyRequest, reply: FastifyReply, path: string, empty?: unknown) => {
    const params = requestParams(request);
    checkPassedPromql(params, path, config.limits.maxQueryLength);
    // Whatever the default upstream: no Prometheus is asked these (an InfluxDB default refused them with a message
    // that only anomaly queries are answered, for an anomaly query).
    const own = answerForAnomalyQuery(path, params, checkAnomalyRequest);
    if (own !== undefined) {
      return reply.send(own);
    }
    if (!prometheusDefault) {
      if (empty !== undefined) {
        return reply.send({ status: 'success', data: empty });
      }
      throw badData(
        `defaultUpstream "${config.defaultUpstream}" is InfluxDB: only anomaly queries with influxql("...") are answered`
      );
    }
    const method = request.method === 'POST' ? 'POST' : 'GET';
    const response = await prometheusDefault.stream(path, toSearchParams(params), method, inFlight.watch(reply));
    if (!/\bjson\b/i.test(response.contentType)) {
      response.body.destroy();
      // Prometheus answers every API call in JSON; anything else (an HTML error page of a load balancer) is not
      // an answer to pass on as if it were one.
      throw prometheusDefault.badAnswer(
        `HTTP ${response.status} with content-type "${response.contentType}", not JSON`
      );
    }
    if (response.status >= 400) {
      // An error answer goes through the error handler, which redacts the proxy's secrets from it (a gateway may
      // quote the request's headers). Small: read whole, within MAX_ERROR_ANSWER_BYTES (else 502).
      throw new UpstreamPassThroughError(
        response.status,
        response.contentType,
        await prometheusDefault.readStreamedErrorAnswer(response.body, response.status)
      );
    }
    reply.code(response.status).header('content-type', response.contentType);
    if (response.contentLength !== undefined) {
      // The body passes unchanged: its declared length spares the client chunked framing and a last empty chunk.
      reply.header('content-length', response.contentLength);
    }
    // A body that fails before its first byte is answered like a failed request (503), not as the proxy's own error.
    return reply.send(coalescedBody(response.body, (error) => prometheusDefault.brokenAnswer(error)));
  };

  /**
   * An anomaly query as every endpoint that takes one refuses it, before any work (one path: query_exemplars answered
   * 200 for queries /query_range refuses, an attack review): its upstream and InfluxQL statement, the request's times
   * and `timeout`, and every cost known before a fetch (AnomalyEvaluator.check). format_query has no times: all but
   * what they decide. Its grammar and options were judged as it was parsed.
   */
  const checkAnomalyRequest: AnomalyRequestCheck = (params, source, query, endpoint) => {
    checkInfluxqlOfQuery(source, query, evaluator.chooseUpstream(query), config.limits);
    const range =
      endpoint === 'format'
        ? undefined
        : endpoint === 'instant'
          ? instantRange(params, deps.now)
          : rangeOf(params, endpoint === 'exemplars' ? exemplarStep(config) : undefined);
    const timeoutMs = requestedTimeout(params);
    evaluator.check(query, range);
    return { range, timeoutMs };
  };

  const handleQuery = (kind: 'instant' | 'range') => async (request: FastifyRequest, reply: FastifyReply) => {
    const params = requestParams(request);
    const query = single(params, 'query');
    if (query === undefined || query.trim() === '') {
      throw badData('invalid parameter "query": missing or empty');
    }
    checkQueryLength('query', query, config.limits.maxQueryLength);
    const parsed = parseQuery(query);
    if (parsed.kind === 'plain') {
      // Its subqueries bounded like a wrapped expression's evaluations, over its own range (promqlCost.ts).
      const range = kind === 'instant' ? instantRange(params, deps.now) : rangeOf(params);
      const span = plainFetch(range);
      checkPromqlTokensCost(parsed.tokens, 0, span, config.limits, 'plain');
      if (prometheusDefault) {
        // And over all the series a long subquery applies to (counted first, within the query's timeout).
        // Watched (a timer, a close listener) only when a count is asked: most plain queries ask none.
        let counting: ReturnType<typeof inFlight.watch> | undefined;
        await checkSubquerySeries(
          query,
          0,
          span,
          config.limits,
          (selector, window) =>
            prometheusSeriesCount(
              prometheusDefault,
              selector,
              window,
              (counting ??= inFlight.watch(reply, requestedTimeout(params)))
            ),
          parsed.tokens
        );
      }
      return passThrough(request, reply, kind === 'instant' ? '/api/v1/query' : '/api/v1/query_range');
    }
    const { range, timeoutMs } = checkAnomalyRequest(params, query, parsed.query, kind);
    const { signal } = inFlight.watch(reply, timeoutMs);
    // At most limits.maxQueriesInFlight at once, their answers being written included; among them, trainings wait
    // for a turn of limits.maxConcurrency inside the evaluator, and a warm query waits for none.
    // A query waiting for trainings lends its turn meanwhile: a warm one never waits behind cold ones.
    await deps.queryLimit.run(async () => {
      const result = await evaluator.evaluate(parsed.query, range!, signal, undefined, undefined, (wait) =>
        deps.queryLimit.lend(wait)
      );
      closeWhenUnread(reply, config.server.writeTimeoutMs, deps.onAnswerStalled);
      const written = answerWritten(reply, signal);
      const sent = clientSentText(request.url, request.query, request.body);
      const shown = redactedAnswer(result, (text) => deps.redact(text, sent));
      if (shown !== result) {
        deps.onSecretRedacted();
      }
      reply.header('content-type', 'application/json; charset=utf-8').send(queryAnswerBody(shown));
      await written;
    }, signal);
    return reply;
  };

  app.get('/api/v1/query', handleQuery('instant'));
  app.post('/api/v1/query', handleQuery('instant'));
  app.get('/api/v1/query_range', handleQuery('range'));
  app.post('/api/v1/query_range', handleQuery('range'));
  answerMethodNotAllowed(app, '/api/v1/query', ['GET', 'POST']);
  answerMethodNotAllowed(app, '/api/v1/query_range', ['GET', 'POST']);

  for (const endpoint of PASS_THROUGH) {
    const handler = (request: FastifyRequest, reply: FastifyReply) =>
      passThrough(request, reply, endpoint.path, endpoint.empty);
    app.get(endpoint.path, handler);
    if (endpoint.post) {
      app.post(endpoint.path, handler);
    }
    answerMethodNotAllowed(app, endpoint.path, endpoint.post ? ['GET', 'POST'] : ['GET']);
  }
  answerMethodNotAllowed(app, '/api/v1/label/:name/values', ['GET']);

  app.get('/api/v1/label/:name/values', (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const { name } = request.params;
    // Only a label name reaches the upstream path, so the path cannot be steered elsewhere.
    if (!LABEL_NAME.test(name)) {
      throw badData(`invalid label name: ${JSON.stringify(name)}`);
    }
    return passThrough(request, reply, `/api/v1/label/${name}/values`, []);
  });
}

/** The request's `timeout` parameter in ms, as Prometheus reads it (a duration or seconds); none: undefined. */
function requestedTimeout(params: Params): number | undefined {
  const text = single(params, 'timeout');
  if (text === undefined || text === '') {
    return undefined;
  }
  const ms = parseDurationOrSeconds(text);
  if (ms === undefined) {
    throw badData(`invalid parameter "timeout": cannot parse ${JSON.stringify(text)} to a valid duration`);
  }
  return ms;
}

/** Methods a client may send that an endpoint may not take (OPTIONS is nobody's: 404). */
const OTHER_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * A known endpoint asked with a method it does not take answers 405 with `Allow`, as Prometheus does, not 404:
 * Grafana retries a POST as GET on 405 (or 400) only (grafana/grafana pkg/promlib/client/client.go,
 * executeResourceQueryWithFallback), and its datasource POSTs label values and build info when set to POST.
 */
function answerMethodNotAllowed(app: FastifyInstance, path: string, allowed: string[]): void {
  const allow = allowed.join(', ');
  app.route({
    method: OTHER_METHODS.filter((method) => !allowed.includes(method)),
    url: path,
    handler: (request, reply) =>
      reply
        .code(405)
        .header('allow', allow)
        .send({
          status: 'error',
          errorType: 'bad_data',
          error: `${request.method} ${request.url.split('?')[0]} is not allowed: use ${allowed.join(' or ')}`,
        }),
  });
}

/**
 * The request's parameters as Prometheus reads them (Go's ParseForm): the URL's, and for POST the form body's, whose
 * values of a name come first (Go's r.Form: the body's, then the URL's). A parameter read once takes its first value
 * (single); one read as a list (`match[]`) takes all of them. A GET's body is not read: judging a body Prometheus
 * never sees would let the URL's query pass unjudged.
 */
function requestParams(request: FastifyRequest): Params {
  const query = (request.query ?? {}) as Params;
  const body = request.body;
  // A name or value that does not decode, too many parameters (requestParamsText.ts): refused with the reason.
  const refusal = (query as ParsedParams)[REFUSED] ?? (body as ParsedParams | undefined)?.[REFUSED];
  if (refusal !== undefined) {
    throw badData(refusal);
  }
  if (request.method !== 'POST' || typeof body !== 'object' || body === null) {
    return query;
  }
  const params: Params = { ...query };
  for (const [name, value] of Object.entries(body as Params)) {
    const fromUrl = query[name];
    params[name] = fromUrl === undefined ? value : [...listOf(value), ...listOf(fromUrl)];
  }
  return params;
}

function listOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** A PromQL parameter within limits.maxQueryLength, for /query's `query` and every pass-through's. */
function checkQueryLength(name: string, value: string, maxQueryLength: number): void {
  if (value.length > maxQueryLength) {
    throw badData(
      `invalid parameter "${name}": ${value.length} characters; at most ${maxQueryLength} (limits.maxQueryLength)`
    );
  }
}

/**
 * The PromQL a pass-through endpoint would hand the upstream, bounded before it goes: each value within
 * limits.maxQueryLength (query_exemplars takes time quadratic in a query's depth), at most MAX_MATCHERS selectors, and
 * a query to format within MAX_FORMAT_QUERY_TOKENS.
 */
function checkPassedPromql(params: Params, path: string, maxQueryLength: number): void {
  for (const name of PROMQL_PARAMETERS) {
    const value = params[name];
    for (const text of value === undefined ? [] : listOf(value)) {
      checkQueryLength(name, text, maxQueryLength);
    }
  }
  const matchers = params['match[]'] === undefined ? 0 : listOf(params['match[]']).length;
  if (matchers > MAX_MATCHERS) {
    throw badData(
      `invalid parameter "match[]": ${matchers} selectors; at most ${MAX_MATCHERS} (Prometheus selects and merges ` +
        'each one)'
    );
  }
  const query = single(params, 'query');
  if (path === '/api/v1/format_query' && query !== undefined) {
    const tokens = tokenize(query).length - 1; // without the end token
    if (tokens > MAX_FORMAT_QUERY_TOKENS) {
      throw badData(
        `invalid parameter "query": ${tokens} tokens to format; at most ${MAX_FORMAT_QUERY_TOKENS} (formatting costs ` +
          'Prometheus time cubic in the depth of a query)'
      );
    }
  }
}

/** The endpoints that take a query: an anomaly query is refused on each as on the others (checkAnomalyRequest). */
type QueryEndpoint = 'instant' | 'range' | 'exemplars' | 'format';

type AnomalyRequestCheck = (
  params: Params,
  source: string,
  query: AnomalyQuery,
  endpoint: QueryEndpoint
) => { range: EvaluationRange | undefined; timeoutMs: number | undefined };

/** The pass-through endpoints that take a query, and an anomaly query's answer on them. */
const OWN_ANSWERS: Record<string, { endpoint: QueryEndpoint; answer: (query: string) => object }> = {
  // As Prometheus answers for series without exemplars: an anomaly series is the proxy's own, and has none.
  '/api/v1/query_exemplars': { endpoint: 'exemplars', answer: () => ({ status: 'success', data: [] }) },
  '/api/v1/format_query': {
    endpoint: 'format',
    answer: (query) => ({
      status: 'success',
      data: query,
      warnings: ['anomaly queries are not formatted: format the wrapped PromQL expression on its own'],
    }),
  },
};

/**
 * What the proxy answers itself on the endpoints Grafana sends a panel's query to besides /query: Prometheus cannot
 * parse an anomaly query (400 "unexpected =") and has nothing of it. Exemplars: none (Grafana asks for them when a
 * panel shows exemplars); format_query ("Format query" in the editor): the query as it is, with a warning. An anomaly
 * query is refused as /query_range refuses it (`check`). Other queries, and queries that do not lex, go to Prometheus
 * as before.
 */
function answerForAnomalyQuery(path: string, params: Params, check: AnomalyRequestCheck): object | undefined {
  const own = OWN_ANSWERS[path];
  const query = single(params, 'query');
  if (own === undefined || query === undefined) {
    return undefined;
  }
  let tokens: Token[];
  try {
    tokens = tokenize(query);
  } catch {
    return undefined;
  }
  const parsed = parseQuery(query, tokens);
  if (parsed.kind === 'plain') {
    return undefined;
  }
  check(params, query, parsed.query, own.endpoint);
  return own.answer(query);
}

function toSearchParams(params: Params): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      search.append(name, String(item));
    }
  }
  return search;
}

/**
 * A parameter given once, or its first value when given again, as Prometheus takes it (Go's FormValue): the proxy
 * judges (limits.maxQueryLength, anomaly or plain) exactly the query the upstream will run.
 */
function single(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

function timeParam(params: Params, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined || text === '') {
    return undefined;
  }
  const ms = parseTimestamp(text);
  // Beyond Date's range no arithmetic on the time is exact (1e300 + a step is 1e300): refuse it at once.
  if (ms === undefined || Math.abs(ms) > MAX_ABS_TIME_MS) {
    throw badData(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  }
  return ms;
}

/** /api/v1/query: `time` defaults to now; `step` (sent by vmalert) is ignored — use the step= option instead. */
function instantRange(params: Params, now: () => number): EvaluationRange {
  return { kind: 'instant', timeMs: timeParam(params, 'time') ?? now() };
}

/** What a plain query makes Prometheus evaluate: its range at its step, or one instant (at the assumed interval). */
function plainFetch(range: EvaluationRange) {
  return range.kind === 'range'
    ? { startMs: range.startMs, endMs: range.endMs, stepMs: range.stepMs }
    : { startMs: range.timeMs, endMs: range.timeMs, stepMs: ASSUMED_EVALUATION_INTERVAL_MS };
}

/**
 * query_exemplars takes no `step` (Prometheus reads none; Grafana sends start and end): an anomaly query is checked
 * there at the step an instant query takes (engine.instantStep), coarsened until the range fits
 * limits.maxPointsPerSeries, as a dashboard's step is. A `step` sent is read as /query_range reads it.
 */
function exemplarStep(config: ProxyConfig) {
  return (startMs: number, endMs: number) =>
    Math.max(
      config.engine.instantStepMs,
      Math.ceil((endMs - startMs) / Math.max(1, config.limits.maxPointsPerSeries - 1))
    );
}

/** The request's range; `defaultStep` when it may leave `step` out (query_exemplars), else it must give one. */
function rangeOf(params: Params, defaultStep?: (startMs: number, endMs: number) => number): EvaluationRange {
  const startMs = timeParam(params, 'start');
  const endMs = timeParam(params, 'end');
  if (startMs === undefined) {
    throw badData('invalid parameter "start": missing');
  }
  if (endMs === undefined) {
    throw badData('invalid parameter "end": missing');
  }
  if (endMs < startMs) {
    throw badData('invalid parameter "end": end timestamp must not be before start time');
  }
  const stepText = single(params, 'step');
  if (stepText === undefined && defaultStep) {
    return { kind: 'range', startMs, endMs, stepMs: defaultStep(startMs, endMs) };
  }
  const stepMs = stepText === undefined ? undefined : parseDurationOrSeconds(stepText);
  if (stepMs === undefined) {
    throw badData(`invalid parameter "step": cannot parse ${JSON.stringify(stepText ?? '')} to a valid duration`);
  }
  if (stepMs <= 0) {
    throw badData(
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'
    );
  }
  return { kind: 'range', startMs, endMs, stepMs };
}

/**
 * Resolves once the answer has been handed to the connection whole, or the connection is gone: until then its query
 * keeps its turn of limits.maxQueriesInFlight, so that answers held for slow readers stay within that many (an attack
 * review: clients reading a little every 10 s kept 64 answers of 28 MB in memory, twice the limit, and climbing).
 * Writing counts in the query's time: past limits.queryTimeout (`signal`) the connection is closed.
 */
function answerWritten(reply: FastifyReply, signal: AbortSignal): Promise<void> {
  const response = reply.raw;
  if (
    response.destroyed ||
    response.writableFinished ||
    !reply.request.raw.socket ||
    reply.request.raw.socket.destroyed
  ) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const cutOff = () => response.destroy();
    const done = () => {
      signal.removeEventListener('abort', cutOff);
      response.off('finish', done);
      response.off('close', done);
      resolve();
    };
    response.once('finish', done);
    response.once('close', done);
    signal.addEventListener('abort', cutOff, { once: true });
  });
}

/**
 * An anomaly answer (tens of MB for a large one) its client does not read: the connection is closed once nothing more
 * of it could be written for `writeTimeoutMs` (node:http destroys a socket whose timeout nobody handles). Else a
 * client that never reads kept its answer in memory for as long as it kept the connection (an attack review: 20
 * unread 67 MB answers, +3 GB). node:http sets the keep-alive timeout again once the answer is written. A plain
 * query's answer streams from its upstream at the reader's pace, bounded by the upstream read's own timer.
 */
function closeWhenUnread(reply: FastifyReply, writeTimeoutMs: number, onStalled: () => void): void {
  const socket = reply.raw.socket;
  if (!socket || socket.destroyed) {
    return;
  }
  socket.setTimeout(writeTimeoutMs);
  socket.once('timeout', onStalled);
  reply.raw.once('close', () => {
    socket.off('timeout', onStalled);
    // A pipelined request's response already has the socket: node:http then sets no keep-alive timeout that would
    // replace this one, which would cut that request after writeTimeout.
    if (responseInProgress(socket)) {
      socket.setTimeout(0);
    }
  });
}
