import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../src/config';

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const MINIMAL = `
upstreams:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
`;

describe('parseConfig', () => {
  it('fills defaults for a minimal config and picks the only upstream as default', () => {
    const config = parseConfig(MINIMAL, 'test.yaml', {});
    expect(config.defaultUpstream).toBe('prom');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 9095 });
    // ~0.75 GB when full of 100-tree models (docs/performance.md); 1 GiB of bigger ones at most.
    expect(config.modelCache).toEqual({ maxModels: 10_000, maxBytes: 2 ** 30 });
    expect(config.scoreCache).toEqual({ refetchWindowMs: 600_000, maxBytes: 256 * 2 ** 20 });
    expect(config.upstreams.prom).toEqual({
      name: 'prom',
      type: 'prometheus',
      url: 'http://127.0.0.1:9090',
      timeoutMs: 30_000,
      auth: {},
      influx: undefined,
    });
    expect(config.engine).toMatchObject({
      contamination: 0.01, // not 'auto': sklearn's fixed 0.5 threshold flags a quarter of real series
      trees: 100,
      window: 12,
      lags: 1,
      seed: 42,
      trainingWindowMs: 86_400_000,
      retrainIntervalMs: 3_600_000,
    });
    expect(config.modelStore).toBeUndefined();
    expect(config.auth).toBeUndefined();
    expect(config.server.maxConnections).toBe(512); // Prometheus' --web.max-connections default
  });

  it('reads numbers and booleans given as ${VAR} as the values they spell, and refuses what is none', () => {
    const yaml = `${MINIMAL}engine: { contamination: '\${C}', trees: '\${T}', seasonality: '\${S}' }`;
    const config = parseConfig(yaml, 'test.yaml', { C: '0.05', T: '200', S: 'false' });
    expect(config.engine).toMatchObject({ contamination: 0.05, trees: 200, seasonality: false });
    expect(parseConfig(yaml, 'test.yaml', { C: 'auto', T: '200', S: 'auto' }).engine).toMatchObject({
      contamination: 'auto',
      seasonality: 'auto',
    });
    expect(problemsOf(yaml, { C: '5%', T: '200', S: 'true' })).toEqual([
      expect.stringMatching(/engine\.contamination: must be "auto" or a number in \(0, 0\.5\], got "5%"/),
    ]);
  });

  it('reads a bare listen port on the default host, and ":port" on every interface', () => {
    expect(parseConfig(`${MINIMAL}listen: 9200`, 'test.yaml', {}).listen).toEqual({ host: '127.0.0.1', port: 9200 });
    expect(parseConfig(`${MINIMAL}listen: ":9200"`, 'test.yaml', {}).listen).toEqual({ host: '0.0.0.0', port: 9200 });
  });

  it('reads a full config with durations, auth and ${ENV} secrets', () => {
    const config = parseConfig(
      `
listen: "0.0.0.0:0"
defaultUpstream: prom
upstreams:
  prom:
    type: prometheus
    url: http://prom.internal:9090/prefix/
    timeout: 5s
    auth: { basic: { username: grafana, password: "\${PROM_PASSWORD}" }, headers: { X-Scope-OrgID: tenant-1 } }
  influx:
    type: influxdb
    url: http://127.0.0.1:8086
    auth: { bearer: { token: "\${INFLUX_TOKEN}" } }
    influx: { database: telemetry, retentionPolicy: autogen }
engine: { contamination: 0.02, trees: 50, trainingWindow: 7d, retrainInterval: 30m, seasonality: true }
modelStore: { directory: /var/lib/models }
modelCache: { maxModels: 10, maxBytes: 50000000 }
auth: { bearerTokens: ["\${PROXY_TOKEN}"], basicUsers: [{ username: vmalert, password: pw }] }
limits: { maxConcurrency: 2, bodyLimit: 2048 }
log: { level: warn }
`,
      'test.yaml',
      { PROM_PASSWORD: 's3cret', INFLUX_TOKEN: 'tok-en', PROXY_TOKEN: 'incoming' }
    );
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 0 });
    expect(config.upstreams.prom.url).toBe('http://prom.internal:9090/prefix');
    expect(config.upstreams.prom.timeoutMs).toBe(5000);
    expect(config.modelCache).toEqual({ maxModels: 10, maxBytes: 50_000_000 });
    expect(config.upstreams.prom.auth).toEqual({
      basic: { username: 'grafana', password: 's3cret' },
      headers: { 'X-Scope-OrgID': 'tenant-1' },
    });
    expect(config.upstreams.influx.influx).toEqual({
      database: 'telemetry',
      retentionPolicy: 'autogen',
      retentionPolicies: ['autogen'],
    });
    expect(config.engine).toMatchObject({
      contamination: 0.02,
      trees: 50,
      trainingWindowMs: 7 * 86_400_000,
      retrainIntervalMs: 1_800_000,
      seasonality: true,
    });
    expect(config.limits).toMatchObject({ maxConcurrency: 2, bodyLimit: 2048, maxQueryLength: 16_384 });
    // The basic user's Authorization header text counts too (base64 of "grafana:s3cret").
    expect(config.secrets.sort()).toEqual([
      Buffer.from('grafana:s3cret').toString('base64'),
      'incoming',
      'pw',
      's3cret',
      'tenant-1',
      'tok-en',
    ]);
  });

  it.each([
    ['not a mapping', '- a\n- b', '(root): must be a mapping'],
    ['no upstreams', 'listen: ":1"', 'upstreams: must map at least one upstream'],
    [
      'bad type',
      'upstreams: { p: { type: graphite, url: "http://x" } }',
      'upstreams.p.type: must be "prometheus" or "influxdb", got "graphite"',
    ],
    ['missing url', 'upstreams: { p: { type: prometheus } }', 'upstreams.p.url: required'],
    ['ftp url', 'upstreams: { p: { type: prometheus, url: "ftp://x" } }', 'upstreams.p.url: must use http or https'],
    [
      // Node's fetch refuses it at every request ("fetch failed: bad port"): said once, at start.
      'a port fetch refuses',
      'upstreams: { p: { type: prometheus, url: "http://x:6000" } }',
      'upstreams.p.url: port 6000 is one that fetch refuses to contact',
    ],
    [
      'credentials in url',
      'upstreams: { p: { type: prometheus, url: "http://u:p@x" } }',
      'upstreams.p.url: must not contain credentials',
    ],
    [
      'bad timeout',
      'upstreams: { p: { type: prometheus, url: "http://x", timeout: soon } }',
      'upstreams.p.timeout: must be a positive duration',
    ],
    [
      'influx without database',
      'upstreams: { i: { type: influxdb, url: "http://x" } }',
      'upstreams.i.influx: required for influxdb upstreams',
    ],
    [
      'basic and bearer',
      'upstreams: { p: { type: prometheus, url: "http://x", auth: { basic: { username: a, password: b }, bearer: { token: c } } } }',
      'upstreams.p.auth: use either basic or bearer',
    ],
    [
      'missing password',
      'upstreams: { p: { type: prometheus, url: "http://x", auth: { basic: { username: a } } } }',
      'upstreams.p.auth.basic.password: required',
    ],
    [
      'unset env var',
      'upstreams: { p: { type: prometheus, url: "http://x", auth: { bearer: { token: "${NOPE}" } } } }',
      'upstreams.p.auth.bearer.token: environment variable NOPE is not set',
    ],
    ['unknown default', `${MINIMAL}defaultUpstream: other`, 'defaultUpstream: names no configured upstream: "other"'],
    [
      'two upstreams without default',
      'upstreams: { a: { type: prometheus, url: "http://x" }, b: { type: prometheus, url: "http://y" } }',
      'defaultUpstream: required when more than one',
    ],
    [
      'contamination out of range',
      `${MINIMAL}engine: { contamination: 0.9 }`,
      'engine.contamination: must be "auto" or a number in (0, 0.5]',
    ],
    ['trees not integer', `${MINIMAL}engine: { trees: 1.5 }`, 'engine.trees: must be an integer'],
    [
      'bad training window',
      `${MINIMAL}engine: { trainingWindow: forever }`,
      'engine.trainingWindow: must be a positive duration',
    ],
    ['unknown key', `${MINIMAL}engine: { tress: 10 }`, 'engine.tress: unknown key'],
    ['bad listen', `${MINIMAL}listen: "localhost"`, 'listen: must be "host:port"'],
    ['empty incoming auth', `${MINIMAL}auth: {}`, 'auth: configure at least one of bearerTokens or basicUsers'],
    ['zero cache', `${MINIMAL}modelCache: { maxModels: 0 }`, 'modelCache.maxModels: must be an integer in [1,'],
    ['zero cache bytes', `${MINIMAL}modelCache: { maxBytes: 0 }`, 'modelCache.maxBytes: must be an integer in [1,'],
    ['bad log level', `${MINIMAL}log: { level: loud }`, 'log.level: must be one of'],
    ['no connections', `${MINIMAL}server: { maxConnections: 0 }`, 'server.maxConnections: must be an integer in [1,'],
    [
      'fractional connections',
      `${MINIMAL}server: { maxConnections: 2.5 }`,
      'server.maxConnections: must be an integer',
    ],
    ['invalid yaml', 'upstreams: [', 'not valid YAML'],
  ])('%s', (_name, yaml, expected) => {
    expect(problemsOf(yaml).join('\n')).toContain(expected);
  });

  it('reports every problem at once, naming the file', () => {
    let message = '';
    try {
      parseConfig('upstreams: { p: { type: x, url: "ftp://y" } }\nlimits: { bodyLimit: -1 }', 'proxy.yaml', {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('invalid proxy configuration (proxy.yaml)');
    expect(message).toContain('upstreams.p.type');
    expect(message).toContain('upstreams.p.url');
    expect(message).toContain('limits.bodyLimit');
  });

  it('never puts an expanded secret into an error message', () => {
    const problems = problemsOf(
      'upstreams: { p: { type: prometheus, url: "http://x", auth: { bearer: { token: "${TOKEN}" } }, timeout: "${TOKEN}" } }',
      { TOKEN: 'hunter2' }
    );
    expect(problems.join('\n')).toContain('upstreams.p.timeout');
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('never quotes a secret written as the wrong type (a list, an object): it says which type', () => {
    // A review: `token: ["LISTTOK_S3CRET"]` came back as `must be a string, got ["LISTTOK_S3CRET"]`.
    const problems = problemsOf(
      'upstreams: { p: { type: prometheus, url: "http://x", auth: { bearer: { token: ["LISTTOK_S3CRET"] } } }, ' +
        'q: { type: prometheus, url: "http://y", auth: { headers: { X-Org: { v: "OBJ_S3CRET" } } } } }'
    ).join('\n');
    expect(problems).toContain('upstreams.p.auth.bearer.token: must be a string, got a list');
    expect(problems).toContain('upstreams.q.auth.headers.X-Org: must be a string, got an object');
    expect(problems).not.toMatch(/S3CRET/);
  });
});

describe('loadConfig', () => {
  it('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-config-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, MINIMAL);
    expect(loadConfig(good).source).toBe(good);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml.*cannot read the file/s);
  });
});
