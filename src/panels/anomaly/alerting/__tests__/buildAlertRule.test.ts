import { withDefaults } from '../../options/defaults';
import { type AlertRuleInput, buildAlertRule, ruleGroupName } from '../buildAlertRule';

const input: AlertRuleInput = {
  query: { language: 'promql', expr: 'rate(node_cpu_seconds_total{mode="user"}[5m])' },
  options: withDefaults({
    contamination: 0.02,
    trees: 120,
    seed: 5,
    mode: 'multivariate',
    groupByLabel: 'instance',
    training: { kind: 'previous', previousDays: 7 },
  }),
  context: { visibleRangeMs: 6 * 3_600_000, stepMs: 30_000 },
  panel: { title: 'CPU', dashboardUid: 'dash-1', panelId: 4 },
  rule: {
    title: ' CPU anomaly ',
    folderUid: 'folder-1',
    evaluationIntervalSeconds: 60,
    pendingPeriod: '2m',
    contactPoint: 'ops-email',
  },
  datasourceUid: 'telemetry-anomaly',
  orgId: 3,
};

describe('buildAlertRule', () => {
  it('builds the POST /api/v1/provisioning/alert-rules request of the ProvisionedAlertRule model', () => {
    const request = buildAlertRule(input);
    expect(request.url).toBe('/api/v1/provisioning/alert-rules');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({ 'X-Disable-Provenance': 'true' });

    const body = request.body;
    expect(Object.keys(body).sort()).toEqual(
      [
        'annotations',
        'condition',
        'data',
        'execErrState',
        'folderUID',
        'for',
        'isPaused',
        'labels',
        'noDataState',
        'notification_settings',
        'orgID',
        'ruleGroup',
        'title',
      ].sort()
    );
    expect(body.orgID).toBe(3);
    expect(body.folderUID).toBe('folder-1');
    expect(body.ruleGroup).toBe('Anomaly detection every 1m');
    expect(body.title).toBe('CPU anomaly');
    expect(body.condition).toBe('B');
    expect(body.noDataState).toBe('NoData');
    expect(body.execErrState).toBe('Error');
    expect(body.for).toBe('2m');
    expect(body.labels).toEqual({ detector: 'telemetry-analyzer' });
    expect(body.isPaused).toBe(false);
    expect(body.notification_settings).toEqual({ receiver: 'ops-email' });
    expect(body.annotations).toEqual({
      summary: 'Anomaly in CPU: {{ $labels }}',
      description:
        "Isolation Forest (120 trees, seed 5) on the panel's PromQL query, one multivariate model per instance, " +
        'contamination 0.02, trained on the previous 7 d: {{ $labels }} is anomalous now.',
      __dashboardUid__: 'dash-1',
      __panelId__: '4',
    });

    const [query, condition] = body.data;
    expect(body.data).toHaveLength(2);
    expect(query).toEqual({
      refId: 'A',
      queryType: '',
      relativeTimeRange: { from: 21_600, to: 0 },
      datasourceUid: 'telemetry-anomaly',
      model: {
        refId: 'A',
        datasource: { type: 'prometheus', uid: 'telemetry-anomaly' },
        expr:
          'anomaly_flag(rate(node_cpu_seconds_total{mode="user"}[5m]), contamination=0.02, train="7d", ' +
          'mode=multivariate, by="instance", trees=120, window=12, lags=1, seasonality=auto, seed=5, step="30s")',
        editorMode: 'code',
        instant: true,
        range: false,
        legendFormat: '__auto',
        intervalMs: 30_000,
        maxDataPoints: 43_200,
      },
    });
    expect(condition).toEqual({
      refId: 'B',
      queryType: '',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: '__expr__',
      model: {
        refId: 'B',
        datasource: { type: '__expr__', uid: '__expr__' },
        type: 'threshold',
        expression: 'A',
        conditions: [{ evaluator: { type: 'gt', params: [0] } }],
      },
    });
  });

  it('routes through notification policies when no contact point is chosen', () => {
    const body = buildAlertRule({ ...input, rule: { ...input.rule, contactPoint: undefined } }).body;
    expect(body).not.toHaveProperty('notification_settings');
  });

  it('links the rule to the dashboard panel only when the panel is on a saved dashboard', () => {
    const body = buildAlertRule({ ...input, panel: { title: '', panelId: 4 } }).body;
    expect(body.annotations).not.toHaveProperty('__dashboardUid__');
    expect(body.annotations).not.toHaveProperty('__panelId__');
    expect(body.annotations.summary).toBe('Anomaly in an anomaly panel: {{ $labels }}');
  });

  it('keeps a ten-minute query range for short dashboards', () => {
    const body = buildAlertRule({ ...input, context: { visibleRangeMs: 60_000, stepMs: 15_000 } }).body;
    expect(body.data[0].relativeTimeRange).toEqual({ from: 600, to: 0 });
  });

  it('writes per-series mode, contamination auto and an InfluxQL statement with its upstream', () => {
    const expr = buildAlertRule({
      ...input,
      query: { language: 'influxql', statement: 'SELECT mean("v") FROM "m" WHERE $timeFilter', upstream: 'influx' },
      options: withDefaults({ contamination: 'auto', seasonality: 'on' }),
    }).body.data[0].model.expr;
    expect(expr).toBe(
      'anomaly_flag(influxql(`SELECT mean("v") FROM "m" WHERE $timeFilter`), contamination=auto, train="6h", ' +
        'mode="per-series", trees=100, window=12, lags=1, seasonality=true, seed=42, step="30s", upstream="influx")'
    );
  });

  it('names rule groups after their evaluation interval', () => {
    expect(ruleGroupName(30)).toBe('Anomaly detection every 30s');
    expect(ruleGroupName(5400)).toBe('Anomaly detection every 1h30m');
  });
});
