import { Command } from 'commander';
import { parseDuration as parseDurationLiteral } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { listenProblem } from './configErrors';
import { stepStart, type AnomalySchedule } from '../live/liveTelemetry';
import { runGenerator } from '../live/runGenerator';
import { parseInteger } from '../pipeline/detectionOptions';
import { ANOMALY_KINDS, type AnomalyKind } from '../sample/generateTelemetry';

interface GenerateFlags {
  listen?: string;
  influxUrl?: string;
  influxDatabase: string;
  influxMeasurement: string;
  influxWait: string;
  openmetricsFile?: string;
  backfill: string;
  hosts: string;
  seed: string;
  step: string;
  job: string;
  anomalyEvery: string;
  anomalyDuration: string;
  firstAnomalyAfter: string;
  anomalyKinds: string;
}

/** `generate`: live synthetic telemetry with scheduled anomalies, for the docker-compose demo stack and its test. */
export function generateCommand(): Command {
  return new Command('generate')
    .description(
      'serve live synthetic telemetry on /metrics and/or write it to InfluxDB, with anomalies injected on a schedule; ' +
        '--backfill writes history first (to InfluxDB, and/or to an OpenMetrics file for promtool)'
    )
    .option('--listen <host:port>', 'serve Prometheus metrics on http://<host:port>/metrics')
    .option('--influx-url <url>', 'InfluxDB 1.x base URL to write to every step, e.g. http://influxdb:8086')
    .option('--influx-database <name>', 'InfluxDB database (created if missing)', 'telemetry')
    .option('--influx-measurement <name>', 'InfluxDB measurement (host is a tag, each metric a field)', 'telemetry')
    .option('--influx-wait <duration>', 'how long to wait for InfluxDB to come up', '60s')
    .option(
      '--openmetrics-file <file>',
      'write the --backfill history here as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`'
    )
    .option('--backfill <duration>', 'history to write before going live, e.g. 1d (0 = none)', '0')
    .option('--hosts <a,b>', 'host names', 'host-a,host-b,host-c')
    .option('--seed <n>', 'random seed; the same seed gives the same values at the same times', '7')
    .option('--step <duration>', 'time between values (and between InfluxDB writes)', '15s')
    .option('--job <name>', 'value of the job label on /metrics and in the OpenMetrics file', 'telemetry')
    .option(
      '--anomaly-every <duration>',
      'time between anomaly starts (hosts and kinds take turns); 0 = no anomalies',
      '15m'
    )
    .option('--anomaly-duration <duration>', 'how long each anomaly lasts', '4m')
    .option('--first-anomaly-after <duration>', 'delay from start to the first anomaly', '3m')
    .option('--anomaly-kinds <a,b>', `kinds to inject in turn: ${ANOMALY_KINDS.join(', ')}`, ANOMALY_KINDS.join(','))
    .action(async (flags: GenerateFlags) => {
      const startedAt = Date.now();
      const stepMs = parseDuration('--step', flags.step);
      if (stepMs < 1000) {
        throw new InputError({ source: '--step' }, `must be at least 1s, got ${flags.step}`);
      }
      const hosts = parseList('--hosts', flags.hosts);
      const backfillMs = parseDuration('--backfill', flags.backfill, true);
      const listen = flags.listen === undefined ? undefined : parseListen(flags.listen);
      const influx =
        flags.influxUrl === undefined
          ? undefined
          : {
              url: await parseHttpUrl('--influx-url', flags.influxUrl),
              database: flags.influxDatabase,
              measurement: flags.influxMeasurement,
            };
      if (!listen && !influx && flags.openmetricsFile === undefined) {
        throw new InputError(
          { source: 'generate' },
          'nothing to do: give --listen, --influx-url and/or --openmetrics-file'
        );
      }
      if (flags.openmetricsFile !== undefined && backfillMs === 0) {
        throw new InputError(
          { source: '--openmetrics-file' },
          'holds the --backfill history: give --backfill too, e.g. --backfill 1d'
        );
      }
      const schedule = parseSchedule(flags, stepMs, startedAt);

      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await runGenerator(
          {
            model: { hosts, seed: parseInteger('--seed', flags.seed, 0, 4294967295), stepMs, schedule },
            job: flags.job,
            listen,
            influx,
            influxWaitMs: parseDuration('--influx-wait', flags.influxWait, true),
            backfillMs,
            openMetricsFile: flags.openmetricsFile,
            log: logLine,
          },
          stop.signal
        );
      } catch (error) {
        throw listenProblem('--listen', error) ?? error;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      logLine({}, 'stopped');
    });
}

/** Anomalies start on the step grid, only after the generator started: the backfilled history stays normal. */
function parseSchedule(flags: GenerateFlags, stepMs: number, startedAt: number): AnomalySchedule | undefined {
  const everyMs = parseDuration('--anomaly-every', flags.anomalyEvery, true);
  if (everyMs === 0) {
    return undefined;
  }
  const durationMs = parseDuration('--anomaly-duration', flags.anomalyDuration);
  const firstAfterMs = parseDuration('--first-anomaly-after', flags.firstAnomalyAfter, true);
  for (const [flag, value] of [
    ['--anomaly-every', everyMs],
    ['--anomaly-duration', durationMs],
  ] as const) {
    if (value % stepMs !== 0) {
      throw new InputError({ source: flag }, `must be a multiple of --step (${flags.step})`);
    }
  }
  if (durationMs > everyMs) {
    throw new InputError(
      { source: '--anomaly-duration' },
      `must not exceed --anomaly-every (${flags.anomalyEvery}): anomalies would overlap`
    );
  }
  const kinds = parseList('--anomaly-kinds', flags.anomalyKinds).map((kind) => {
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
      throw new InputError({ source: '--anomaly-kinds' }, `unknown kind "${kind}"; known: ${ANOMALY_KINDS.join(', ')}`);
    }
    return kind as AnomalyKind;
  });
  // Rounded up to the grid: the first anomalous value is never before startedAt + firstAfterMs.
  const firstStartMs = stepStart(startedAt + firstAfterMs + stepMs - 1, stepMs);
  return { firstStartMs, everyMs, durationMs, kinds };
}

/** `15s`, `1h30m`, `1d` (the duration grammar the proxy and Grafana read, engine contract); `0` when allowZero. */
function parseDuration(flag: string, text: string, allowZero = false): number {
  const trimmed = text.trim();
  if (allowZero && trimmed === '0') {
    return 0;
  }
  const total = parseDurationLiteral(trimmed);
  if (total === undefined) {
    throw new InputError({ source: flag }, `expected a duration such as 15s, 5m, 1h30m or 1d, got "${text}"`);
  }
  if (total === 0 && !allowZero) {
    throw new InputError({ source: flag }, 'must be longer than 0');
  }
  return total;
}

function parseList(flag: string, text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    throw new InputError({ source: flag }, 'expected a comma-separated list with at least one name');
  }
  return items;
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text.trim());
  if (!match || Number(match[2]) > 65535) {
    throw new InputError({ source: '--listen' }, `expected host:port such as 0.0.0.0:9100, got "${text}"`);
  }
  return { host: match[1] === '' ? '0.0.0.0' : match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

async function parseHttpUrl(flag: string, text: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError({ source: flag }, `not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError({ source: flag }, `must use http or https, got "${url.protocol}"`);
  }
  // Loaded on demand, as the writer's command does: the other commands must not load the proxy's packages.
  const { blockedPortProblem } = await import('@telemetry-analyzer/query');
  const blocked = blockedPortProblem(url);
  if (blocked !== undefined) {
    throw new InputError({ source: flag }, blocked);
  }
  return text;
}

/** One JSON object per line on stdout, like the proxy's logs. */
function logLine(fields: Record<string, unknown>, message: string): void {
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: message, ...fields }) + '\n'
  );
}
