// docker-compose.yaml, checked without a Docker engine: the compose plugin is not installed here, so the file is
// parsed and every service is checked against the repository (mounted paths exist or are built, commands name
// real CLI commands and options, config files are mounted where the commands read them) and against the other
// config files (every URL names a compose service on the port its process listens on).
// Where `docker compose` exists, `docker compose config -q` runs too.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildProgram } from '../../pkg/cli/src/program';
import {
  composeCommand,
  loadCompose,
  provisionedDatasources,
  readJson,
  readYaml,
  REPO_ROOT,
  repoPath,
} from './stackFiles';
import { optionValue } from './stackProcesses';

const semver = require('semver') as { satisfies(version: string, range: string): boolean };

const compose = loadCompose();
const services = compose.services;

/** Paths that `npm run build` / `npm run build:pkg` create, so they need not be committed. */
const BUILT_PATHS = ['dist'];
const NODE_SERVICES = [
  'telemetry-backfill',
  'telemetry-generator',
  'anomaly-proxy',
  'anomaly-writer',
  'anomaly-writer-vm',
  'alert-receiver',
];
/** The writer services and their config files (profiles "writer" and "writer-vm"). */
const WRITERS = { 'anomaly-writer': 'deploy/writer.yaml', 'anomaly-writer-vm': 'deploy/writer-vm.yaml' };

/** Compose's `${VAR:-default}` interpolation. */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => env[name] || (fallback ?? '')
  );
}

/** Bind mounts (source starts with . or /) and named volumes of a service. */
function mountsOf(service: string): Array<{ source: string; target: string; bind: boolean }> {
  return (services[service].volumes ?? []).map((volume: string) => {
    const [source, target] = volume.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** service name → the container ports it publishes. */
function containerPorts(service: string): number[] {
  return (services[service].ports ?? []).map((port: string) => Number(String(port).split(':').pop()!.split('/')[0]));
}

/** The CLI subcommand a node service runs, from the CLI's own command table. */
type CliCommand = ReturnType<typeof buildProgram>['commands'][number];

function cliSubcommand(argv: string[]): CliCommand {
  expect(argv.slice(0, 2)).toEqual(['node', 'pkg/cli/bin/telemetry-analyzer.js']);
  const command = buildProgram().commands.find((c) => c.name() === argv[2]);
  if (!command) {
    throw new Error(`the CLI has no command "${argv[2]}"`);
  }
  return command;
}

/** Every URL host:port the stack's config files use, with where it comes from. */
function configuredUrls(): Array<{ where: string; url: URL }> {
  const proxyConfig = readYaml('deploy/proxy.yaml');
  const prometheusConfig = readYaml('deploy/prometheus.yml');
  const contactPoints = readYaml('provisioning/alerting/contact-points.yaml').contactPoints;
  return [
    ...Object.entries<any>(proxyConfig.upstreams).map(([name, upstream]) => ({
      where: `deploy/proxy.yaml upstreams.${name}`,
      url: new URL(upstream.url),
    })),
    ...Object.values(WRITERS).flatMap((file) => {
      const writerConfig = readYaml(file);
      return [
        ...Object.entries<any>(writerConfig.upstreams).map(([name, upstream]) => ({
          where: `${file} upstreams.${name}`,
          url: new URL(upstream.url),
        })),
        { where: `${file} remoteWrite.url`, url: new URL(writerConfig.remoteWrite.url) },
      ];
    }),
    ...prometheusConfig.scrape_configs.flatMap((job: any) =>
      job.static_configs.flatMap((config: any) =>
        config.targets.map((target: string) => ({
          where: `deploy/prometheus.yml job ${job.job_name}`,
          url: new URL(`http://${target}`),
        }))
      )
    ),
    ...provisionedDatasources().map((ds) => ({ where: `datasource ${ds.uid}`, url: new URL(ds.url) })),
    ...contactPoints.flatMap((cp: any) =>
      cp.receivers.map((r: any) => ({ where: `contact point ${cp.name}`, url: new URL(r.settings.url) }))
    ),
    ...NODE_SERVICES.filter((s) => optionValue(services[s].command, '--influx-url')).map((s) => ({
      where: `${s} --influx-url`,
      url: new URL(optionValue(services[s].command, '--influx-url')!),
    })),
  ];
}

describe('docker-compose.yaml', () => {
  it('has the stack services, each from an image (nothing to build), and only declared named volumes', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alert-receiver',
        'anomaly-proxy',
        'anomaly-writer',
        'anomaly-writer-vm',
        'grafana',
        'influxdb',
        'prometheus',
        'prometheus-backfill',
        'telemetry-backfill',
        'telemetry-generator',
        'victoria-metrics',
      ].sort()
    );
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: typeof service.image, build: service.build }).toEqual({
        name,
        image: 'string',
        build: undefined,
      });
    }
    expect(services.influxdb.image).toBe('influxdb:1.8');
    for (const name of NODE_SERVICES) {
      expect(services[name].image).toMatch(/^node:22(-|$)/);
    }
    const named = Object.keys(services).flatMap((name) =>
      mountsOf(name)
        .filter((m) => !m.bind)
        .map((m) => m.source)
    );
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes ?? {}).sort());
  });

  it('runs Grafana from the official image, 12.3.0 by default, any version and edition through GRAFANA_VERSION/GRAFANA_IMAGE', () => {
    const image = services.grafana.image;
    expect(interpolate(image, {})).toBe('grafana/grafana:12.3.0');
    expect(interpolate(image, { GRAFANA_VERSION: '13.0.0' })).toBe('grafana/grafana:13.0.0');
    expect(interpolate(image, { GRAFANA_VERSION: '13.0.0', GRAFANA_IMAGE: 'grafana-enterprise' })).toBe(
      'grafana/grafana-enterprise:13.0.0'
    );
    const grafanaDependency = readJson('src/plugin.json').dependencies.grafanaDependency;
    expect(semver.satisfies(interpolate(image, {}).split(':')[1], grafanaDependency)).toBe(true);
    // CI's e2e job logs in: ANONYMOUS_AUTH_ENABLED=false must turn anonymous access off.
    expect(
      interpolate(services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED, { ANONYMOUS_AUTH_ENABLED: 'false' })
    ).toBe('false');
    expect(interpolate(services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED, {})).toBe('true');
  });

  it('mounts only paths that exist in the repository or that the build creates', () => {
    for (const name of Object.keys(services)) {
      for (const mount of mountsOf(name).filter((m) => m.bind)) {
        const relative = mount.source.replace(/^\.\/?/, '');
        const ok = relative === '' || existsSync(repoPath(relative)) || BUILT_PATHS.includes(relative);
        expect({ service: name, source: mount.source, ok }).toEqual({ service: name, source: mount.source, ok: true });
      }
    }
  });

  it('gives Grafana the built plugin, the provisioning files and both unsigned plugin ids', () => {
    const mounts = mountsOf('grafana');
    expect(mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: './dist', target: '/var/lib/grafana/plugins/telemetry-analyzer-app' }),
        expect.objectContaining({ source: './provisioning', target: '/etc/grafana/provisioning' }),
      ])
    );
    const allowed = String(services.grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).split(',');
    expect(allowed.sort()).toEqual(
      [readJson('src/plugin.json').id, readJson('src/panels/anomaly/plugin.json').id].sort()
    );
    expect(containerPorts('grafana')).toEqual([3000]);
  });

  it('runs the CLI commands with options the CLI has, from the repository mounted at the working directory', () => {
    for (const name of NODE_SERVICES.filter((s) => s !== 'alert-receiver')) {
      const argv = composeCommand(name);
      const command = cliSubcommand(argv);
      const known = command.options.map((option) => option.long);
      for (const arg of argv.slice(3)) {
        expect({ service: name, option: arg.split('=')[0], known: known.includes(arg.split('=')[0]) }).toEqual({
          service: name,
          option: arg.split('=')[0],
          known: true,
        });
      }
      expect(mountsOf(name)).toContainEqual({ source: '.', target: services[name].working_dir, bind: true });
      expect(existsSync(repoPath(argv[1]))).toBe(true);
    }
    // The receiver script is mounted where its command runs it.
    const receiverCommand = composeCommand('alert-receiver');
    expect(mountsOf('alert-receiver')).toContainEqual({
      source: './deploy/alert-receiver.js',
      target: receiverCommand[1],
      bind: true,
    });
  });

  it('mounts every config file where its command reads it, and hands the backfill from generator to promtool to Prometheus', () => {
    const proxyConfigPath = optionValue(composeCommand('anomaly-proxy'), '--config')!;
    expect(mountsOf('anomaly-proxy')).toContainEqual({
      source: './deploy/proxy.yaml',
      target: proxyConfigPath,
      bind: true,
    });
    const modelDirectory = readYaml('deploy/proxy.yaml').modelStore.directory;
    expect(mountsOf('anomaly-proxy').some((m) => !m.bind && m.target === modelDirectory)).toBe(true);

    for (const [writer, file] of Object.entries(WRITERS)) {
      const writerConfigPath = optionValue(composeCommand(writer), '--config')!;
      expect(mountsOf(writer)).toContainEqual({ source: `./${file}`, target: writerConfigPath, bind: true });
      const writerModels = readYaml(file).modelStore.directory;
      expect(mountsOf(writer).some((m) => !m.bind && m.target === writerModels)).toBe(true);
    }
    // The writers' profiles are opt-in; their targets accept remote write (VictoriaMetrics always does).
    expect(services['anomaly-writer'].profiles).toEqual(['writer']);
    expect(services.prometheus.command).toContain('--web.enable-remote-write-receiver');
    expect(services['anomaly-writer-vm'].profiles).toEqual(['writer-vm']);
    expect(services['victoria-metrics'].profiles).toEqual(['writer-vm']);
    expect(readYaml('deploy/writer-vm.yaml').remoteWrite.url).toBe('http://victoria-metrics:8428/api/v1/write');

    const prometheusConfigPath = optionValue(composeCommand('prometheus'), '--config.file')!;
    expect(mountsOf('prometheus')).toContainEqual({
      source: './deploy/prometheus.yml',
      target: prometheusConfigPath,
      bind: true,
    });

    // telemetry-backfill writes the file into a volume prometheus-backfill reads; both share Prometheus' data volume.
    const historyFile = optionValue(composeCommand('telemetry-backfill'), '--openmetrics-file')!;
    const volumeHolding = (service: string, path: string) =>
      mountsOf(service).find((m) => !m.bind && path.startsWith(`${m.target}/`))?.source;
    expect(volumeHolding('telemetry-backfill', historyFile)).toBeDefined();
    const script = services['prometheus-backfill'].command.join(' ');
    expect(script).toContain(`promtool tsdb create-blocks-from openmetrics ${historyFile} `);
    expect(volumeHolding('prometheus-backfill', historyFile)).toBe(volumeHolding('telemetry-backfill', historyFile));
    const prometheusData = mountsOf('prometheus').find(
      (m) => m.target === optionValue(composeCommand('prometheus'), '--storage.tsdb.path')
    )!;
    expect(mountsOf('prometheus-backfill')).toContainEqual(prometheusData);
    expect(script).toContain(`openmetrics ${historyFile} ${prometheusData.target}`);

    // The live generator and the backfill compute the same series: same hosts, seed, step and job label.
    for (const flag of ['--hosts', '--seed', '--step', '--job']) {
      expect({ flag, value: optionValue(composeCommand('telemetry-generator'), flag) }).toEqual({
        flag,
        value: optionValue(composeCommand('telemetry-backfill'), flag),
      });
    }
  });

  it('starts services after what they need: one-shot steps completed, InfluxDB healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service.depends_on ?? [];
      const entries: Array<[string, any]> = Array.isArray(dependsOn)
        ? dependsOn.map((d: string) => [d, {}])
        : Object.entries(dependsOn);
      for (const [dependency, { condition }] of entries) {
        expect({ name, dependency, exists: dependency in services }).toEqual({ name, dependency, exists: true });
        if (condition === 'service_completed_successfully') {
          // Restarting a finished one-shot step would run it again and again ("no" is compose's default).
          expect({ dependency, restart: services[dependency].restart ?? 'no' }).toEqual({ dependency, restart: 'no' });
        }
        if (condition === 'service_healthy') {
          expect(services[dependency].healthcheck).toBeDefined();
        }
      }
    }
    expect(services.prometheus.depends_on['prometheus-backfill'].condition).toBe('service_completed_successfully');
    expect(services['prometheus-backfill'].depends_on['telemetry-backfill'].condition).toBe(
      'service_completed_successfully'
    );
  });

  it('every URL in the config files names a compose service and the port its process listens on', () => {
    const listening: Record<string, number> = {
      grafana: 3000,
      prometheus: 9090,
      influxdb: 8086,
      'anomaly-proxy': Number(readYaml('deploy/proxy.yaml').listen.split(':').pop()),
      'anomaly-writer': Number(readYaml('deploy/writer.yaml').listen.split(':').pop()),
      'anomaly-writer-vm': Number(readYaml('deploy/writer-vm.yaml').listen.split(':').pop()),
      'victoria-metrics': Number(
        optionValue(services['victoria-metrics'].command, '-httpListenAddr')!.split(':').pop()
      ),
      'telemetry-generator': Number(optionValue(composeCommand('telemetry-generator'), '--listen')!.split(':').pop()),
      'alert-receiver': Number(services['alert-receiver'].environment.PORT),
    };
    for (const [service, port] of Object.entries(listening)) {
      expect({ service, published: containerPorts(service) }).toEqual({ service, published: [port] });
    }
    const published = Object.keys(services).flatMap((name) => (services[name].ports ?? []).map(String));
    // On the loopback interface only: the demo has no auth (anonymous Grafana admin, open proxy, InfluxDB).
    expect(published.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
    const hostPorts = published.map((p) => p.split(':')[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const { where, url } of configuredUrls()) {
      expect({ where, host: url.host }).toEqual({
        where,
        host: `${url.hostname}:${listening[url.hostname] ?? 'a compose service'}`,
      });
    }
  });

  it('uses one InfluxDB database name everywhere', () => {
    const names = new Set([
      services.influxdb.environment.INFLUXDB_DB,
      optionValue(composeCommand('telemetry-generator'), '--influx-database'),
      readYaml('deploy/proxy.yaml').upstreams.influx.influx.database,
      provisionedDatasources().find((ds) => ds.type === 'influxdb')!.jsonData.dbName,
    ]);
    expect([...names]).toEqual(['telemetry']);
  });

  // Compose's own validation, offline: the Docker CLI plugin where it is installed, else Debian's docker-compose
  // (1.29, which CI installs). On CI one of them must be there.
  const composeValidator = [['docker', 'compose'], ['docker-compose']].find(
    ([command, ...args]) => spawnSync(command, [...args, 'version'], { encoding: 'utf8' }).status === 0
  );
  (composeValidator || process.env.CI ? it : it.skip)('is accepted by `docker compose config -q`', () => {
    expect(composeValidator).toBeDefined();
    const [command, ...args] = composeValidator!;
    execFileSync(command, [...args, '-f', 'docker-compose.yaml', 'config', '-q'], { cwd: REPO_ROOT, stdio: 'pipe' });
  });
});
