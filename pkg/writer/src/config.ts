/**
 * The writer's YAML configuration: the sections it shares with the proxy (@telemetry-analyzer/query's
 * ServiceConfigReader: upstreams, engine, model store, caches, limits, workers, log) plus `remoteWrite`, `output`,
 * `shard` and `jobs`. Every error names its key.
 */
import {
  SERVICE_ROOT_KEYS,
  ServiceConfigReader,
  describeMs,
  fewestTrainingPoints,
  isObject,
  parseQuery,
  resolveSettings,
  readConfigFile,
  readYamlConfig,
  type AnomalyQuery,
  type ServiceConfig,
} from '@telemetry-analyzer/query';
import { seriesSelectors } from './inputNewest';
import type { RemoteWriteSettings } from './remoteWrite/remoteWriteClient';
import { ShardSpec, parseShard } from './shard';
import { EXPORTED_PREFIX } from './writtenSeries';

export interface RemoteWriteConfig extends RemoteWriteSettings {
  /** The upstream (type prometheus) that reads the target TSDB back: where a restarted writer resumes from. */
  readBack: string;
  /** Added to every written series, e.g. { cluster: eu1, __replica__: a } for an HA pair behind Mimir's HA tracker. */
  externalLabels: Record<string, string>;
  /** How far back a writer looks for its last written sample when it starts [7d]. */
  resumeLookbackMs: number;
  /**
   * A backfill's read-back counts a sample missing only once the shortfall has not shrunk for this long (a TSDB may
   * serve accepted samples later: VictoriaMetrics within seconds, and hides the newest 30 s by default) [1m].
   */
  readBackSettleMs: number;
}

/** Names of the written series and of the label that says which job wrote them. */
export interface OutputNames {
  score: string;
  flag: string;
  threshold: string;
  jobLabel: string;
}

export interface JobSchedule {
  /** How often the job scores the points that arrived [1m]. */
  inferEveryMs: number;
  /** Models are refit at every multiple of this (epoch-aligned) [1h]. */
  fitEveryMs: number;
  /** History each fit trains on, ending at the fit time [1d]. */
  fitWindowMs: number;
  /** Points newer than now - delay are left for the next run (let scrapes and ingestion settle) [0s]. */
  delayMs: number;
  /**
   * A shard lists its selector's series again after this much new data (and for every read reaching further back, a
   * fit's training range); between listings it reads only the exact selectors of the series it knows [10m].
   */
  seriesRefreshMs: number;
}

export interface JobConfig {
  name: string;
  /** The wrapped query as written: PromQL, or influxql("SELECT …"). */
  query: string;
  /** The anomaly functions' options as the proxy's grammar spells them: `contamination=0.01, step="1m"`. */
  optionsText: string;
  /** The query parsed by the proxy's parser (anomaly_score), to check it once. */
  parsed: AnomalyQuery;
  stepMs: number;
  schedule: JobSchedule;
  output: OutputNames;
}

export interface WriterConfig extends ServiceConfig {
  remoteWrite: RemoteWriteConfig;
  jobs: JobConfig[];
  /** This writer's shard of every job's series ({index 0, count 1} = all). */
  shard: ShardSpec;
  /** On SIGTERM, how long the queue may take to drain before what is left is dropped [30s]. */
  shutdownGraceMs: number;
}

const ROOT_KEYS = [...SERVICE_ROOT_KEYS, 'remoteWrite', 'output', 'shard', 'jobs', 'shutdownGrace'];
/** Options the schedule owns: each fit sets the training range. */
const SCHEDULED_OPTIONS = ['train', 'train_start', 'train_end'];
const JOB_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

export function loadWriterConfig(path: string): WriterConfig {
  return parseWriterConfig(readConfigFile(path, 'writer configuration'), path);
}

export function parseWriterConfig(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env): WriterConfig {
  const reader = new WriterConfigReader(env);
  return readYamlConfig(text, source, 'writer configuration', reader, (raw) => reader.readRoot(raw, source));
}

class WriterConfigReader extends ServiceConfigReader {
  readRoot(raw: unknown, source: string): WriterConfig | undefined {
    if (!isObject(raw)) {
      this.problem('(root)', 'must be a mapping with at least `upstreams`, `remoteWrite` and `jobs`');
      return undefined;
    }
    this.rejectUnknownKeys(raw, '', ROOT_KEYS);
    const service = this.readService(raw, source, 9096);
    const output = this.readOutput(raw.output);
    const remoteWrite = this.readRemoteWrite(raw.remoteWrite, service, output.jobLabel);
    let shard: ShardSpec = { index: 0, count: 1 };
    if (raw.shard !== undefined) {
      const parsed = typeof raw.shard === 'string' ? parseShard(raw.shard) : undefined;
      if (!parsed) {
        this.problem('shard', `must be "i/N" with 0 <= i < N, got ${JSON.stringify(raw.shard)}`);
      } else {
        shard = parsed;
      }
    }
    return {
      ...service,
      remoteWrite,
      jobs: this.readJobs(raw.jobs, output, service, remoteWrite),
      shard,
      shutdownGraceMs: this.readDuration(raw.shutdownGrace, 'shutdownGrace', 30_000),
    };
  }

  private readOutput(raw: unknown): OutputNames {
    const names: OutputNames = {
      score: 'anomaly_score',
      flag: 'anomaly_flag',
      threshold: 'anomaly_threshold',
      jobLabel: 'anomaly_job',
    };
    if (raw === undefined || raw === null) {
      return names;
    }
    if (!isObject(raw)) {
      this.problem('output', 'must be {prefix?, score?, flag?, threshold?, jobLabel?}');
      return names;
    }
    this.rejectUnknownKeys(raw, 'output', ['prefix', 'score', 'flag', 'threshold', 'jobLabel']);
    const prefix = this.optionalString(raw, 'prefix', 'output') ?? 'anomaly_';
    for (const key of ['score', 'flag', 'threshold'] as const) {
      names[key] = this.optionalString(raw, key, 'output') ?? `${prefix}${key}`;
    }
    names.jobLabel = this.optionalString(raw, 'jobLabel', 'output') ?? names.jobLabel;
    for (const key of ['score', 'flag', 'threshold'] as const) {
      if (!/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(names[key])) {
        this.problem(`output.${key}`, `not a valid metric name: "${names[key]}"`);
      }
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(names.jobLabel) || names.jobLabel.startsWith('__')) {
      this.problem('output.jobLabel', `not a valid label name: "${names.jobLabel}"`);
    } else if (names.jobLabel.startsWith(EXPORTED_PREFIX)) {
      this.problem(
        'output.jobLabel',
        `"${names.jobLabel}": names starting with "${EXPORTED_PREFIX}" are kept for the input labels the writer renames`
      );
    }
    // Two outputs under one name would be one series holding both (scores and flags interleaved).
    const keys = ['score', 'flag', 'threshold'] as const;
    keys.forEach((key, i) => {
      const same = keys.slice(0, i).find((other) => names[other] === names[key]);
      if (same !== undefined) {
        this.problem(`output.${key}`, `"${names[key]}" is output.${same}'s name too: each output needs its own metric`);
      }
    });
    return names;
  }

  private readRemoteWrite(raw: unknown, service: ServiceConfig, jobLabel: string): RemoteWriteConfig {
    const settings: RemoteWriteConfig = {
      url: '',
      timeoutMs: 30_000,
      auth: {},
      batchSamples: 2_000,
      queueSamples: 500_000,
      minBackoffMs: 100,
      maxBackoffMs: 10_000,
      readBack: service.defaultUpstream,
      externalLabels: {},
      resumeLookbackMs: 7 * 86_400_000,
      readBackSettleMs: 60_000,
    };
    if (!isObject(raw)) {
      this.problem('remoteWrite', 'required: {url, readBack, ...} (the TSDB written to, and the upstream reading it)');
      return settings;
    }
    this.rejectUnknownKeys(raw, 'remoteWrite', [
      'url',
      'timeout',
      'auth',
      'batchSamples',
      'queueSamples',
      'minBackoff',
      'maxBackoff',
      'readBack',
      'externalLabels',
      'resumeLookback',
      'readBackSettle',
    ]);
    settings.url = this.readUpstreamUrl(raw.url, 'remoteWrite.url');
    settings.timeoutMs = this.readDuration(raw.timeout, 'remoteWrite.timeout', settings.timeoutMs);
    settings.auth = this.readUpstreamAuth(raw.auth, 'remoteWrite.auth');
    settings.batchSamples = this.readInteger(raw, 'batchSamples', 'remoteWrite', 1, 1_000_000, settings.batchSamples);
    settings.queueSamples = this.readInteger(raw, 'queueSamples', 'remoteWrite', 1, 1e9, settings.queueSamples);
    settings.minBackoffMs = this.readDuration(raw.minBackoff, 'remoteWrite.minBackoff', settings.minBackoffMs);
    settings.maxBackoffMs = this.readDuration(raw.maxBackoff, 'remoteWrite.maxBackoff', settings.maxBackoffMs);
    if (settings.minBackoffMs > settings.maxBackoffMs) {
      this.problem(
        'remoteWrite.minBackoff',
        `must not exceed maxBackoff (${settings.maxBackoffMs} ms), got ${settings.minBackoffMs} ms`
      );
    }
    settings.resumeLookbackMs = this.readDuration(
      raw.resumeLookback,
      'remoteWrite.resumeLookback',
      settings.resumeLookbackMs
    );
    settings.readBackSettleMs = this.readDuration(
      raw.readBackSettle,
      'remoteWrite.readBackSettle',
      settings.readBackSettleMs
    );
    const readBack = this.optionalString(raw, 'readBack', 'remoteWrite') ?? settings.readBack;
    const upstream = service.upstreams[readBack];
    if (!upstream || upstream.type !== 'prometheus') {
      this.problem('remoteWrite.readBack', `must name a prometheus upstream (the TSDB written to), got "${readBack}"`);
    }
    settings.readBack = readBack;
    if (raw.externalLabels !== undefined) {
      if (!isObject(raw.externalLabels)) {
        this.problem('remoteWrite.externalLabels', 'must map label names to values');
      } else {
        for (const name of Object.keys(raw.externalLabels)) {
          const value = this.expand(raw.externalLabels[name], `remoteWrite.externalLabels.${name}`);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value === undefined || value === '') {
            this.problem(`remoteWrite.externalLabels.${name}`, 'needs a valid label name and a non-empty value');
          } else if (name === jobLabel) {
            // It would replace the label the writer names its job by (resume would then never find what it wrote).
            this.problem(`remoteWrite.externalLabels.${name}`, `"${name}" is the writer's own label (output.jobLabel)`);
          } else if (name.startsWith('__')) {
            // Reserved: __name__ is the metric, and a TSDB may drop the others (Mimir's HA tracker drops __replica__),
            // where the writer reads back what it wrote by its labels.
            this.problem(
              `remoteWrite.externalLabels.${name}`,
              `"${name}": labels starting with "__" are reserved, and a TSDB may drop them (Mimir's HA tracker drops ` +
                '__replica__) where the writer reads back its samples by their labels (docs/scale.md, "Sharding and HA")'
            );
          } else if (name.startsWith(EXPORTED_PREFIX)) {
            // Input labels named like the writer's are written under exported_<name>: this one could meet them.
            this.problem(
              `remoteWrite.externalLabels.${name}`,
              `"${name}": names starting with "${EXPORTED_PREFIX}" are kept for the input labels the writer renames`
            );
          } else {
            settings.externalLabels[name] = value;
          }
        }
      }
    }
    return settings;
  }

  private readJobs(
    raw: unknown,
    output: OutputNames,
    service: ServiceConfig,
    remoteWrite: RemoteWriteConfig
  ): JobConfig[] {
    if (!Array.isArray(raw) || raw.length === 0) {
      this.problem('jobs', 'must be a list of at least one {name, query, options?, schedule?}');
      return [];
    }
    const jobs: JobConfig[] = [];
    const names = new Set<string>();
    raw.forEach((value, i) => {
      const key = `jobs[${i}]`;
      if (!isObject(value)) {
        this.problem(key, 'must be {name, query, options?, schedule?}');
        return;
      }
      this.rejectUnknownKeys(value, key, ['name', 'query', 'options', 'schedule']);
      const name = this.requiredString(value, 'name', key);
      if (!JOB_NAME.test(name) || names.has(name)) {
        this.problem(`${key}.name`, `must be a unique name of letters, digits, _ . : - (got "${name}")`);
      }
      names.add(name);
      const query = this.requiredString(value, 'query', key);
      const optionsText = this.readOptions(value.options, `${key}.options`);
      const schedule = this.readSchedule(value.schedule, `${key}.schedule`);
      let parsed: AnomalyQuery | undefined;
      // The proxy's own parser judges the job as the proxy would judge anomaly_score(query, options).
      const judged = `anomaly_score(${query}${optionsText ? `, ${optionsText}` : ''})`;
      try {
        const result = parseQuery(judged);
        if (result.kind !== 'anomaly') {
          throw new Error('not an anomaly query');
        }
        parsed = result.query;
      } catch (error) {
        // The parser's "at char N" counts in the judged text, which the message quotes.
        this.problem(
          `${key}.query`,
          `not a valid anomaly query with its options: ${(error as Error).message} (in ${judged})`
        );
        return;
      }
      const stepMs = parsed.options.step ?? service.engine.instantStepMs;
      if (schedule.fitEveryMs % stepMs !== 0 || schedule.inferEveryMs % stepMs !== 0) {
        this.problem(`${key}.schedule`, 'fit_every and infer_every must be multiples of the step');
      }
      this.checkFitWindow(schedule.fitWindowMs, stepMs, parsed, service, `${key}.schedule.fit_window`);
      this.checkSchedule(name, schedule, remoteWrite, `${key}.schedule`);
      if (parsed.inner.language === 'promql' && seriesSelectors(parsed.inner.expression).length === 0) {
        this.problem(
          `${key}.query`,
          `job "${name}": ${JSON.stringify(query)} reads no series (no metric or {…} selector): its value is a ` +
            'scalar or a made-up series, never a series of data to score'
        );
      }
      jobs.push({ name, query, optionsText, parsed, stepMs, schedule, output });
    });
    return jobs;
  }

  /**
   * Schedules that are valid durations but can never work as meant (docs/scale.md, "Schedule bounds"): a delay a
   * restarted writer could never resume after. An infer_every longer than fit_every is taken: each run scores every
   * fit period since the run before with that period's model, as a backfill does (the same values).
   */
  private checkSchedule(name: string, schedule: JobSchedule, remoteWrite: RemoteWriteConfig, key: string): void {
    const { inferEveryMs, delayMs } = schedule;
    if (delayMs + inferEveryMs > remoteWrite.resumeLookbackMs) {
      this.problem(
        `${key}.delay`,
        `job "${name}": ${describeMs(delayMs)} (with infer_every ${describeMs(inferEveryMs)}) puts the newest ` +
          `written point further back than remoteWrite.resumeLookback (${describeMs(remoteWrite.resumeLookbackMs)}), ` +
          'as far as a restarted writer looks for it: every restart would start over, leaving a gap; lower delay ' +
          'or raise remoteWrite.resumeLookback'
      );
    }
  }

  /**
   * Every fit trains on [F - fit_window, F - step]: refused here when that can never train, or is more points than
   * the limit, rather than failing every run.
   */
  private checkFitWindow(
    fitWindowMs: number,
    stepMs: number,
    parsed: AnomalyQuery,
    service: ServiceConfig,
    key: string
  ): void {
    const points = Math.floor((fitWindowMs - stepMs) / stepMs) + 1;
    const settings = resolveSettings(service.engine, parsed, { kind: 'instant', timeMs: 0 });
    const fewest = fewestTrainingPoints(settings);
    const atStep = `${describeMs(fitWindowMs)} at step ${describeMs(stepMs)} is ${Math.max(points, 0)} training points per series`;
    if (points < fewest) {
      this.problem(
        key,
        `${atStep}; training needs at least ${fewest} (the features' warm-up of window and lags, and 8 rows): lengthen fit_window or lower step`
      );
    } else if (points > service.limits.maxTrainingPointsPerSeries) {
      this.problem(
        key,
        `${atStep}; at most ${service.limits.maxTrainingPointsPerSeries} (limits.maxTrainingPointsPerSeries): shorten fit_window or raise step`
      );
    }
  }

  /** The options mapping as the anomaly grammar's `name=value` list (strings quoted, numbers and booleans bare). */
  private readOptions(raw: unknown, key: string): string {
    if (raw === undefined || raw === null) {
      return '';
    }
    if (!isObject(raw)) {
      this.problem(key, 'must map option names (contamination, trees, step, by, ...) to values');
      return '';
    }
    const parts: string[] = [];
    for (const [name, value] of Object.entries(raw)) {
      if (SCHEDULED_OPTIONS.includes(name)) {
        this.problem(`${key}.${name}`, 'set by the schedule (fit_window, fit_every): remove it');
        continue;
      }
      if (typeof value === 'number' || typeof value === 'boolean') {
        parts.push(`${name}=${value}`);
      } else if (typeof value === 'string') {
        parts.push(`${name}=${JSON.stringify(value)}`);
      } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        parts.push(`${name}=${JSON.stringify(value.join(','))}`);
      } else {
        this.problem(`${key}.${name}`, `must be a number, boolean or string, got ${JSON.stringify(value)}`);
      }
    }
    return parts.join(', ');
  }

  private readSchedule(raw: unknown, key: string): JobSchedule {
    const schedule: JobSchedule = {
      inferEveryMs: 60_000,
      fitEveryMs: 3_600_000,
      fitWindowMs: 86_400_000,
      delayMs: 0,
      seriesRefreshMs: 600_000,
    };
    if (raw === undefined || raw === null) {
      return schedule;
    }
    if (!isObject(raw)) {
      this.problem(key, 'must be {infer_every?, fit_every?, fit_window?, delay?, series_refresh?}');
      return schedule;
    }
    this.rejectUnknownKeys(raw, key, ['infer_every', 'fit_every', 'fit_window', 'delay', 'series_refresh']);
    schedule.inferEveryMs = this.readDuration(raw.infer_every, `${key}.infer_every`, schedule.inferEveryMs);
    schedule.fitEveryMs = this.readDuration(raw.fit_every, `${key}.fit_every`, schedule.fitEveryMs);
    schedule.fitWindowMs = this.readDuration(raw.fit_window, `${key}.fit_window`, schedule.fitWindowMs);
    schedule.seriesRefreshMs = this.readDuration(raw.series_refresh, `${key}.series_refresh`, schedule.seriesRefreshMs);
    // No delay in any unit (a review found 0 and 0s taken and 0m refused as "not positive").
    schedule.delayMs = this.readDuration(raw.delay, `${key}.delay`, schedule.delayMs, true);
    return schedule;
  }
}
