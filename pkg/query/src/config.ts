/**
 * The YAML configuration the anomaly proxy and the writer share: types, defaults and validation of upstreams,
 * engine defaults, model store, caches, limits, workers and log. Every error names the offending key
 * (e.g. `upstreams.prom.url`) so an operator can fix the file without reading code.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  ANOMALY_INTEGER_LIMITS,
  CONTAMINATION_MAX,
  DEFAULT_CONTAMINATION,
  DEFAULT_DETECTOR_SETTINGS,
  DEFAULT_OPTION_COST_LIMITS,
  DEFAULT_RETRAIN_INTERVAL_MS,
} from '@telemetry-analyzer/engine';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { parseDurationOrSeconds } from './time';
import { blockedPortProblem } from './upstreams/fetchPorts';

export type UpstreamType = 'prometheus' | 'influxdb';

export interface UpstreamAuth {
  basic?: { username: string; password: string };
  bearer?: { token: string };
  /** Extra headers sent on every upstream request (e.g. `X-Scope-OrgID`); their values count as secrets. */
  headers?: Record<string, string>;
}

export interface UpstreamConfig {
  name: string;
  type: UpstreamType;
  /** Base URL without credentials, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** Per-request timeout in ms [30s]. */
  timeoutMs: number;
  auth: UpstreamAuth;
  /**
   * InfluxDB 1.x only: the database (`db=`), optional retention policy (`rp=`), and the retention policies a
   * statement may name in `"rp"."measurement"` [the retentionPolicy, else autogen]. No other database is readable.
   */
  influx?: { database: string; retentionPolicy?: string; retentionPolicies: string[] };
}

/** Engine defaults; each can be overridden per query by the anomaly function's options. */
export interface EngineDefaults {
  /** Expected share of anomalies: 'auto' or (0, 0.5] ['auto']. */
  contamination: 'auto' | number;
  /** Isolation trees [100]. */
  trees: number;
  /** Rolling window in points [12]. */
  window: number;
  /** Lags per metric [1]. */
  lags: number;
  /** Hour/weekday features: 'auto' (on when the data span >= 2 days), true or false ['auto']. */
  seasonality: 'auto' | boolean;
  /** Seed of the engine's PRNG [42]. */
  seed: number;
  /** How much history before the query start a model is trained on, ms ['1d']. */
  trainingWindowMs: number;
  /** Models older than this are retrained on the next query, ms ['1h']. */
  retrainIntervalMs: number;
  /** Resolution of instant queries (vmalert, Grafana alerting), ms ['60s']. */
  instantStepMs: number;
}

export interface Limits {
  /** Longest accepted `query` parameter, characters [16384]; longer → 400 bad_data. */
  maxQueryLength: number;
  /** Most series an anomaly query may score [500]; more → 422 execution. */
  maxSeriesPerQuery: number;
  /** Most points per series of an anomaly query's answer [11000, as Prometheus]; more → 400 bad_data. */
  maxPointsPerSeries: number;
  /** Most points per series a model may be trained on [100000]; more → 400 bad_data. */
  maxTrainingPointsPerSeries: number;
  /** Trainings at once (cold models, online queries); further ones wait; warm queries never do [4]. */
  maxConcurrency: number;
  /**
   * Anomaly queries evaluated at once, warm or cold [32]; further ones wait. What bounds the memory of the queries in
   * flight (each within the per-query limits); far above maxConcurrency, so that warm alert rules get a turn while
   * cold queries wait for a training one.
   */
  maxQueriesInFlight: number;
  /** Largest request body, bytes [1 MiB]; larger → 413. */
  bodyLimit: number;
  /** Most isolation trees a query's model may have (trees=) [1000]; more → 400 bad_data. */
  maxTrees: number;
  /** Longest rolling window, points (window=) [1440]; longer → 400 bad_data. */
  maxWindow: number;
  /** Most lags (lags=) [100]; more → 400 bad_data. */
  maxLags: number;
  /** Most samples one anomaly query may fetch from an upstream, all series together [10000000]; more → 422. */
  maxSamplesPerQuery: number;
  /** Most rows (points x models) one anomaly query may have the engine score [2000000]; more → 422. */
  maxPointsScoredPerQuery: number;
  /**
   * Most feature values (rows x feature columns) one model may be trained or scored on [20000000, 160 MB as float64];
   * more → 422. A multivariate group's columns grow with its series x (lags + 6).
   */
  maxFeatureValuesPerModel: number;
  /** Longest an anomaly query may run, waiting included, ms ['2m', as Prometheus' query.timeout]; then 503 timeout. */
  queryTimeoutMs: number;
  /**
   * Largest upstream answer the proxy or the writer reads into memory (an anomaly query's range queries, InfluxDB
   * `/query`, series listings, readiness probes), bytes as received after decoding [DEFAULT_MAX_UPSTREAM_ANSWER_BYTES
   * = 128 MiB]; a larger answer is given up as it arrives → 422. Pass-through answers stream and are not bounded.
   */
  maxUpstreamAnswerBytes: number;
}

/**
 * limits.maxUpstreamAnswerBytes by default: 128 MiB holds one 10 000-step range query of maxSeriesPerQuery (500)
 * series at ~25 bytes per sample in Prometheus' JSON, the most a query within the other limits reads in one answer.
 */
export const DEFAULT_MAX_UPSTREAM_ANSWER_BYTES = 128 * 2 ** 20;

/** The limits a config without `limits` has (docs/proxy.md lists them). */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxQueryLength: 16_384,
  maxSeriesPerQuery: 500,
  maxPointsPerSeries: 11_000,
  maxTrainingPointsPerSeries: 100_000,
  maxConcurrency: 4,
  maxQueriesInFlight: 32,
  bodyLimit: 1_048_576,
  maxTrees: DEFAULT_OPTION_COST_LIMITS.trees,
  maxWindow: DEFAULT_OPTION_COST_LIMITS.window,
  maxLags: DEFAULT_OPTION_COST_LIMITS.lags,
  maxSamplesPerQuery: 10_000_000,
  maxPointsScoredPerQuery: 2_000_000,
  maxFeatureValuesPerModel: 20_000_000,
  maxUpstreamAnswerBytes: DEFAULT_MAX_UPSTREAM_ANSWER_BYTES,
  queryTimeoutMs: 120_000,
};

/** How warm anomaly queries reuse what a model's score cache already holds (docs/proxy.md, "Score cache"). */
/**
 * Models kept in memory by default. A model takes ~75 KB (10 000 measured at ~0.74 GB RSS, docs/performance.md), and
 * memory grows only with the models queries actually need; a cache smaller than the series that rules and dashboards
 * query makes every evaluation retrain, which costs far more than the memory.
 */
export const DEFAULT_MAX_MODELS = 10_000;

/**
 * Bytes the cached models may hold together by default (their detectors: modelBytes): DEFAULT_MAX_MODELS of 100 trees
 * fit, while models of trees=1000 (~10x the bytes each) no longer make maxModels a 10 GB bound.
 */
export const DEFAULT_MAX_MODEL_BYTES = 2 ** 30;

/** The model cache's bounds: whichever is reached first evicts the least recently used models. */
export interface ModelCacheConfig {
  /** Models held [DEFAULT_MAX_MODELS]. */
  maxModels: number;
  /** Bytes their detectors hold together [DEFAULT_MAX_MODEL_BYTES = 1 GiB]. */
  maxBytes: number;
}

/** What all models' score caches may hold together by default (scoreCache.maxBytes): 256 MiB. */
export const DEFAULT_SCORE_CACHE_BYTES = 256 * 2 ** 20;

export interface ScoreCacheConfig {
  /**
   * A warm range query fetches from the upstream only the samples newer than the cached end minus this window, ms
   * ['10m']; older cached samples are trusted (a late change to them is not seen until the model is retrained or
   * evicted). 0 = always fetch the whole range.
   */
  refetchWindowMs: number;
  /**
   * Bytes the score caches of all models may hold together [268435456 = 256 MiB]; beyond it the least recently
   * scored models drop theirs (their next query fetches and scores the whole range). 0 = no score cache.
   */
  maxBytes: number;
}

/** Trained models on disk, within a byte budget (least recently used removed first) and an optional age. */
export interface ModelStoreConfig {
  directory: string;
  /** Bytes the model files may take together [1073741824 = 1 GiB]. */
  maxBytes: number;
  /** Files not used (saved or loaded) for this long are removed, ms [undefined = no age limit]. */
  maxAgeMs?: number;
}

/**
 * What the model store may hold on disk by default (modelStore.maxBytes): 1 GiB, ~2 400 model files at the default
 * options (~440 KB each: the trees and the training scores, as JSON).
 */
export const DEFAULT_MODEL_STORE_BYTES = 2 ** 30;

/** engine.retrainInterval's default: training windows end on the hour (the engine's contract; the panel assumes it). */
export { DEFAULT_RETRAIN_INTERVAL_MS };

/** Training worker threads by default: every core but the one the event loop runs on, at least one. */
export const DEFAULT_TRAINING_WORKERS = Math.max(1, availableParallelism() - 1);

/**
 * What the proxy and the writer read alike: upstreams, engine defaults, model store and caches, cost limits, worker
 * threads, log level. Each host's config adds its own sections (the proxy's auth and server, the writer's jobs).
 */
export interface ServiceConfig {
  /** Where the config came from (file path or a label), for messages. */
  source: string;
  listen: { host: string; port: number };
  upstreams: Record<string, UpstreamConfig>;
  defaultUpstream: string;
  engine: EngineDefaults;
  /** Directory for trained models; undefined = models live in memory only. */
  modelStore?: ModelStoreConfig;
  /** In-memory LRU of trained models. */
  modelCache: ModelCacheConfig;
  scoreCache: ScoreCacheConfig;
  limits: Limits;
  /** Worker threads that train models [cores - 1, at least 1]; 0 = train on the event loop. */
  workers: { training: number };
  log: { level: LogLevel };
  /** Every secret value in the config (passwords, tokens, header values), for redaction. */
  secrets: string[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The root keys ServiceConfigReader.readService reads. */
export const SERVICE_ROOT_KEYS = [
  'listen',
  'upstreams',
  'defaultUpstream',
  'engine',
  'modelStore',
  'modelCache',
  'scoreCache',
  'limits',
  'workers',
  'log',
];

/** Where in the file a problem is: 1-based line and column, as editors and compilers count them. */
export interface ConfigLocation {
  line: number;
  column: number;
}

export class ConfigError extends Error {
  /**
   * The problems prefixed with `file:line:column: ` where the key's value (or the key, or its closest enclosing
   * mapping when the key is missing) is in the file: what a person reads (`problems` stay `key: message`).
   */
  readonly located: string[];

  constructor(
    readonly source: string,
    readonly problems: string[],
    /** What the file configures, for the message ("proxy configuration"). */
    what = 'proxy configuration',
    /** Each problem's place in the file (undefined: not known), in the order of `problems`. */
    readonly locations: Array<ConfigLocation | undefined> = []
  ) {
    const located = problems.map((problem, i) => {
      const at = locations[i];
      return at ? `${source}:${at.line}:${at.column}: ${problem}` : problem;
    });
    super(`invalid ${what} (${source}):\n  - ${located.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.located = located;
  }
}

const UPSTREAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Parses YAML text and reads it with `read` (the host's root, on `reader`, which collects the problems). Throws
 * ConfigError listing every problem.
 */
export function readYamlConfig<T>(
  text: string,
  source: string,
  what: string,
  reader: ServiceConfigReader,
  read: (raw: unknown) => T | undefined
): T {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    // yaml's message ends with " at line L, column C:" and the offending lines: the location says that.
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const at = error.linePos?.[0];
    throw new ConfigError(source, [`not valid YAML: ${message}`], what, [
      at ? { line: at.line, column: at.col } : undefined,
    ]);
  }
  const config = read(doc.toJS());
  if (reader.problems.length > 0 || config === undefined) {
    const locations = reader.problemKeys.map((key) => {
      const offset = offsetOfKey(doc.contents, key);
      if (offset === undefined) {
        return undefined;
      }
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    });
    throw new ConfigError(source, reader.problems, what, locations);
  }
  return config;
}

/**
 * Where a problem's key (`jobs[0].schedule.infer_every`, `upstreams.my.prom.url`: names may hold dots) is in the
 * document: its value, else the key itself, else the closest enclosing node that exists (a missing key).
 */
function offsetOfKey(root: unknown, key: string): number | undefined {
  const start = (node: unknown) => ((node as YamlNode | null)?.range ? (node as YamlNode).range![0] : undefined);
  const segments = key === '(root)' ? [] : key.split(/(?=\[)|\./).filter((s) => s !== '');
  let node: unknown = root;
  let found = start(root);
  let i = 0;
  while (i < segments.length) {
    if (isSeq(node) && /^\[\d+\]$/.test(segments[i])) {
      node = node.items[Number(segments[i].slice(1, -1))];
      i++;
    } else if (isMap(node)) {
      let pair;
      // The longest run of segments that is a key here (a name with dots), else the next segment alone.
      for (let end = segments.length; end > i && !pair; end--) {
        const name = segments.slice(i, end).join('.');
        pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name);
        if (pair) {
          i = end;
        }
      }
      if (!pair) {
        return found;
      }
      found = start(pair.key) ?? found;
      node = pair.value;
    } else {
      return found;
    }
    found = start(node) ?? found;
  }
  return found;
}

/** A config file's text, or a ConfigError naming it. */
export function readConfigFile(path: string, what = 'proxy configuration'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`], what);
  }
}

/** Walks the parsed YAML, collecting problems instead of stopping at the first. Hosts extend it with their sections. */
export class ServiceConfigReader {
  readonly problems: string[] = [];
  /** The key of each problem, for its place in the file. */
  readonly problemKeys: string[] = [];
  readonly secrets: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The shared sections of a root mapping; the host rejects unknown root keys (SERVICE_ROOT_KEYS plus its own). */
  readService(raw: Record<string, unknown>, source: string, defaultPort: number): ServiceConfig {
    const upstreams = this.readUpstreams(raw.upstreams);
    const names = Object.keys(upstreams);
    let defaultUpstream = this.optionalString(raw, 'defaultUpstream', '') ?? '';
    if (defaultUpstream === '') {
      if (names.length === 1) {
        defaultUpstream = names[0];
      } else if (names.length > 1) {
        this.problem(
          'defaultUpstream',
          `required when more than one upstream is configured (have: ${names.join(', ')})`
        );
      }
    } else if (names.length > 0 && !(defaultUpstream in upstreams)) {
      this.problem('defaultUpstream', `names no configured upstream: "${defaultUpstream}" (have: ${names.join(', ')})`);
    }
    return {
      source,
      listen: this.readListen(raw.listen, defaultPort),
      upstreams,
      defaultUpstream,
      engine: this.readEngine(raw.engine),
      modelStore: this.readModelStore(raw.modelStore),
      modelCache: this.readModelCache(raw.modelCache),
      scoreCache: this.readScoreCache(raw.scoreCache),
      limits: this.readLimits(raw.limits),
      workers: this.readWorkers(raw.workers),
      log: { level: this.readLogLevel(raw.log) },
      secrets: this.secrets,
    };
  }

  private readListen(raw: unknown, defaultPort: number): ServiceConfig['listen'] {
    const fallback = { host: '127.0.0.1', port: defaultPort };
    if (raw === undefined || raw === null) {
      return fallback;
    }
    // A bare port keeps the default host (an install review: `listen: 9095` listened on every interface of a proxy
    // without auth); ":9095" asks for every interface, as Prometheus' --web.listen-address reads it.
    const text = typeof raw === 'number' ? `${fallback.host}:${raw}` : this.expand(raw, 'listen');
    if (text === undefined) {
      this.problem('listen', 'must be "host:port" (e.g. "127.0.0.1:9095"; port 0 picks a free port)');
      return fallback;
    }
    const match = /^(.*):(\d+)$/.exec(text);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port > 65535) {
      this.problem('listen', `must be "host:port" with a port 0-65535, got "${text}"`);
      return fallback;
    }
    const host = match[1].replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
    return { host, port };
  }

  private readUpstreams(raw: unknown): Record<string, UpstreamConfig> {
    const result: Record<string, UpstreamConfig> = {};
    if (!isObject(raw) || Object.keys(raw).length === 0) {
      this.problem('upstreams', 'must map at least one upstream name to {type, url}');
      return result;
    }
    for (const [name, value] of Object.entries(raw)) {
      const key = `upstreams.${name}`;
      if (!UPSTREAM_NAME.test(name)) {
        this.problem(key, 'upstream names must start with a letter or _ and contain only letters, digits, _ . -');
      }
      if (!isObject(value)) {
        this.problem(key, 'must be a mapping with type and url');
        continue;
      }
      this.rejectUnknownKeys(value, key, ['type', 'url', 'timeout', 'auth', 'influx']);
      const type = this.optionalString(value, 'type', key);
      if (type !== 'prometheus' && type !== 'influxdb') {
        this.problem(`${key}.type`, `must be "prometheus" or "influxdb", got ${JSON.stringify(value.type)}`);
      }
      const url = this.readUpstreamUrl(value.url, `${key}.url`);
      const timeoutMs = this.readDuration(value.timeout, `${key}.timeout`, 30_000);
      const auth = this.readUpstreamAuth(value.auth, `${key}.auth`);
      let influx: UpstreamConfig['influx'];
      if (type === 'influxdb') {
        influx = this.readInflux(value.influx, `${key}.influx`);
      } else if (value.influx !== undefined) {
        this.problem(`${key}.influx`, 'only allowed for type "influxdb"');
      }
      result[name] = { name, type: type === 'influxdb' ? 'influxdb' : 'prometheus', url, timeoutMs, auth, influx };
    }
    return result;
  }

  readUpstreamUrl(raw: unknown, key: string): string {
    const text = this.expand(raw, key);
    if (text === undefined) {
      this.problem(key, 'required: the upstream base URL, e.g. http://127.0.0.1:9090');
      return '';
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.problem(key, `not a valid URL: "${text}"`);
      return '';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.problem(key, `must use http or https, got "${url.protocol}"`);
    }
    const blocked = blockedPortProblem(url);
    if (blocked !== undefined) {
      this.problem(key, blocked);
    }
    if (url.username !== '' || url.password !== '') {
      // Credentials in URLs end up in logs; they belong in `auth`.
      this.problem(key, "must not contain credentials; use the upstream's `auth` block instead");
    }
    if (url.search !== '' || url.hash !== '') {
      this.problem(key, 'must not have a query string or fragment');
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
  }

  readUpstreamAuth(raw: unknown, key: string): UpstreamAuth {
    if (raw === undefined || raw === null) {
      return {};
    }
    if (!isObject(raw)) {
      this.problem(key, 'must be a mapping with basic, bearer and/or headers');
      return {};
    }
    this.rejectUnknownKeys(raw, key, ['basic', 'bearer', 'headers']);
    const auth: UpstreamAuth = {};
    if (raw.basic !== undefined && raw.bearer !== undefined) {
      this.problem(key, 'use either basic or bearer, not both');
    }
    if (raw.basic !== undefined) {
      if (!isObject(raw.basic)) {
        this.problem(`${key}.basic`, 'must be {username, password}');
      } else {
        this.rejectUnknownKeys(raw.basic, `${key}.basic`, ['username', 'password']);
        const username = this.requiredString(raw.basic, 'username', `${key}.basic`);
        const password = this.requiredSecret(raw.basic, 'password', `${key}.basic`);
        auth.basic = { username, password };
        if (password !== '') {
          // The Authorization header's own text: what an upstream quoting the request would show.
          this.secrets.push(Buffer.from(`${username}:${password}`).toString('base64'));
        }
      }
    }
    if (raw.bearer !== undefined) {
      if (!isObject(raw.bearer)) {
        this.problem(`${key}.bearer`, 'must be {token}');
      } else {
        this.rejectUnknownKeys(raw.bearer, `${key}.bearer`, ['token']);
        auth.bearer = { token: this.requiredSecret(raw.bearer, 'token', `${key}.bearer`) };
      }
    }
    if (raw.headers !== undefined) {
      if (!isObject(raw.headers)) {
        this.problem(`${key}.headers`, 'must map header names to values');
      } else {
        auth.headers = {};
        for (const header of Object.keys(raw.headers)) {
          if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) {
            this.problem(`${key}.headers.${header}`, 'not a valid HTTP header name');
            continue;
          }
          auth.headers[header] = this.requiredSecret(raw.headers, header, `${key}.headers`);
        }
      }
    }
    return auth;
  }

  private readInflux(raw: unknown, key: string): UpstreamConfig['influx'] {
    if (!isObject(raw)) {
      this.problem(key, 'required for influxdb upstreams: {database, retentionPolicy?, retentionPolicies?}');
      return { database: '', retentionPolicies: [] };
    }
    this.rejectUnknownKeys(raw, key, ['database', 'retentionPolicy', 'retentionPolicies']);
    const database = this.requiredString(raw, 'database', key);
    const retentionPolicy = this.optionalString(raw, 'retentionPolicy', key);
    let retentionPolicies = [retentionPolicy ?? 'autogen'];
    if (raw.retentionPolicies !== undefined) {
      const list = raw.retentionPolicies;
      if (!Array.isArray(list) || list.length === 0 || list.some((rp) => typeof rp !== 'string' || rp === '')) {
        this.problem(`${key}.retentionPolicies`, 'must be a non-empty list of retention policy names');
      } else {
        retentionPolicies = list as string[];
      }
    }
    return retentionPolicy === undefined
      ? { database, retentionPolicies }
      : { database, retentionPolicy, retentionPolicies };
  }

  private readEngine(raw: unknown): EngineDefaults {
    const engine: EngineDefaults = {
      contamination: DEFAULT_CONTAMINATION,
      // trees, window, lags, seed: the defaults the panel and the CLI share (engine contract).
      ...DEFAULT_DETECTOR_SETTINGS,
      seasonality: 'auto',
      trainingWindowMs: 86_400_000,
      retrainIntervalMs: DEFAULT_RETRAIN_INTERVAL_MS,
      instantStepMs: 60_000,
    };
    if (raw === undefined || raw === null) {
      return engine;
    }
    if (!isObject(raw)) {
      this.problem('engine', 'must be a mapping');
      return engine;
    }
    const keys = [
      'contamination',
      'trees',
      'window',
      'lags',
      'seasonality',
      'seed',
      'trainingWindow',
      'retrainInterval',
      'instantStep',
    ];
    this.rejectUnknownKeys(raw, 'engine', keys);
    if (raw.contamination !== undefined) {
      const value = this.scalar(raw.contamination, 'engine.contamination');
      if (value === 'auto' || (typeof value === 'number' && value > 0 && value <= CONTAMINATION_MAX)) {
        engine.contamination = value;
      } else {
        const range = `(0, ${CONTAMINATION_MAX}]`;
        this.problem('engine.contamination', `must be "auto" or a number in ${range}, got ${JSON.stringify(value)}`);
      }
    }
    // The limits the query options have (engine contract), so a default is always a valid query option.
    for (const name of ['trees', 'window', 'lags', 'seed'] as const) {
      const [min, max] = ANOMALY_INTEGER_LIMITS[name];
      engine[name] = this.readInteger(raw, name, 'engine', min, max, engine[name]);
    }
    if (raw.seasonality !== undefined) {
      const seasonality = this.scalar(raw.seasonality, 'engine.seasonality');
      if (seasonality === 'auto' || typeof seasonality === 'boolean') {
        engine.seasonality = seasonality;
      } else {
        this.problem('engine.seasonality', `must be auto, true or false, got ${JSON.stringify(seasonality)}`);
      }
    }
    engine.trainingWindowMs = this.readDuration(raw.trainingWindow, 'engine.trainingWindow', engine.trainingWindowMs);
    engine.retrainIntervalMs = this.readDuration(
      raw.retrainInterval,
      'engine.retrainInterval',
      engine.retrainIntervalMs
    );
    engine.instantStepMs = this.readDuration(raw.instantStep, 'engine.instantStep', engine.instantStepMs);
    return engine;
  }

  private readModelStore(raw: unknown): ServiceConfig['modelStore'] {
    if (raw === undefined || raw === null) {
      return undefined;
    }
    if (!isObject(raw)) {
      this.problem('modelStore', 'must be {directory, maxBytes?, maxAge?}');
      return undefined;
    }
    this.rejectUnknownKeys(raw, 'modelStore', ['directory', 'maxBytes', 'maxAge']);
    const store: ModelStoreConfig = {
      directory: this.requiredString(raw, 'directory', 'modelStore'),
      maxBytes: this.readInteger(raw, 'maxBytes', 'modelStore', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MODEL_STORE_BYTES),
    };
    if (raw.maxAge !== undefined && raw.maxAge !== null) {
      store.maxAgeMs = this.readDuration(raw.maxAge, 'modelStore.maxAge', 0);
    }
    return store;
  }

  private readModelCache(raw: unknown): ServiceConfig['modelCache'] {
    const fallback = { maxModels: DEFAULT_MAX_MODELS, maxBytes: DEFAULT_MAX_MODEL_BYTES };
    if (raw === undefined || raw === null) {
      return fallback;
    }
    if (!isObject(raw)) {
      this.problem('modelCache', 'must be {maxModels, maxBytes}');
      return fallback;
    }
    this.rejectUnknownKeys(raw, 'modelCache', ['maxModels', 'maxBytes']);
    return {
      maxModels: this.readInteger(raw, 'maxModels', 'modelCache', 1, 10_000_000, DEFAULT_MAX_MODELS),
      maxBytes: this.readInteger(raw, 'maxBytes', 'modelCache', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_MODEL_BYTES),
    };
  }

  private readScoreCache(raw: unknown): ScoreCacheConfig {
    const fallback = { refetchWindowMs: 600_000, maxBytes: DEFAULT_SCORE_CACHE_BYTES };
    if (raw === undefined || raw === null) {
      return fallback;
    }
    if (!isObject(raw)) {
      this.problem('scoreCache', 'must be {refetchWindow, maxBytes}');
      return fallback;
    }
    this.rejectUnknownKeys(raw, 'scoreCache', ['refetchWindow', 'maxBytes']);
    return {
      // 0 is allowed here (unlike other durations): it turns the partial fetch off.
      refetchWindowMs: this.readDuration(raw.refetchWindow, 'scoreCache.refetchWindow', fallback.refetchWindowMs, true),
      maxBytes: this.readInteger(raw, 'maxBytes', 'scoreCache', 0, Number.MAX_SAFE_INTEGER, fallback.maxBytes),
    };
  }

  private readLimits(raw: unknown): Limits {
    const limits: Limits = { ...DEFAULT_LIMITS };
    if (raw === undefined || raw === null) {
      return limits;
    }
    if (!isObject(raw)) {
      this.problem('limits', 'must be a mapping');
      return limits;
    }
    const { queryTimeoutMs, ...counts } = limits;
    this.rejectUnknownKeys(raw, 'limits', [...Object.keys(counts), 'queryTimeout']);
    for (const name of Object.keys(counts) as Array<keyof typeof counts>) {
      limits[name] = this.readInteger(raw, name, 'limits', 1, Number.MAX_SAFE_INTEGER, limits[name]);
    }
    limits.queryTimeoutMs = this.readDuration(raw.queryTimeout, 'limits.queryTimeout', queryTimeoutMs);
    return limits;
  }

  private readWorkers(raw: unknown): ServiceConfig['workers'] {
    const fallback = { training: DEFAULT_TRAINING_WORKERS };
    if (raw === undefined || raw === null) {
      return fallback;
    }
    if (!isObject(raw)) {
      this.problem('workers', 'must be {training}');
      return fallback;
    }
    this.rejectUnknownKeys(raw, 'workers', ['training']);
    return { training: this.readInteger(raw, 'training', 'workers', 0, 256, fallback.training) };
  }

  private readLogLevel(raw: unknown): LogLevel {
    if (raw === undefined || raw === null) {
      return 'info';
    }
    if (!isObject(raw)) {
      this.problem('log', 'must be {level}');
      return 'info';
    }
    this.rejectUnknownKeys(raw, 'log', ['level']);
    const level = raw.level ?? 'info';
    if (!(LOG_LEVELS as readonly unknown[]).includes(level)) {
      this.problem('log.level', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
      return 'info';
    }
    return level as LogLevel;
  }

  // --- primitives -------------------------------------------------------------------------------------------

  problem(key: string, message: string): void {
    this.problems.push(`${key}: ${message}`);
    this.problemKeys.push(key);
  }

  rejectUnknownKeys(raw: Record<string, unknown>, parent: string, allowed: string[]): void {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) {
        this.problem(parent ? `${parent}.${key}` : key, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  /**
   * A number or boolean written as `${ENV_VAR}` (a string in YAML) read as YAML reads a plain scalar once expanded:
   * `contamination: '${CONTAMINATION}'` is 0.05, not "0.05" (an install review: refused as not a number). Any other
   * value is returned as it is.
   */
  scalar(raw: unknown, key: string): unknown {
    if (typeof raw !== 'string' || !/\$\{/.test(raw)) {
      return raw;
    }
    const text = this.expand(raw, key) ?? '';
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) {
      return Number(text);
    }
    return text === 'true' ? true : text === 'false' ? false : text;
  }

  /** A string value with `${ENV_VAR}` expanded; numbers are accepted as their text. */
  expand(raw: unknown, key: string): string | undefined {
    if (typeof raw === 'number') {
      return String(raw);
    }
    if (typeof raw !== 'string') {
      return undefined;
    }
    return raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const value = this.env[name];
      if (value === undefined) {
        this.problem(key, `environment variable ${name} is not set`);
        return '';
      }
      return value;
    });
  }

  /** @param secret the value is a secret: a wrong one is described by its kind, never quoted (a review) */
  optionalString(raw: Record<string, unknown>, name: string, parent: string, secret = false): string | undefined {
    const key = parent ? `${parent}.${name}` : name;
    if (raw[name] === undefined || raw[name] === null) {
      return undefined;
    }
    const value = this.expand(raw[name], key);
    if (value === undefined) {
      const kind = Array.isArray(raw[name]) ? 'a list' : typeof raw[name] === 'object' ? 'an object' : typeof raw[name];
      const got = secret ? kind : JSON.stringify(raw[name]);
      this.problem(key, `must be a string, got ${got}`);
    }
    return value;
  }

  requiredString(raw: Record<string, unknown>, name: string, parent: string, secret = false): string {
    const problemsBefore = this.problems.length;
    const value = this.optionalString(raw, name, parent, secret);
    if (value === undefined || value === '') {
      // An unset ${VAR} was reported already (it is why the value is empty): not again as "required".
      if (this.problems.length === problemsBefore) {
        this.problem(`${parent}.${name}`, 'required (a non-empty string)');
      }
      return '';
    }
    return value;
  }

  requiredSecret(raw: Record<string, unknown>, name: string, parent: string): string {
    const value = this.requiredString(raw, name, parent, true);
    if (value !== '') {
      this.secrets.push(value);
    }
    return value;
  }

  readInteger(
    raw: Record<string, unknown>,
    name: string,
    parent: string,
    min: number,
    max: number,
    fallback: number
  ): number {
    const value = this.scalar(raw[name], `${parent}.${name}`);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(`${parent}.${name}`, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  /** @param zeroAllowed 0 in any unit (0, 0s, 0m…) means "none" for this key */
  readDuration(raw: unknown, key: string, fallback: number, zeroAllowed = false): number {
    if (raw === undefined || raw === null) {
      return fallback;
    }
    const text = this.expand(raw, key);
    const ms = text === undefined ? undefined : parseDurationOrSeconds(text);
    if (ms === undefined || ms < 0 || (ms === 0 && !zeroAllowed)) {
      const what = zeroAllowed ? 'a duration like 0, 30s, 5m, 1h' : 'a positive duration like 30s, 5m, 1h, 1d';
      this.problem(key, `must be ${what}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return ms;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
