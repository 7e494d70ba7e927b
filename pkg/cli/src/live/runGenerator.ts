/**
 * The `generate` command's work: backfill history (an OpenMetrics file for promtool and/or InfluxDB), then serve
 * the current values on /metrics and/or write them to InfluxDB every step, injecting the scheduled anomalies,
 * until `signal` aborts. Every event is one JSON line through `log`.
 */
import { createServer, type Server } from 'http';
import { once } from 'events';
import { type AddressInfo } from 'net';
import { dirname } from 'path';
import { writeAtomically } from '../output/atomicOutput';
import { METRICS } from '../sample/generateTelemetry';
import { InfluxWriter, type InfluxTarget } from './influxWriter';
import { anomalyAt, stepStart, telemetryAt, type LiveTelemetryModel } from './liveTelemetry';
import { openMetricsLines, prometheusExposition, type HostSample } from './telemetryFormats';

export interface GeneratorOptions {
  model: LiveTelemetryModel;
  /** Value of the `job` label on /metrics and in the OpenMetrics file. */
  job: string;
  /** Serve /metrics here. */
  listen?: { host: string; port: number };
  /** Write every step here (and the backfill, if any). */
  influx?: InfluxTarget;
  /** How long InfluxDB may take to come up before the generator gives up. */
  influxWaitMs: number;
  /** History to write before going live, ending just before the current step; 0 = none. */
  backfillMs: number;
  /** Write the backfill to this file as OpenMetrics (for `promtool tsdb create-blocks-from openmetrics`). */
  openMetricsFile?: string;
  log: (fields: Record<string, unknown>, message: string) => void;
  /** Called once /metrics listens, with the bound address (port 0 picks a free one). */
  onListening?: (address: { host: string; port: number }) => void;
  now?: () => number;
}

/** Resolves when the work is done: right after the backfill without live outputs, else once `signal` aborts. */
export async function runGenerator(options: GeneratorOptions, signal: AbortSignal): Promise<void> {
  const now = options.now ?? Date.now;
  const { model } = options;
  const currentStep = stepStart(now(), model.stepMs);
  const backfillFrom = stepStart(currentStep - options.backfillMs, model.stepMs);

  if (options.openMetricsFile !== undefined && options.backfillMs > 0) {
    const samples = await writeOpenMetricsBackfill(
      options.openMetricsFile,
      model,
      options.job,
      backfillFrom,
      currentStep
    );
    options.log(
      { file: options.openMetricsFile, samples, from: iso(backfillFrom), to: iso(currentStep) },
      'wrote the OpenMetrics backfill'
    );
  }

  const influx = options.influx ? new InfluxWriter(options.influx) : undefined;
  if (influx) {
    await influx.prepare(options.influxWaitMs);
    if (options.backfillMs > 0) {
      // Only what is missing: a restarted generator must not overwrite the anomalies it already wrote.
      const newest = await influx.newestPointMs();
      const from =
        newest === undefined ? backfillFrom : Math.max(backfillFrom, stepStart(newest, model.stepMs) + model.stepMs);
      const samples = samplesBetween(model, from, currentStep).flat();
      await influx.write(samples);
      options.log(
        {
          url: influx.url,
          database: options.influx!.database,
          points: samples.length,
          from: iso(from),
          to: iso(currentStep),
        },
        'wrote the InfluxDB backfill'
      );
    }
  }

  if (!options.listen && !influx) {
    return;
  }
  const server = options.listen ? await serveMetrics(options, now) : undefined;
  try {
    await runSteps(options, influx, currentStep, now, signal);
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

/** Every step: log anomalies that start or end, write the step's values to InfluxDB. Returns when aborted. */
async function runSteps(
  options: GeneratorOptions,
  influx: InfluxWriter | undefined,
  firstStep: number,
  now: () => number,
  signal: AbortSignal
): Promise<void> {
  const { model } = options;
  // Steps not yet in InfluxDB: a failed write is retried with the next step.
  let unwrittenFrom = firstStep;
  for (let step = firstStep; !signal.aborted; step += model.stepMs) {
    await sleepUntil(step, now, signal);
    if (signal.aborted) {
      break;
    }
    logAnomalyChanges(options, step);
    if (influx) {
      try {
        await influx.write(samplesBetween(model, unwrittenFrom, step + model.stepMs).flat());
        unwrittenFrom = step + model.stepMs;
      } catch (error) {
        options.log(
          {
            level: 'warn',
            error: error instanceof Error ? error.message : String(error),
            pendingSince: iso(unwrittenFrom),
          },
          'InfluxDB write failed; retrying with the next step'
        );
      }
    }
  }
}

function logAnomalyChanges(options: GeneratorOptions, step: number): void {
  const { model } = options;
  const current = anomalyAt(model, step);
  if (current && current.startMs === step) {
    options.log(
      {
        kind: current.kind,
        host: current.host,
        metrics: current.metrics,
        start: iso(current.startMs),
        end: iso(current.endMs),
        index: current.index,
      },
      'anomaly injected'
    );
  }
  const previous = anomalyAt(model, step - model.stepMs);
  if (previous && previous.endMs === step) {
    options.log({ kind: previous.kind, host: previous.host, index: previous.index }, 'anomaly ended');
  }
}

async function serveMetrics(options: GeneratorOptions, now: () => number): Promise<Server> {
  const { model } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      const t = now();
      const samples = model.hosts.map((host) => ({ host, timestampMs: t, values: telemetryAt(model, host, t) }));
      response
        .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(prometheusExposition(samples, options.job));
    } else if (path === '/healthz') {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics\n');
    }
  });
  const { host, port } = options.listen!;
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  const bound = { host, port: (server.address() as AddressInfo).port };
  options.log({ address: `${host}:${bound.port}` }, 'serving /metrics');
  options.onListening?.(bound);
  return server;
}

/** Each host's samples at every step in [fromMs, toMs), in time order. */
function samplesBetween(model: LiveTelemetryModel, fromMs: number, toMs: number): HostSample[][] {
  return model.hosts.map((host) => {
    const samples: HostSample[] = [];
    for (let t = fromMs; t < toMs; t += model.stepMs) {
      samples.push({ host, timestampMs: t, values: telemetryAt(model, host, t) });
    }
    return samples;
  });
}

/**
 * Written through AtomicOutput, as the other commands' outputs: a temporary file renamed into place, so promtool never
 * reads half a file, and removed on failure or on Ctrl-C / SIGTERM. Returns the sample count.
 */
async function writeOpenMetricsBackfill(
  file: string,
  model: LiveTelemetryModel,
  job: string,
  fromMs: number,
  toMs: number
): Promise<number> {
  const samplesByHost = samplesBetween(model, fromMs, toMs);
  await writeAtomically(dirname(file), async (output) => {
    const writer = output.open(file);
    // Written as the lines come: joined first, 100 days of them passed the longest string V8 makes (a review).
    for (const line of openMetricsLines(samplesByHost, job)) {
      await writer.write(line + '\n');
    }
  });
  return samplesByHost.reduce((sum, samples) => sum + samples.length, 0) * METRICS.length;
}

function sleepUntil(timeMs: number, now: () => number, signal: AbortSignal): Promise<void> {
  const delay = timeMs - now();
  if (delay <= 0 || signal.aborted) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
