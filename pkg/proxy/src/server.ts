/**
 * Builds and starts the proxy: a fastify server with the Prometheus API routes, /metrics, /healthz, /readyz,
 * incoming auth, Prometheus-format errors and structured logs without secrets.
 */
import type { Socket } from 'node:net';
import { responseInProgress } from './http/responseInProgress';
import Fastify, { FastifyError, FastifyInstance, FastifyReply, LogController } from 'fastify';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyConfig, loadConfig } from './config';
import {
  PromApiError,
  UpstreamPassThroughError,
  ModelRepository,
  ModelStore,
  checkStoreDirectory,
  AnomalyEvaluator,
  ConcurrencyLimit,
  TrainingPool,
  engineOnEventLoop,
  splitEngineThreads,
  UpstreamHttp,
  createLogLineRedactor,
  createLogTextRedactor,
  createRedactor,
} from '@telemetry-analyzer/query';
import { afterRequestBody, withheldContinue } from './http/afterRequestBody';
import { clientErrorHandler, rawBadDataAnswer } from './http/clientErrors';
import { requestTurns } from './http/requestTurns';
import { isAuthorized, needsCredentials } from './http/incomingAuth';
import { registerPromApiRoutes } from './http/promApiRoutes';
import { Readiness } from './http/readiness';
import { ProxyMetrics } from './metrics';
import { clientSentText, redactedUrl } from './redact';
import { parseFormBody, parseParamsText } from './http/requestParamsText';

export interface RunningProxy {
  /** Base URL, e.g. http://127.0.0.1:41234 (the real port when the config asked for port 0). */
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
  /**
   * Stops accepting connections and lets in-flight requests finish for `graceMs`, their answers written out included;
   * then their work is aborted (they answer 503) and, shortly after, their connections closed. Resolves once the
   * server is closed and every connection with it.
   */
  drain(graceMs: number): Promise<'drained' | 'aborted'>;
}

export interface ProxyOptions {
  /** A stream for the JSON log lines, written line by line (tests read it); without one, see logDestination. */
  logStream?: NodeJS.WritableStream;
  /** Where the JSON log lines go when there is no logStream, in batches (LOG_BATCH_BYTES): an fd or a path [1, stdout]. */
  logDestination?: number | string;
  /** Clock, for tests of model ageing [Date.now]. */
  now?: () => number;
  /** Aborting it stops the work of every in-flight request (the end of a shutdown grace). */
  shutdown?: AbortSignal;
}

/** After the grace, aborted requests get this long to send their 503 before their connections are closed. */
const ABORTED_ANSWER_MS = 500;

/**
 * Log lines are written when this many bytes have gathered, else every LOG_FLUSH_MS, and at exit. A write per line
 * (pino's default) is a round trip through libuv's thread pool per request (a pool thread woken to write, the event
 * loop woken when it is done): ~0.1 ms of CPU per pass-through request on this project's 2-core bench machine,
 * ~10 % of the proxy's (docs/performance.md, pass-through).
 */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 1000;

/** Builds the fastify app without listening (tests may use `inject`). */
export function buildProxy(config: ProxyConfig, options: ProxyOptions = {}): FastifyInstance {
  const now = options.now ?? Date.now;
  const redact = createRedactor(config.secrets);
  // The request line's URL, as log lines get their text (a short secret only as a token: see createLogTextRedactor).
  const redactLogText = createLogTextRedactor(config.secrets);
  const metrics = new ProxyMetrics();
  const logDestination = options.logStream
    ? undefined
    : pino.destination({
        dest: options.logDestination ?? 1,
        sync: false,
        minLength: LOG_BATCH_BYTES,
        periodicFlush: LOG_FLUSH_MS,
      });
  const app = Fastify({
    logger: {
      level: config.log.level,
      stream: options.logStream ?? logDestination,
      // No pino `redact`: it clones every line it writes, and no line holds headers (the request line below logs
      // method, URL, status and time; fastify's request logging is off). Instead every line is redacted whole as it
      // is written: a line may quote what an upstream sent (a series' labels, an error), and an upstream can echo the
      // proxy's credentials (an attack review found them in the labels of a "trained a model" line).
      hooks: { streamWrite: createLogLineRedactor(config.secrets) },
    },
    bodyLimit: config.limits.bodyLimit,
    // Slow clients: whole request (headers and body) within requestTimeout, headers within headersTimeout, idle
    // keep-alive connections closed after idleTimeout; checked every second rather than Node's 30 s.
    requestTimeout: config.server.requestTimeoutMs,
    keepAliveTimeout: config.server.idleTimeoutMs,
    clientErrorHandler: clientErrorHandler(config.server),
    http: {
      // An HTTP/1.1 request without Host is refused below, in Prometheus' error format: node:http's own check would
      // answer an empty 400 that no hook, log line or metric sees.
      requireHostHeader: false,
      headersTimeout: config.server.headersTimeoutMs,
      requestTimeout: config.server.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    // A client's X-Request-Id is taken when it is an id (clientRequestId), else the proxy makes one: the id is echoed
    // and written on every log line of the request.
    requestIdHeader: false,
    // HEAD is answered where a probe may send it (/healthz, /readyz, /metrics), not on the API: there fastify's
    // default ran a whole anomaly query (training included) for a HEAD, which Prometheus answers 405.
    exposeHeadRoutes: false,
    // One log line per request (onResponse below) instead of fastify's two: half the logging cost of pass-through.
    // (Through a LogController: fastify 5.12 deprecates the top-level disableRequestLogging option with a warning.)
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => clientRequestId(request.headers['x-request-id']) ?? randomUUID(),
    // Query strings may hold long PromQL; the limit on `query` is ours (limits.maxQueryLength).
    routerOptions: { maxParamLength: 1000, querystringParser: parseParamsText },
    // URLs the router cannot decode (`%c0%af`, a lone `%`) or path parameters over maxParamLength: answered before
    // any route or hook, in Prometheus' error format like every other answer (fastify's own JSON otherwise).
    // No onResponse hook runs for them, so they are counted here.
    frameworkErrors: (error, _request, reply) => {
      const code = error.statusCode ?? 400;
      metrics.requests.inc({ endpoint: 'unmatched', code: String(code) });
      (reply as FastifyReply).code(code).send(badDataBody(error.message));
    },
  });
  answerNonRequests(app.server);
  continueOnlyWithCredentials(app.server, config.auth);
  // A connection beyond server.maxConnections is closed as it is accepted (node:http's 'drop'), and counted.
  app.server.maxConnections = config.server.maxConnections;
  app.server.on('drop', () => metrics.connectionsDropped.inc());
  const upstreams = new Map(
    Object.values(config.upstreams).map((u) => [
      u.name,
      new UpstreamHttp(
        u,
        (name, kind) => metrics.upstreamErrors.inc({ upstream: name, kind }),
        (name, change) => metrics.upstreamRequestsInFlight.inc({ upstream: name }, change),
        config.limits.maxUpstreamAnswerBytes
      ),
    ])
  );
  metrics.startAtZero([...upstreams.keys()], config.modelStore !== undefined);
  const store = config.modelStore
    ? new ModelStore(
        config.modelStore.directory,
        app.log,
        config.modelStore,
        {
          onBytesChange: (bytes) => metrics.modelStoreBytes.set(bytes),
          onRemove: ({ reason }) => metrics.modelStoreRemovals.inc({ reason }),
        },
        now
      )
    : undefined;
  if (store && config.modelStore) {
    // Applies the limits to what an earlier run left, and sets the bytes metric, before any query.
    store.scanOnce().catch((error: Error) => app.log.warn({ reason: error.message }, 'could not scan the model store'));
  }
  // Models train on `workers.training` threads and score on one more, so a warm query's scoring never waits behind
  // a cold query's training; 0 = everything on the event loop.
  const trainingPool = config.workers.training > 0 ? new TrainingPool(config.workers.training) : undefined;
  const scoringPool = trainingPool ? new TrainingPool(1) : undefined;
  const engine = trainingPool && scoringPool ? splitEngineThreads(trainingPool, scoringPool) : engineOnEventLoop;
  app.addHook('onClose', async () => {
    await Promise.all([trainingPool?.close(), scoringPool?.close()]);
    logDestination?.flush(); // what has gathered is written now, not at the next periodic flush
  });
  const repository = new ModelRepository(
    config.modelCache,
    store,
    app.log,
    {
      onCacheSizeChange: (size) => metrics.modelsInCache.set(size),
      onStoreLoad: () => metrics.modelStoreLoads.inc(),
      onScoreCacheBytesChange: (bytes) => metrics.scoreCacheBytes.set(bytes),
      onEvict: () => metrics.modelEvictions.inc(),
      onModelBytesChange: (bytes) => metrics.modelBytes.set(bytes),
      onStoreSaveFailed: () => metrics.modelStoreSaveFailures.inc(),
    },
    now,
    config.scoreCache.maxBytes,
    engine.decode
  );
  const trainingLimit = new ConcurrencyLimit(config.limits.maxConcurrency);
  const queryLimit = new ConcurrencyLimit(config.limits.maxQueriesInFlight);
  metrics.watchLimits({ trainings: trainingLimit, queries: queryLimit });
  const evaluator = new AnomalyEvaluator(
    config,
    upstreams,
    repository,
    {
      trainingLimit,
      onTrained: (seconds) => {
        metrics.trainings.inc();
        metrics.trainingDuration.observe(seconds);
      },
      onTrainingFailed: () => metrics.trainingFailures.inc(),
      onRowsScored: (rowsScored, rowsFromCache) => {
        metrics.rowsScored.inc(rowsScored);
        metrics.rowsFromCache.inc(rowsFromCache);
      },
      log: app.log,
    },
    now,
    engine
  );
  const readiness = new Readiness(upstreams, config.defaultUpstream, now);

  // Form bodies read from their bytes, so that bytes that are not UTF-8 are refused, not read as U+FFFD.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, parseFormBody(body as Buffer))
  );
  // vmalert POSTs its query in the URL with `Content-Type: application/json` and an empty body. Prometheus reads
  // parameters from the URL and form bodies only and ignores such a body, and so do we (fastify's default JSON
  // parser would refuse the empty body with a 400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, _body, done) => done(null, undefined));

  // Hooks take callbacks rather than being async: every request runs them, and each async hook costs promise turns.
  // First: a connection's pipelined requests run one at a time (requestTurns.ts).
  const turns = requestTurns();
  app.addHook('onRequest', (request, reply, done) => {
    const turn = turns.take(request.raw.socket, done);
    if (turn.taken) {
      reply.raw.once('close', turn.answered);
    }
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      // As Go's server (Prometheus) refuses it (RFC 9112 section 3.2).
      reply.code(400).send(badDataBody('missing Host header: an HTTP/1.1 request must have one'));
      return;
    }
    if (request.headers.upgrade !== undefined) {
      // The proxy upgrades to nothing, and node:http reads no further request on a connection once one asked to
      // upgrade: a request pipelined behind it was never answered (an attack review). Closed after this answer, the
      // client sends it again on a new connection.
      reply.header('connection', 'close');
    }
    const framing = unsupportedFraming(request.raw);
    if (framing !== undefined) {
      // As Go's server (Prometheus) refuses them: a body framed otherwise than node:http and a front proxy agree on.
      reply.code(framing.status).header('connection', 'close').send(badDataBody(framing.error));
      return;
    }
    if (config.auth && headerCount(request.raw.rawHeaders, 'authorization') > 1) {
      // Node keeps the first, a front proxy may read another: credentials that mean two things are refused.
      reply.code(400).send({
        status: 'error',
        errorType: 'bad_data',
        error: 'more than one Authorization header: send one',
      });
      return;
    }
    if (
      config.auth &&
      needsCredentials(config.auth, request.is404 ? undefined : request.routeOptions.url) &&
      !isAuthorized(config.auth, request.headers.authorization)
    ) {
      if (config.auth.basicUsers.length > 0) {
        reply.header('www-authenticate', 'Basic realm="telemetry-analyzer-proxy"');
      }
      reply.code(401).send({
        status: 'error',
        errorType: 'unauthorized',
        error: 'authentication required: send a configured bearer token or basic-auth user',
      });
      return; // answered: the request goes no further (no done())
    }
    done();
  });

  // An answer given before the request's body was read (401, 413, 415) goes out once the client has sent the rest,
  // read and dropped (afterRequestBody.ts): closing on a client still sending would lose it the answer.
  app.addHook('onSend', (request, reply, payload, done) => {
    afterRequestBody(request.raw, (drained) => {
      if (!drained) {
        reply.header('connection', 'close');
      }
      done(null, payload);
    });
  });

  app.addHook('onResponse', (request, reply, done) => {
    const endpoint = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ endpoint, code: String(reply.statusCode) });
    metrics.requestDuration.observe({ endpoint }, reply.elapsedTime / 1000);
    request.log.info(
      {
        req: { method: request.method, url: redactedUrl(request.url, redactLogText) },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed'
    );
    done();
  });

  // Logged as warnings: the proxy's or an upstream's trouble (5xx), and an upstream refusing the proxy's credentials
  // (401, 403: the proxy's own 401 is answered before any route), which no client can mend (an install review saw a
  // wrong upstream password only in info lines).
  const operatorsProblem = (status: number) => status >= 500 || status === 401 || status === 403;
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    // To the client, its own text stays as it sent it (see createRedactor); log lines are redacted whole as written (hooks.streamWrite above).
    const sent = clientSentText(request.url, request.query, request.body);
    // An answer that held a secret is counted and logged: an upstream echoing credentials, or a client with credentials
    // making Prometheus build guesses into an error (a right one comes back redacted): docs/proxy.md, Security model.
    const redactForClient = (text: string) => {
      const redacted = redact(text, sent);
      if (redacted !== text) {
        metrics.secretsRedacted.inc();
        request.log.warn(
          { errorType: 'errorType' in error ? error.errorType : undefined },
          'a configured secret was redacted from an error answer'
        );
      }
      return redacted;
    };
    if (error instanceof UpstreamPassThroughError) {
      if (operatorsProblem(error.httpStatus)) {
        request.log.warn(
          { upstreamStatus: error.httpStatus, upstreamAnswer: error.body.slice(0, 300) },
          'query failed'
        );
      }
      // An upstream's error answer, as it came but for the proxy's own secrets: a gateway that quotes the request's
      // headers in its error page would otherwise hand the client the proxy's credentials.
      return reply.code(error.httpStatus).header('content-type', error.contentType).send(redactForClient(error.body));
    }
    if (error instanceof PromApiError) {
      const body = { ...error.toBody(), error: redactForClient(error.message) };
      if (operatorsProblem(error.httpStatus)) {
        request.log.warn({ errorType: error.errorType, error: error.message }, 'query failed');
      } else {
        // Why, not only the status: Grafana POSTs its queries, so the request line holds no query to look at when a
        // rule keeps failing (an install review).
        request.log.info({ errorType: error.errorType, error: error.message }, 'query refused');
      }
      return reply.code(error.httpStatus).send(body);
    }
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode === 413) {
      // The rest of the body is read and dropped before this answer goes out (the onSend hook above), so the
      // connection may be kept (fastify asks to close it).
      reply.removeHeader('connection');
      return reply.code(413).send({
        status: 'error',
        errorType: 'bad_data',
        error: `request body larger than ${config.limits.bodyLimit} bytes (limits.bodyLimit)`,
      });
    }
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return reply
        .code(statusCode)
        .send({ status: 'error', errorType: 'bad_data', error: redactForClient(error.message) });
    }
    request.log.error({ error: error.stack ?? error.message }, 'internal error');
    return reply
      .code(500)
      .send({ status: 'error', errorType: 'internal', error: redactForClient(`internal error: ${error.message}`) });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      status: 'error',
      errorType: 'not_found',
      error: `${request.method} ${request.url.split('?')[0]} is not an endpoint of this proxy`,
    })
  );

  const shutdown = options.shutdown ?? new AbortController().signal;
  registerPromApiRoutes(app, {
    config,
    upstreams,
    evaluator,
    queryLimit,
    now,
    shutdown,
    onQueryAborted: (reason) => metrics.queriesAborted.inc({ reason }),
    onAnswerStalled: () => metrics.answersStalled.inc(),
    redact,
    onSecretRedacted: () => metrics.secretsRedacted.inc(),
  });

  app.get('/metrics', { exposeHeadRoute: true }, async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  );
  app.get('/healthz', { exposeHeadRoute: true }, async () => ({ status: 'ok' }));
  app.get('/readyz', { exposeHeadRoute: true }, async (_request, reply) => {
    const report = await readiness.check();
    const status = !report.ready ? 'not ready' : report.allUp ? 'ready' : 'degraded';
    return reply.code(report.ready ? 200 : 503).send({ status, upstreams: report.upstreams });
  });
  return app;
}

/**
 * What Node's HTTP server answers itself, without fastify: `Expect:` other than 100-continue (a bare 417) and
 * CONNECT (the socket dropped without a word). Both get an answer in Prometheus' error format, and the connection
 * is closed; neither reaches a route, so neither needs or gets credentials.
 */
function answerNonRequests(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const expect = JSON.stringify(request.headers.expect);
    response
      .writeHead(417, { 'content-type': 'application/json', connection: 'close' })
      .end(JSON.stringify(badDataBody(`unsupported Expect header ${expect}: only 100-continue`)));
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end(rawBadDataAnswer(405, 'CONNECT is not supported: the proxy answers the Prometheus HTTP API only'));
  });
}

/**
 * `Expect: 100-continue`: node:http asks every client for its body before any hook has run, so an unauthenticated
 * client was invited to send it (up to DRAIN_MAX_BYTES read and dropped before its 401; an attack review). The body
 * is asked for only with credentials the proxy takes (or without auth configured); other requests go on without a
 * 100, and their early answer does not wait for a body the client holds back (afterRequestBody.ts).
 */
function continueOnlyWithCredentials(server: Server, auth: ProxyConfig['auth']): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!auth || isAuthorized(auth, request.headers.authorization)) {
      response.writeContinue();
    } else {
      withheldContinue(request);
    }
    server.emit('request', request, response);
  });
}

function badDataBody(error: string) {
  return { status: 'error', errorType: 'bad_data', error };
}

/** Starts the proxy on the configured address (port 0 = any free port). */
export async function startProxy(config: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  if (config.modelStore) {
    await checkStoreDirectory(config.modelStore.directory);
  }
  const abortInFlight = new AbortController();
  const app = buildProxy(config, { ...options, shutdown: abortInFlight.signal });
  // Keep-alive connections would hold close() open forever; answers sent while shutting down close theirs.
  let shuttingDown = false;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) {
      reply.header('connection', 'close');
    }
    done(null, payload);
  });
  // A drain closes each connection itself, gracefully (its answer written out, then FIN), once it has no request
  // left: node:http's close() destroys a connection whose answer has ended but is not yet read by its client (it
  // counts it idle), and an answer still in the socket's buffers was lost (an attack review: 67 MB answers cut).
  const connections = new GracefulConnections(app.server);
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const urlHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  const close = () => {
    shuttingDown = true;
    return (closing ??= app.close());
  };
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close,
    async drain(graceMs) {
      let outcome: 'drained' | 'aborted' = 'drained';
      let forceClose: NodeJS.Timeout | undefined;
      const graceOver = setTimeout(() => {
        outcome = 'aborted';
        abortInFlight.abort();
        forceClose = setTimeout(() => {
          app.server.closeAllConnections();
          connections.destroyAll(); // also those node:http no longer counts (an upgraded CONNECT)
        }, ABORTED_ANSWER_MS);
      }, graceMs);
      shuttingDown = true;
      // Bounded: the grace's end closes every connection, and with it every answer still being written.
      await connections.endAll();
      await close();
      clearTimeout(graceOver);
      clearTimeout(forceClose);
      return outcome;
    },
  };
}

/**
 * The server's client connections, for a graceful drain: endAll() refuses new connections and ends each open one
 * (socket.end: what is written is delivered, then FIN) once no response is in progress on it (pipelined ones
 * included), and resolves once all have closed; destroyAll() closes what is left when the grace is over.
 */
class GracefulConnections {
  private readonly open = new Set<Socket>();
  private ending = false;
  private allClosed?: () => void;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      if (this.ending) {
        socket.destroy(); // a drain serves no new client: the orchestrator sends them elsewhere
        return;
      }
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        if (this.open.size === 0) {
          this.allClosed?.();
        }
      });
    });
  }

  endAll(): Promise<void> {
    this.ending = true;
    const closed = new Promise<void>((resolve) => (this.allClosed = resolve));
    const endWhenIdle = (socket: Socket) => {
      const response = responseInProgress(socket);
      if (response) {
        response.once('close', () => setImmediate(() => endWhenIdle(socket)));
      } else {
        socket.end();
      }
    };
    this.open.forEach(endWhenIdle);
    return this.open.size === 0 ? Promise.resolve() : closed;
  }

  /** Closes every connection still open (the grace is over), whatever state node:http has it in. */
  destroyAll(): void {
    this.open.forEach((socket) => socket.destroy());
  }
}

/**
 * What `telemetry-analyzer serve --config FILE` runs: load the config, start, and shut down gracefully on
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish for server.shutdownGrace, abort what is left,
 * exit. A second signal ends the process at once.
 */
export async function startProxyFromConfigFile(path: string, options: ProxyOptions = {}): Promise<RunningProxy> {
  const config = loadConfig(path);
  const proxy = await startProxy(config, options);
  const shutdown = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `telemetry-analyzer proxy: ${signal} received, finishing in-flight requests (at most ${config.server.shutdownGraceMs} ms)\n`
    );
    proxy.drain(config.server.shutdownGraceMs).then(
      (outcome) => {
        process.stderr.write(
          `telemetry-analyzer proxy: ${outcome === 'drained' ? 'all requests finished' : 'in-flight requests aborted'}\n`
        );
        process.exit(0);
      },
      (error: Error) => {
        process.stderr.write(`telemetry-analyzer proxy: shutdown failed: ${error.message}\n`);
        process.exit(1);
      }
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return proxy;
}

/** How many headers named `name` (lower case) a request has (rawHeaders: name, value, name, value...). */
function headerCount(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === name.length && rawHeaders[i].toLowerCase() === name) {
      count++;
    }
  }
  return count;
}

/**
 * What Go's server refuses and node:http lets through (an attack review, 2026-12-05): a Transfer-Encoding other than
 * chunked alone (`gzip, chunked` was read as chunked and the gzip ignored; Go answers 501), a Transfer-Encoding on
 * an HTTP/1.0 request (RFC 9112 6.1: faulty framing), and two Host headers (node keeps the first, a front proxy may
 * route by the other).
 */
function unsupportedFraming(request: IncomingMessage): { status: number; error: string } | undefined {
  const transferEncoding = request.headers['transfer-encoding'];
  if (transferEncoding !== undefined) {
    if (request.httpVersion === '1.0') {
      return { status: 400, error: 'Transfer-Encoding in an HTTP/1.0 request' };
    }
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      return { status: 501, error: `unsupported Transfer-Encoding ${JSON.stringify(transferEncoding)}: only chunked` };
    }
  }
  if (headerCount(request.rawHeaders, 'host') > 1) {
    return { status: 400, error: 'more than one Host header: send one' };
  }
  return undefined;
}

/** What a client may name its request: visible ASCII, as ids are written (UUIDs, trace ids), at most 128 of them. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The client's X-Request-Id when it is an id: one header of REQUEST_ID's form. Whether it holds a secret is not asked:
 * answering with the proxy's own id then told anyone, without credentials, whether a guess was in it (a review
 * recovered a 4-digit tenant id in 35 requests). It is the client's own text; the log lines it is written on are
 * redacted as every line is.
 */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : undefined;
}
