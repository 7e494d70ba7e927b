// The Grafana provisioning files of the demo stack: each parses and has the keys and types Grafana's provisioning
// format (apiVersion 1) requires for its kind, and the files agree with each other, with the plugin and with the
// proxy (datasource uids, receiver names, panel ids, the rule's query syntax, the panel options).
import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseDuration } from '@telemetry-analyzer/engine';
import { parseQuery } from '@telemetry-analyzer/proxy';
import { resolveAppSettings } from '../../src/components/AppConfig/appSettings';
import { DEFAULT_OPTIONS, withDefaults } from '../../src/panels/anomaly/options/defaults';
import {
  provisionedAlertRules,
  provisionedDatasources,
  readJson,
  readYaml,
  repoPath,
  ruleExpression,
  yamlFilesIn,
} from './stackFiles';

/** Grafana's rule for uids: at most 40 characters of letters, digits, '-' and '_'. */
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;
/**
 * A duration Grafana's provisioning reads (prometheus/common model.ParseDuration, rules_types.go): 10s, 1m, 2m30s,
 * units descending, each once; the shared grammar of the engine's contract.
 */
function expectGrafanaDuration(text: unknown): void {
  expect({ text, ms: parseDuration(String(text)) }).toEqual({ text, ms: expect.any(Number) });
}
/** docker-compose.yaml mounts ./provisioning here. */
const GRAFANA_PROVISIONING_DIR = '/etc/grafana/provisioning';

const appPlugin = readJson('src/plugin.json');
const panelPlugin = readJson('src/panels/anomaly/plugin.json');

function expectHttpUrl(value: unknown, what: string): URL {
  expect(typeof value).toBe('string');
  const url = new URL(value as string);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${what}: expected an http(s) URL, got ${String(value)}`);
  }
  return url;
}

describe('provisioning files', () => {
  const kinds = ['datasources', 'plugins', 'dashboards', 'alerting'];

  it.each(kinds)('provisioning/%s holds YAML files with apiVersion 1', (kind) => {
    const files = yamlFilesIn(`provisioning/${kind}`);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect({ file, apiVersion: readYaml(file).apiVersion }).toEqual({ file, apiVersion: 1 });
    }
  });
});

describe('datasources', () => {
  const datasources = provisionedDatasources();
  const byUid = new Map(datasources.map((ds) => [ds.uid, ds]));

  it('have the documented keys, unique names and valid unique uids', () => {
    for (const ds of datasources) {
      expect(ds).toEqual(
        expect.objectContaining({ name: expect.any(String), type: expect.any(String), access: 'proxy' })
      );
      expect(ds.uid).toMatch(GRAFANA_UID);
      expectHttpUrl(ds.url, `datasource ${ds.name}`);
    }
    expect(new Set(datasources.map((ds) => ds.name)).size).toBe(datasources.length);
    expect(byUid.size).toBe(datasources.length);
  });

  it('are Prometheus, InfluxDB 1.x (InfluxQL, database telemetry) and the anomaly proxy as a Prometheus datasource using POST', () => {
    expect(byUid.get('prometheus')?.type).toBe('prometheus');
    expect(byUid.get('influxdb')).toEqual(
      expect.objectContaining({
        type: 'influxdb',
        jsonData: expect.objectContaining({ version: 'InfluxQL', dbName: 'telemetry' }),
      })
    );
    const anomaly = byUid.get('telemetry-anomaly')!;
    expect(anomaly).toEqual(expect.objectContaining({ name: 'Telemetry Anomaly', type: 'prometheus' }));
    expect(anomaly.jsonData.httpMethod).toBe('POST');
    // Not the upstream's rules listed a second time under it (@grafana/data DataSourceJsonData.manageAlerts).
    expect(anomaly.jsonData.manageAlerts).toBe(false);
    expect(new URL(anomaly.url).host).toBe('anomaly-proxy:9095');
  });
});

describe('plugins/apps.yaml', () => {
  it('enables the app and points it at the provisioned anomaly datasource', () => {
    const apps = readYaml('provisioning/plugins/apps.yaml').apps;
    expect(apps).toHaveLength(1);
    expect(apps[0]).toEqual(expect.objectContaining({ type: appPlugin.id, disabled: false }));
    const uid = apps[0].jsonData.anomalyDatasourceUid;
    const datasource = provisionedDatasources().find((ds) => ds.uid === uid);
    expect(datasource?.url).toBe('http://anomaly-proxy:9095');
    expect(apps[0].jsonData.proxyUrl).toBe(datasource?.url);
    // Every setting is one the app reads, and valid (the app would silently fall back to its default).
    expect(resolveAppSettings(apps[0].jsonData)).toEqual(apps[0].jsonData);
  });
});

describe('dashboards', () => {
  const providers: any[] = yamlFilesIn('provisioning/dashboards').flatMap((file) => readYaml(file).providers ?? []);
  const datasources = new Map(provisionedDatasources().map((ds) => [ds.uid, ds]));

  /** The repository directory a provider reads, through the compose mount of ./provisioning. */
  function providerDir(provider: any): string {
    const path = posix.normalize(provider.options.path);
    expect(path.startsWith(`${GRAFANA_PROVISIONING_DIR}/`)).toBe(true);
    return repoPath(join('provisioning', posix.relative(GRAFANA_PROVISIONING_DIR, path)));
  }

  function dashboards(): Array<{ file: string; json: any }> {
    return providers.flatMap((provider) => {
      const dir = providerDir(provider);
      return readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => ({ file: name, json: readJson(join(posix.relative(repoPath(''), dir), name)) }));
    });
  }

  /** Top-level panels and those inside collapsed rows. */
  function panelsOf(dashboard: any): any[] {
    return dashboard.panels.flatMap((panel: any) => [panel, ...(panel.panels ?? [])]);
  }

  it('a file provider reads an existing directory of JSON dashboards', () => {
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) {
      expect(provider).toEqual(expect.objectContaining({ name: expect.any(String), type: 'file', orgId: 1 }));
      expect(existsSync(providerDir(provider))).toBe(true);
    }
    expect(dashboards().length).toBeGreaterThan(0);
  });

  it('have a valid uid, a title, a schema version and unique panel ids on a 24-column grid without overlaps', () => {
    for (const { file, json } of dashboards()) {
      expect({ file, uid: json.uid }).toEqual({ file, uid: expect.stringMatching(GRAFANA_UID) });
      expect(typeof json.title).toBe('string');
      expect(Number.isInteger(json.schemaVersion)).toBe(true);
      const panels = panelsOf(json);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Map<string, number>();
      for (const panel of panels) {
        const { x, y, w, h } = panel.gridPos;
        expect(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0).toBe(true);
        for (let row = y; row < y + h; row++) {
          for (let column = x; column < x + w; column++) {
            const owner = cells.get(`${row},${column}`);
            if (owner !== undefined) {
              throw new Error(`${file}: panels ${owner} and ${panel.id} overlap at row ${row}, column ${column}`);
            }
            cells.set(`${row},${column}`, panel.id);
          }
        }
      }
    }
  });

  it('query only provisioned datasources, with the datasource type each uid has', () => {
    for (const { file, json } of dashboards()) {
      for (const panel of panelsOf(json).filter((p) => p.type !== 'row')) {
        for (const ref of [panel.datasource, ...panel.targets.map((t: any) => t.datasource)]) {
          const datasource = datasources.get(ref.uid);
          expect({ file, panel: panel.id, uid: ref.uid, type: ref.type }).toEqual({
            file,
            panel: panel.id,
            uid: ref.uid,
            type: datasource?.type ?? 'a provisioned datasource',
          });
        }
      }
    }
  });

  it('use the nested anomaly panel over Prometheus (per host and multivariate by host) and over InfluxDB, with valid options', () => {
    const anomalyPanels = dashboards().flatMap(({ json }) => panelsOf(json).filter((p) => p.type === panelPlugin.id));
    const overUid = (uid: string) => anomalyPanels.filter((p) => p.datasource.uid === uid);
    expect(overUid('prometheus').length).toBeGreaterThan(0);
    expect(overUid('influxdb').length).toBeGreaterThan(0);
    expect(
      anomalyPanels.some(
        (p) =>
          p.datasource.uid === 'prometheus' && p.options.mode === 'multivariate' && p.options.groupByLabel === 'host'
      )
    ).toBe(true);
    for (const panel of anomalyPanels) {
      // Every option is one the panel knows, and none is malformed (the panel would silently use its default).
      expect(Object.keys(panel.options).filter((key) => !(key in DEFAULT_OPTIONS))).toEqual([]);
      expect(withDefaults(panel.options)).toEqual(panel.options);
      for (const target of panel.targets) {
        if (panel.datasource.type === 'influxdb') {
          expect(target.query).toContain('$timeFilter');
        } else {
          expect(target.expr).toEqual(expect.any(String));
        }
      }
    }
    const perHostMetrics = overUid('prometheus').flatMap((p) => p.targets.map((t: any) => t.expr as string));
    for (const metric of [
      'cpu_usage_percent',
      'memory_free_mb',
      'disk_io_rate_mbps',
      'network_latency_ms',
      'error_count',
    ]) {
      expect(perHostMetrics.some((expr) => expr.startsWith(metric))).toBe(true);
    }
  });

  it('show anomaly_score through the anomaly datasource in a time series panel, in queries the proxy parses', () => {
    const proxyPanels = dashboards().flatMap(({ json }) =>
      panelsOf(json).filter((p) => p.datasource?.uid === 'telemetry-anomaly')
    );
    expect(proxyPanels.some((p) => p.type === 'timeseries')).toBe(true);
    const functions = proxyPanels.flatMap((panel) =>
      panel.targets.map((target: any) => {
        const parsed = parseQuery(target.expr);
        if (parsed.kind !== 'anomaly') {
          throw new Error(`panel ${panel.id} target ${target.refId}: not an anomaly query: ${target.expr}`);
        }
        return parsed.query.function;
      })
    );
    expect(functions).toContain('anomaly_score');
  });
});

describe('alerting', () => {
  const rules = provisionedAlertRules();
  const datasourceUids = new Set(provisionedDatasources().map((ds) => ds.uid));

  it('rule groups have an org, a name, a folder and an evaluation interval', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const { group } of rules) {
      expect(group).toEqual(
        expect.objectContaining({ orgId: 1, name: expect.any(String), folder: expect.any(String) })
      );
      expectGrafanaDuration(group.interval);
    }
  });

  it('each rule has the documented keys and its condition is the last step of an A → reduce → threshold chain', () => {
    const uids = rules.map(({ rule }) => rule.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { rule } of rules) {
      expect(rule.uid).toMatch(GRAFANA_UID);
      expect(typeof rule.title).toBe('string');
      // Online rules on the proxy flag an incident's first minutes (each judged from the minutes before it): fired at
      // once and kept firing for a while, one incident is one alert. A written series' flags (batch) stay up through
      // it: two minutes of them fire.
      expect([rule.for, rule.keepFiringFor]).toEqual(onWrittenSeries(rule) ? ['2m', undefined] : ['0s', '10m']);
      for (const duration of [rule.for, rule.keepFiringFor].filter((d) => d !== undefined)) {
        expectGrafanaDuration(duration);
      }
      // The notification text (Slack, email) states the period the rule really waits or keeps firing: it once said
      // "for 2 minutes" on rules that fire at once.
      const period = parseDuration(rule.keepFiringFor ?? rule.for)! / 60_000;
      expect(rule.annotations.description).toContain(`${period} minutes`);
      expect(['Alerting', 'NoData', 'OK', 'KeepLast']).toContain(rule.noDataState);
      expect(['Alerting', 'Error', 'OK', 'KeepLast']).toContain(rule.execErrState);
      const byRef = new Map<string, any>(rule.data.map((entry: any) => [entry.refId, entry]));
      expect(byRef.size).toBe(rule.data.length);
      for (const entry of rule.data) {
        expect(entry.model.refId).toBe(entry.refId);
        expect(entry.datasourceUid === '__expr__' || datasourceUids.has(entry.datasourceUid)).toBe(true);
      }
      const condition = byRef.get(rule.condition);
      expect(condition.model).toEqual(
        expect.objectContaining({ type: 'threshold', conditions: [{ evaluator: { type: 'gt', params: [0] } }] })
      );
      const reduce = byRef.get(condition.model.expression);
      expect(reduce.model).toEqual(expect.objectContaining({ type: 'reduce', reducer: 'last' }));
      const query = byRef.get(reduce.model.expression);
      // On the anomaly proxy (query-time anomalies), or on Prometheus for the series the writer wrote.
      const uid = onWrittenSeries(rule) ? 'prometheus' : 'telemetry-anomaly';
      expect(query.datasourceUid).toBe(uid);
      expect(query.model.datasource).toEqual({ type: 'prometheus', uid });
      expect(query.relativeTimeRange.from).toBeGreaterThan(0);
      expect(query.model.instant).toBe(true);
    }
  });

  /** A rule on the anomaly_flag series the writer remote-writes (docs/scale.md), not on the proxy's functions. */
  function onWrittenSeries(rule: any): boolean {
    return rule.data.some((entry: any) => entry.datasourceUid === 'prometheus');
  }

  /**
   * The yaml keys Grafana's alert rule provisioning reads (grafana/grafana
   * pkg/services/provisioning/alerting/rules_types.go: AlertRuleGroupV1, AlertRuleV1, QueryV1); any other key is
   * ignored without a word, so a misspelt one (dashboardUID, datasourceUID) would silently change the rule.
   */
  const GRAFANA_RULE_GROUP_KEYS = ['orgId', 'name', 'folder', 'interval', 'rules'];
  const GRAFANA_RULE_KEYS = [
    'uid',
    'title',
    'condition',
    'data',
    'dasboardUid',
    'dashboardUid',
    'panelId',
    'noDataState',
    'execErrState',
    'for',
    'keepFiringFor',
    'missing_series_evals_to_resolve',
    'annotations',
    'labels',
    'isPaused',
    'notification_settings',
    'record',
  ];
  const GRAFANA_QUERY_KEYS = ['refId', 'queryType', 'relativeTimeRange', 'datasourceUid', 'model'];

  it("rule groups, rules and their queries use only the keys of Grafana's provisioning types (rules_types.go)", () => {
    for (const { group, rule } of rules) {
      expect(Object.keys(group).filter((key) => !GRAFANA_RULE_GROUP_KEYS.includes(key))).toEqual([]);
      expect(Object.keys(rule).filter((key) => !GRAFANA_RULE_KEYS.includes(key))).toEqual([]);
      for (const query of rule.data) {
        expect(Object.keys(query).filter((key) => !GRAFANA_QUERY_KEYS.includes(key))).toEqual([]);
        expect(Object.keys(query.relativeTimeRange).sort()).toEqual(['from', 'to']);
      }
      // mapToModel refuses a rule without title, uid, data or condition, and a group without name or folder.
      expect([rule.title, rule.uid, rule.condition].every((v) => typeof v === 'string' && v.trim() !== '')).toBe(true);
      expect([group.name, group.folder].every((v) => typeof v === 'string' && v.trim() !== '')).toBe(true);
    }
  });

  it('rules on written series are plain PromQL on anomaly_flag{anomaly_job=...} > 0, which any rule engine evaluates', () => {
    const written = rules.filter(({ rule }) => onWrittenSeries(rule));
    expect(written.length).toBeGreaterThan(0);
    for (const { rule } of written) {
      expect(ruleExpression(rule)).toMatch(/^anomaly_flag\{anomaly_job="[A-Za-z_][A-Za-z0-9_.:-]*"\} > 0$/);
      expect(parseQuery(ruleExpression(rule)).kind).toBe('plain');
    }
  });

  it("each rule on the proxy is an anomaly_flag(...) query the proxy's parser accepts, every host's 0 or 1, and no series is No Data", () => {
    for (const { rule } of rules.filter(({ rule }) => !onWrittenSeries(rule))) {
      const parsed = parseQuery(ruleExpression(rule));
      if (parsed.kind !== 'anomaly') {
        throw new Error(`${rule.title}: not an anomaly query: ${ruleExpression(rule)}`);
      }
      expect(parsed.query.function).toBe('anomaly_flag');
      // No `> 0`: the threshold step alerts on the 1s, so every host answers and an empty answer means the query
      // matches nothing (a misspelt metric, an exporter gone), which must show as No Data, not as a silent OK.
      expect(parsed.query.comparison).toBeUndefined();
      expect(rule.noDataState).toBe('NoData');
      expect(parsed.query.inner.language).toBe('promql');
      expect(parsed.query.options.train).toBe(86_400_000);
      // Online: every minute judged from the ones before it, calibrated per series (docs/alerting.md).
      expect(parsed.query.options.online).toBe(true);
      // The notification says what the flag means with the rule's own contamination.
      expect(rule.annotations.description).toContain(`top ${Number(parsed.query.options.contamination) * 100} %`);
    }
  });

  it('labels hold no $ (provisioning would expand it as an environment variable) and annotations link to a dashboard panel', () => {
    const dashboardsByUid = new Map<string, any>();
    for (const provider of yamlFilesIn('provisioning/dashboards').flatMap((file) => readYaml(file).providers)) {
      const dir = join('provisioning', posix.relative(GRAFANA_PROVISIONING_DIR, provider.options.path));
      for (const name of readdirSync(repoPath(dir)).filter((n) => n.endsWith('.json'))) {
        const json = readJson(join(dir, name));
        dashboardsByUid.set(json.uid, json);
      }
    }
    for (const { rule } of rules) {
      expect(Object.values(rule.labels).filter((value) => String(value).includes('$'))).toEqual([]);
      const dashboard = dashboardsByUid.get(rule.annotations.__dashboardUid__);
      expect(dashboard).toBeDefined();
      const panel = dashboard.panels.find((p: any) => String(p.id) === rule.annotations.__panelId__);
      // The linked panel shows the rule's own query (without the alerting filter).
      const shown = panel.targets.map((t: any) => t.expr);
      expect(shown).toContain(ruleExpression(rule).replace(/\s*>\s*0$/, ''));
    }
  });

  it('the contact point is a webhook to the stack receiver and the notification policy routes to it', () => {
    const contactPoints = yamlFilesIn('provisioning/alerting').flatMap((file) => readYaml(file).contactPoints ?? []);
    const policies = yamlFilesIn('provisioning/alerting').flatMap((file) => readYaml(file).policies ?? []);
    expect(contactPoints.length).toBeGreaterThan(0);
    for (const contactPoint of contactPoints) {
      expect(contactPoint).toEqual(expect.objectContaining({ orgId: 1, name: expect.any(String) }));
      for (const receiver of contactPoint.receivers) {
        expect(receiver.uid).toMatch(GRAFANA_UID);
        expect(receiver.type).toBe('webhook');
        expect(expectHttpUrl(receiver.settings.url, contactPoint.name).href).toBe('http://alert-receiver:8080/alerts');
      }
    }
    expect(policies).toHaveLength(1);
    expect(contactPoints.map((cp) => cp.name)).toContain(policies[0].receiver);
    expect(policies[0].group_by).toEqual(expect.arrayContaining(['alertname', 'host']));
    for (const key of ['group_wait', 'group_interval', 'repeat_interval']) {
      expectGrafanaDuration(policies[0][key]);
    }
  });
});
