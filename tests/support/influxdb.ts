import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onFreePorts } from './freePort';
import { ServerProcess, startServerProcess } from './serverProcess';
import { makeTempDir, removeTempDir } from './tempDir';

export interface InfluxUser {
  username: string;
  password: string;
}

export interface InfluxDBOptions {
  database: string;
  /** Line protocol with millisecond timestamps. */
  lines: string[];
  /**
   * With it, InfluxDB runs with `auth-enabled`: `admin` (all privileges) is created first and does the set-up and
   * every request of this helper; each reader gets READ on `database` and nothing else.
   */
  auth?: { admin: InfluxUser; readers: InfluxUser[] };
}

export interface InfluxDBServer {
  /** e.g. http://127.0.0.1:39124 (no trailing slash). */
  url: string;
  database: string;
  /** Runs InfluxQL against the database (as admin when auth is on) and returns the parsed JSON answer (ms). */
  query(influxql: string): Promise<InfluxQueryResponse>;
  /** InfluxDB's own counters (/debug/vars), e.g. `httpd.queryReq`: what clients asked of it. */
  debugVars(): Promise<Record<string, { values?: Record<string, number> }>>;
  /** `/query` requests InfluxDB has served so far (its HTTP service's `queryReq`, keyed `httpd:<bind address>`). */
  queryRequests(): Promise<number>;
  stop(): Promise<void>;
}

export interface InfluxQueryResponse {
  results: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
  error?: string;
}

/** Lines per /write request: large enough to be quick, small enough for InfluxDB's default body limit. */
const WRITE_BATCH_LINES = 5000;

/** InfluxDB 1.x with every directory in a temp dir and only the HTTP API on, on free ports of 127.0.0.1. */
export async function startInfluxDB(options: InfluxDBOptions): Promise<InfluxDBServer> {
  const dir = makeTempDir('influxdb');
  let server: ServerProcess | undefined;
  try {
    const configFile = join(dir, 'influxdb.conf');
    let url = '';
    server = await onFreePorts(2, ([httpPort, rpcPort]) => {
      writeFileSync(configFile, influxConfig(dir, httpPort, rpcPort, options.auth !== undefined));
      url = `http://127.0.0.1:${httpPort}`;
      return startServerProcess({
        name: 'influxd',
        command: 'influxd',
        args: ['run', '-config', configFile],
        readyUrl: `${url}/ping`,
      });
    });

    const admin = options.auth?.admin;
    const headers: Record<string, string> = admin ? { authorization: basicAuth(admin) } : {};
    if (admin) {
      // With auth on and no users yet, InfluxDB accepts exactly this statement without credentials.
      await influxRequest(url, '/query', influxStatement(`CREATE USER ${user(admin)} WITH ALL PRIVILEGES`), {});
    }
    await influxRequest(url, '/query', influxStatement(`CREATE DATABASE "${options.database}"`), headers);
    for (const reader of options.auth?.readers ?? []) {
      await influxRequest(url, '/query', influxStatement(`CREATE USER ${user(reader)}`), headers);
      await influxRequest(
        url,
        '/query',
        influxStatement(`GRANT READ ON "${options.database}" TO "${reader.username}"`),
        headers
      );
    }
    for (let first = 0; first < options.lines.length; first += WRITE_BATCH_LINES) {
      const batch = options.lines.slice(first, first + WRITE_BATCH_LINES).join('\n');
      await influxRequest(url, `/write?db=${encodeURIComponent(options.database)}&precision=ms`, batch, headers);
    }

    const running = server;
    const handle: InfluxDBServer = {
      url,
      database: options.database,
      async query(influxql) {
        const params = new URLSearchParams({ db: options.database, q: influxql, epoch: 'ms' });
        const response = await fetch(`${url}/query?${params}`, { headers });
        return (await response.json()) as InfluxQueryResponse;
      },
      async debugVars() {
        return (await (await fetch(`${url}/debug/vars`, { headers })).json()) as Record<
          string,
          { values?: Record<string, number> }
        >;
      },
      async queryRequests() {
        const vars = await this.debugVars();
        const httpd = Object.keys(vars).find((key) => key === 'httpd' || key.startsWith('httpd:'));
        const count = httpd === undefined ? undefined : vars[httpd].values?.queryReq;
        if (count === undefined) {
          throw new Error(`InfluxDB's /debug/vars has no httpd queryReq (keys: ${Object.keys(vars).join(', ')})`);
        }
        return count;
      },
      async stop() {
        await running.stop();
        removeTempDir(dir);
      },
    };
    return handle;
  } catch (error) {
    const tail = server?.outputTail() ?? '';
    await server?.stop();
    removeTempDir(dir);
    if (tail !== '' && error instanceof Error) {
      error.message += `\n--- last output of influxd ---\n${tail}`;
    }
    throw error;
  }
}

function basicAuth({ username, password }: InfluxUser): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function user({ username, password }: InfluxUser): string {
  return `"${username}" WITH PASSWORD '${password.replace(/'/g, "\\'")}'`;
}

function influxStatement(q: string): URLSearchParams {
  return new URLSearchParams({ q });
}

async function influxRequest(
  url: string,
  path: string,
  body: URLSearchParams | string,
  headers: Record<string, string>
): Promise<void> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body, headers });
  if (!response.ok) {
    throw new Error(`InfluxDB ${path.split('?')[0]} answered ${response.status}: ${await response.text()}`);
  }
  const text = await response.text();
  // /query reports statement errors with status 200.
  if (text.includes('"error"')) {
    throw new Error(`InfluxDB ${path.split('?')[0]} failed: ${text}`);
  }
}

function influxConfig(dir: string, httpPort: number, rpcPort: number, authEnabled: boolean): string {
  for (const sub of ['meta', 'data', 'wal']) {
    mkdirSync(join(dir, sub));
  }
  return `
reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  auth-enabled = ${authEnabled}

[logging]
  level = "warn"

# No _internal database, background queries or listeners the tests do not use.
[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false
`;
}
