/**
 * The proxy's YAML configuration: the sections it shares with the writer (@telemetry-analyzer/query's
 * ServiceConfigReader: upstreams, engine, model store, caches, limits, workers, log) plus incoming auth and the HTTP
 * server's timeouts. Every error names the offending key (e.g. `upstreams.prom.url`).
 */
import {
  ConfigError,
  SERVICE_ROOT_KEYS,
  ServiceConfigReader,
  isObject,
  readConfigFile,
  readYamlConfig,
  type ServiceConfig,
} from '@telemetry-analyzer/query';

export { ConfigError };
export type { UpstreamConfig, UpstreamAuth, EngineDefaults, Limits } from '@telemetry-analyzer/query';

export interface IncomingAuth {
  bearerTokens: string[];
  basicUsers: Array<{ username: string; password: string }>;
  /**
   * Routes answered without credentials; every other route, and any request no route matches, needs them
   * [/healthz, /readyz, /metrics]. Compared with the route the router matched, never with the raw URL.
   */
  unauthenticatedPaths: string[];
}

/** Routes scrapers and orchestrators call without credentials unless auth.unauthenticatedPaths says otherwise. */
export const DEFAULT_UNAUTHENTICATED_PATHS = ['/healthz', '/readyz', '/metrics'];

/** How the HTTP server bounds its clients (slow, idle, too many) and its own shutdown (all durations in ms). */
export interface ServerSettings {
  /** Time to receive a request's headers ['10s']. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body ['30s']; a trickled body is cut off after it. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open ['5s']. */
  idleTimeoutMs: number;
  /**
   * How long an anomaly answer may wait for its client to read on ['30s']: a connection whose answer could not be
   * written any further for this long is closed (telemetry_proxy_answers_stalled_total), so a client that never reads
   * cannot keep an answer (tens of MB for a large one) in memory.
   */
  writeTimeoutMs: number;
  /** On SIGTERM, how long in-flight requests may finish before they are aborted and the process exits ['10s']. */
  shutdownGraceMs: number;
  /**
   * Open client connections at most [512, as Prometheus' --web.max-connections]; one more is closed as it is
   * accepted (telemetry_proxy_connections_dropped_total), so a flood of connections cannot use up the process's
   * file descriptors or memory.
   */
  maxConnections: number;
}

/** The default of server.maxConnections: Prometheus' own default for --web.max-connections. */
export const DEFAULT_MAX_CONNECTIONS = 512;

export interface ProxyConfig extends ServiceConfig {
  /** Undefined = no incoming authentication. */
  auth?: IncomingAuth;
  server: ServerSettings;
}

const ROOT_KEYS = [...SERVICE_ROOT_KEYS, 'auth', 'server'];

/** Reads and validates a YAML config file. Throws ConfigError listing every problem. */
export function loadConfig(path: string): ProxyConfig {
  return parseConfig(readConfigFile(path), path);
}

/** Validates YAML text; `source` names it in messages. `${ENV_VAR}` in string values is replaced from `env`. */
export function parseConfig(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const reader = new ProxyConfigReader(env);
  return readYamlConfig(text, source, 'proxy configuration', reader, (raw) => reader.readRoot(raw, source));
}

class ProxyConfigReader extends ServiceConfigReader {
  readRoot(raw: unknown, source: string): ProxyConfig | undefined {
    if (!isObject(raw)) {
      this.problem('(root)', 'must be a mapping with at least `upstreams`');
      return undefined;
    }
    this.rejectUnknownKeys(raw, '', ROOT_KEYS);
    return {
      ...this.readService(raw, source, 9095),
      auth: this.readIncomingAuth(raw.auth),
      server: this.readServer(raw.server),
    };
  }

  private readIncomingAuth(raw: unknown): IncomingAuth | undefined {
    if (raw === undefined || raw === null) {
      return undefined;
    }
    if (!isObject(raw)) {
      this.problem('auth', 'must be {bearerTokens?, basicUsers?, unauthenticatedPaths?}');
      return undefined;
    }
    this.rejectUnknownKeys(raw, 'auth', ['bearerTokens', 'basicUsers', 'unauthenticatedPaths']);
    const auth: IncomingAuth = {
      bearerTokens: [],
      basicUsers: [],
      unauthenticatedPaths: this.readPathList(raw.unauthenticatedPaths, 'auth.unauthenticatedPaths'),
    };
    if (raw.bearerTokens !== undefined) {
      if (!Array.isArray(raw.bearerTokens)) {
        this.problem('auth.bearerTokens', 'must be a list of tokens');
      } else {
        raw.bearerTokens.forEach((token, i) => {
          const value = this.expand(token, `auth.bearerTokens[${i}]`);
          if (value === undefined || value === '') {
            this.problem(`auth.bearerTokens[${i}]`, 'must be a non-empty string');
          } else {
            this.secrets.push(value);
            auth.bearerTokens.push(value);
          }
        });
      }
    }
    if (raw.basicUsers !== undefined) {
      if (!Array.isArray(raw.basicUsers)) {
        this.problem('auth.basicUsers', 'must be a list of {username, password}');
      } else {
        raw.basicUsers.forEach((user, i) => {
          const key = `auth.basicUsers[${i}]`;
          if (!isObject(user)) {
            this.problem(key, 'must be {username, password}');
            return;
          }
          this.rejectUnknownKeys(user, key, ['username', 'password']);
          auth.basicUsers.push({
            username: this.requiredString(user, 'username', key),
            password: this.requiredSecret(user, 'password', key),
          });
        });
      }
    }
    if (auth.bearerTokens.length === 0 && auth.basicUsers.length === 0) {
      this.problem('auth', 'configure at least one of bearerTokens or basicUsers, or remove `auth` to disable it');
    }
    return auth;
  }

  private readPathList(raw: unknown, key: string): string[] {
    if (raw === undefined || raw === null) {
      return [...DEFAULT_UNAUTHENTICATED_PATHS];
    }
    if (!Array.isArray(raw) || raw.some((path) => typeof path !== 'string' || !path.startsWith('/'))) {
      this.problem(key, `must be a list of paths starting with "/" (e.g. ${DEFAULT_UNAUTHENTICATED_PATHS.join(', ')})`);
      return [...DEFAULT_UNAUTHENTICATED_PATHS];
    }
    return raw as string[];
  }

  private readServer(raw: unknown): ServerSettings {
    const server: ServerSettings = {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 5_000,
      writeTimeoutMs: 30_000,
      shutdownGraceMs: 10_000,
      maxConnections: DEFAULT_MAX_CONNECTIONS,
    };
    if (raw === undefined || raw === null) {
      return server;
    }
    if (!isObject(raw)) {
      this.problem(
        'server',
        'must be {headersTimeout, requestTimeout, idleTimeout, writeTimeout, shutdownGrace, maxConnections}'
      );
      return server;
    }
    const keys = ['headersTimeout', 'requestTimeout', 'idleTimeout', 'writeTimeout', 'shutdownGrace'] as const;
    this.rejectUnknownKeys(raw, 'server', [...keys, 'maxConnections']);
    for (const key of keys) {
      const field = `${key}Ms` as const;
      server[field] = this.readDuration(raw[key], `server.${key}`, server[field]);
    }
    server.maxConnections = this.readInteger(raw, 'maxConnections', 'server', 1, 1_000_000, server.maxConnections);
    if (server.headersTimeoutMs > server.requestTimeoutMs) {
      this.problem('server.headersTimeout', 'must not be longer than server.requestTimeout');
    }
    return server;
  }
}
