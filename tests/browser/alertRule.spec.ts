/**
 * The anomaly panel's "Create alert rule" form in the built plugin, against a recording stand-in for Grafana's HTTP
 * API (recordingGrafanaApi.ts) reached through the host's BackendSrv: the exact requests a created rule takes, and
 * what the form shows when Grafana refuses the rule (403) or the anomaly datasource is unknown to the browser.
 * The panel is fed generated telemetry directly: this flow needs no real Prometheus.
 */
import type { Page } from '@playwright/test';

import type { AlertRuleGroup, ProvisionedAlertRule } from '../../src/panels/anomaly/alerting/provisioningTypes';
import { expect, type HostPage, testWithGrafanaApi } from './fixtures';
import { prometheusMatrixToFrames, type PanelFrame } from './frames';
import { byTestId, panelContainer, renderAnomalyPanel, testIds } from './panelDriver';
import type { RecordedRequest, RecordingGrafanaApi } from './recordingGrafanaApi';
import { STEP_MS, type TelemetryScenario } from './telemetryScenario';

const test = testWithGrafanaApi;

const ANOMALY_DATASOURCE_UID = 'telemetry-anomaly';
const SETTINGS_PATH = '/api/plugins/telemetry-analyzer-app/settings';
const DATASOURCE_PATH = `/api/datasources/uid/${ANOMALY_DATASOURCE_UID}`;
// Grafana's search, folders only: every depth, those the user may edit (pkg/api/search.go); not /api/folders, which
// lists only the root's children when folders nest.
const FOLDERS_PATH = '/api/search';
const CONTACT_POINTS_PATH = '/api/v1/provisioning/contact-points';
const ALERT_RULES_PATH = '/api/v1/provisioning/alert-rules';
const FOLDER = { uid: 'folder-infra', title: 'Infrastructure' };
const CREATED_RULE_UID = 'rule-7f3a';
/** The panel's dashboard and panel id (PanelHost renders the panel with id 1). */
const DASHBOARD_UID = 'dash-telemetry';
const PANEL_ID = 1;

/** The panel's query, with a dashboard variable and a built-in one ($__interval must reach the rule unexpanded). */
const PANEL_EXPR = 'avg_over_time(telemetry_cpu_usage_percent{host=~"$host"}[$__interval])';
const DASHBOARD_VARIABLES = { host: 'host-a|host-b' };
const PANEL_DATASOURCE = { uid: 'prometheus-main', name: 'Prometheus', type: 'prometheus' };
/** Every detector option away from its default, so the expression shows that each one is copied. */
const PANEL_OPTIONS = {
  contamination: 0.02,
  trees: 150,
  seed: 7,
  window: 10,
  lags: 2,
  seasonality: 'off',
  mode: 'per-series',
  training: { kind: 'visible', previousDays: 7 },
};
/**
 * The panel's query inside anomaly_flag with those options (docs/proxy.md "Query syntax"): the dashboard variable
 * expanded, $__interval kept, training on the visible day, scored at the data's 1-minute step.
 */
const EXPECTED_EXPR =
  'anomaly_flag(avg_over_time(telemetry_cpu_usage_percent{host=~"host-a|host-b"}[$__interval]), ' +
  'contamination=0.02, train="1d", mode="per-series", trees=150, window=10, lags=2, seasonality=false, seed=7, ' +
  'step="1m")';

/** What the user enters in the form. */
const RULE_TITLE = 'Fleet CPU anomaly';
const CONTACT_POINT = 'ops-pager';
const EVALUATION_INTERVAL = '5m';
const PENDING_PERIOD = '10m';
const RULE_GROUP = 'Anomaly detection every 5m';
const GROUP_PATH = `/api/v1/provisioning/folder/${FOLDER.uid}/rule-groups/${encodeURIComponent(RULE_GROUP)}`;

/** The anomaly proxy's datasource, as Grafana's datasource service hands it to the browser of anyone who may query it. */
const ANOMALY_DATASOURCE = { uid: ANOMALY_DATASOURCE_UID, name: 'Telemetry Anomaly', type: 'prometheus' };

/**
 * Grafana's answers for an Editor, who may create rules; each test changes what it needs. An Editor lacks
 * `datasources:read`, so Grafana refuses GET /api/datasources/uid/:uid (pkg/api/api.go, fixed:datasources:reader):
 * the form must not need it.
 */
function answerAsGrafana(api: RecordingGrafanaApi): void {
  api
    .answer('GET', SETTINGS_PATH, { status: 200, body: { jsonData: { anomalyDatasourceUid: ANOMALY_DATASOURCE_UID } } })
    .answer('GET', DATASOURCE_PATH, {
      status: 403,
      body: {
        message: "You'll need additional permissions to perform this action. Permissions needed: datasources:read",
      },
    })
    .answer('GET', FOLDERS_PATH, {
      status: 200,
      body: [FOLDER, { uid: 'folder-apps', title: 'Applications' }].map((f, i) => ({
        id: i + 1,
        ...f,
        type: 'dash-folder',
      })),
    })
    .answer('GET', CONTACT_POINTS_PATH, {
      status: 200,
      // The API lists a contact point once per integration.
      body: [
        { uid: 'cp-1', name: CONTACT_POINT, type: 'pagerduty' },
        { uid: 'cp-2', name: CONTACT_POINT, type: 'email' },
        { uid: 'cp-3', name: 'team-email', type: 'email' },
      ],
    })
    .answer('GET', GROUP_PATH, { status: 404, body: { message: 'rule group not found' } })
    // Grafana answers the created rule with its new uid.
    .answer('POST', ALERT_RULES_PATH, ({ body }) => ({
      status: 201,
      body: { ...(body as object), uid: CREATED_RULE_UID },
    }))
    .answer('PUT', GROUP_PATH, ({ body }) => ({ status: 200, body }));
}

/** Both hosts' CPU series of the generated day, as Grafana's Prometheus datasource hands them to the panel. */
function cpuFrames(scenario: TelemetryScenario): PanelFrame[] {
  const result = scenario.prometheusSeries
    .filter((series) => series.metric === 'telemetry_cpu_usage_percent')
    .map((series) => ({
      metric: { __name__: series.metric, ...series.labels },
      values: Array.from(series.timestampsMs, (ms, i): [number, string] => [ms / 1000, String(series.values[i])]),
    }));
  return prometheusMatrixToFrames(result, { refId: 'A', expr: PANEL_EXPR, stepMs: STEP_MS });
}

/** The panel's Prometheus query as Grafana stores it in the dashboard (a DataQuery with the PromQL `expr`). */
const prometheusTarget = {
  refId: 'A',
  datasource: { type: 'prometheus', uid: PANEL_DATASOURCE.uid },
  expr: PANEL_EXPR,
};

async function renderPanelWithQuery(
  host: HostPage,
  scenario: TelemetryScenario,
  datasources = [PANEL_DATASOURCE, ANOMALY_DATASOURCE]
): Promise<void> {
  await host.open();
  await renderAnomalyPanel(host.page, {
    frames: cpuFrames(scenario),
    fromMs: scenario.fromMs,
    toMs: scenario.toMs,
    options: PANEL_OPTIONS,
    queryRequest: {
      targets: [prometheusTarget],
      dashboardUID: DASHBOARD_UID,
      // What Grafana puts in every request's scopedVars: the built-in interval variables.
      scopedVars: { __interval: { text: '1m', value: '1m' }, __interval_ms: { text: '60000', value: 60000 } },
    },
    datasources,
    dashboardVariables: DASHBOARD_VARIABLES,
  });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

function modal(page: Page) {
  return page.locator(byTestId(testIds.alertRule.modal));
}

async function openForm(page: Page, expectedState: 'ready' | 'load-error'): Promise<void> {
  await page.locator(byTestId(testIds.alertRule.button)).click();
  await expect(modal(page)).toHaveAttribute('data-state', expectedState);
}

/** Opens a Combobox of the form, filters it by typing and picks the option with that exact label. */
async function choose(page: Page, comboboxTestId: string, label: string): Promise<void> {
  const input = page.locator(byTestId(comboboxTestId));
  await input.click();
  await input.fill(label);
  await page.getByRole('option', { name: label, exact: true }).click();
  await expect(input).toHaveValue(label);
}

async function fillForm(page: Page): Promise<void> {
  await page.locator(byTestId(testIds.alertRule.title)).fill(RULE_TITLE);
  await choose(page, testIds.alertRule.folder, FOLDER.title);
  await page.locator(byTestId(testIds.alertRule.evaluationInterval)).fill(EVALUATION_INTERVAL);
  await page.locator(byTestId(testIds.alertRule.pendingPeriod)).fill(PENDING_PERIOD);
  await choose(page, testIds.alertRule.contactPoint, CONTACT_POINT);
}

function summarize(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path}`);
}

/**
 * The form's loading requests: the settings first (they name the datasource), then folders and contact points in
 * parallel. Never GET /api/datasources/uid/:uid, which an Editor is refused: the datasource comes from the browser.
 */
function expectLoadRequests(requests: RecordedRequest[]): void {
  expect(requests).toHaveLength(3);
  expect(summarize(requests.slice(0, 1))).toEqual([`GET ${SETTINGS_PATH}`]);
  expect(summarize(requests.slice(1, 3)).sort()).toEqual([`GET ${FOLDERS_PATH}`, `GET ${CONTACT_POINTS_PATH}`].sort());
  const folders = new URLSearchParams(requests.find((r) => r.path === FOLDERS_PATH)?.query);
  expect([folders.get('type'), folders.get('permission')]).toEqual(['dash-folder', 'Edit']);
}

/** What went wrong on the page (fixtures.ts records it), origin left out. */
function pageErrors(host: HostPage): string[] {
  return host.errors.map((error) => error.replace(/http:\/\/127\.0\.0\.1:\d+/, ''));
}

test.describe('create alert rule from the anomaly panel', () => {
  test('posts the rule for the panel query and options, sets the new group interval and links to the rule', async ({
    host,
    grafanaApi,
    scenario,
  }) => {
    answerAsGrafana(grafanaApi);
    await renderPanelWithQuery(host, scenario);
    await openForm(host.page, 'ready');
    await fillForm(host.page);
    await expect(host.page.locator(byTestId(testIds.alertRule.expression))).toHaveText(EXPECTED_EXPR);
    await host.screenshot('alert-rule-modal');

    const loadRequestCount = grafanaApi.requests.length;
    await host.page.locator(byTestId(testIds.alertRule.submit)).click();
    await expect(modal(host.page)).toHaveAttribute('data-state', 'created');
    const resultLink = host.page.locator(byTestId(testIds.alertRule.resultLink));
    await expect(resultLink).toBeVisible();
    await expect(resultLink).toHaveAttribute('href', `/alerting/grafana/${CREATED_RULE_UID}/view`);
    await expect(modal(host.page)).toContainText(`evaluated every ${EVALUATION_INTERVAL} in the group "${RULE_GROUP}"`);
    await host.screenshot('alert-rule-created');

    expectLoadRequests(grafanaApi.requests.slice(0, loadRequestCount));
    const submitted = grafanaApi.requests.slice(loadRequestCount);
    // The group is read first: a new group (404) gets its interval from the PUT after the rule exists.
    expect(summarize(submitted)).toEqual([`GET ${GROUP_PATH}`, `POST ${ALERT_RULES_PATH}`, `PUT ${GROUP_PATH}`]);
    const [, post, put] = submitted;

    expect(post.headers['x-disable-provenance']).toBe('true');
    const rule = post.body as ProvisionedAlertRule;
    expect(rule.title).toBe(RULE_TITLE);
    expect(rule.folderUID).toBe(FOLDER.uid);
    expect(rule.ruleGroup).toBe(RULE_GROUP);
    expect(rule.orgID).toBe(1);
    expect(rule.condition).toBe('B');
    expect(rule.for).toBe(PENDING_PERIOD);
    expect(rule.data).toHaveLength(2);
    const [query, threshold] = rule.data;
    expect(query.refId).toBe('A');
    expect(query.datasourceUid).toBe(ANOMALY_DATASOURCE_UID);
    // The panel shows one day: the query looks back as far.
    expect(query.relativeTimeRange).toEqual({ from: 86_400, to: 0 });
    expect(query.model).toMatchObject({
      refId: 'A',
      datasource: { type: 'prometheus', uid: ANOMALY_DATASOURCE_UID },
      expr: EXPECTED_EXPR,
      instant: true,
      range: false,
      intervalMs: STEP_MS,
    });
    expect(threshold).toEqual({
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
    expect(rule.notification_settings).toEqual({ receiver: CONTACT_POINT });
    expect(rule.annotations).toMatchObject({ __dashboardUid__: DASHBOARD_UID, __panelId__: String(PANEL_ID) });
    expect(rule.isPaused).toBe(false);

    expect(put.headers['x-disable-provenance']).toBe('true');
    // The interval alone: Grafana then keeps the group's rules (a PUT with rules would replace them).
    const expectedGroup: AlertRuleGroup = { title: RULE_GROUP, folderUid: FOLDER.uid, interval: 300 };
    expect(put.body).toEqual(expectedGroup);
    // The group's 404 is the expected answer for a new group; nothing else failed.
    expect(pageErrors(host)).toEqual([`HTTP 404: ${GROUP_PATH}`]);
  });

  test('shows the permission error when Grafana refuses the rule (403) and sends nothing more', async ({
    host,
    grafanaApi,
    scenario,
  }) => {
    answerAsGrafana(grafanaApi);
    grafanaApi.answer('POST', ALERT_RULES_PATH, {
      status: 403,
      body: { message: 'user is not authorized to create a new alert rule' },
    });
    await renderPanelWithQuery(host, scenario);
    await openForm(host.page, 'ready');
    await fillForm(host.page);
    await host.page.locator(byTestId(testIds.alertRule.submit)).click();

    const error = host.page.locator(byTestId(testIds.alertRule.error));
    await expect(error).toContainText('You need permission to create alert rules in this folder');
    await expect(error).toContainText('alert.rules:create');
    await expect(modal(host.page)).toHaveAttribute('data-state', 'ready');
    await expect(host.page.locator(byTestId(testIds.alertRule.resultLink))).toHaveCount(0);
    // The form stays filled in, so the user can retry after getting the permission.
    await expect(host.page.locator(byTestId(testIds.alertRule.title))).toHaveValue(RULE_TITLE);
    await expect(host.page.locator(byTestId(testIds.alertRule.submit))).toBeEnabled();
    await host.screenshot('alert-rule-permission-error');

    expect(grafanaApi.requestsTo('POST', ALERT_RULES_PATH)).toHaveLength(1);
    expect(grafanaApi.requestsTo('PUT', GROUP_PATH)).toEqual([]);
    expect(pageErrors(host).sort()).toEqual([`HTTP 403: ${ALERT_RULES_PATH}`, `HTTP 404: ${GROUP_PATH}`].sort());
  });

  test('explains a missing anomaly datasource and links to the app configuration', async ({
    host,
    grafanaApi,
    scenario,
  }) => {
    answerAsGrafana(grafanaApi);
    // Grafana's datasource service in the browser does not know the configured uid.
    await renderPanelWithQuery(host, scenario, [PANEL_DATASOURCE]);
    await openForm(host.page, 'load-error');

    const error = host.page.locator(byTestId(testIds.alertRule.error));
    await expect(error).toContainText(`There is no datasource with uid "${ANOMALY_DATASOURCE_UID}"`);
    await expect(error.getByRole('link', { name: 'Open the app configuration' })).toHaveAttribute(
      'href',
      '/plugins/telemetry-analyzer-app'
    );
    // Nothing to fill in and nothing to submit until the datasource exists.
    await expect(host.page.locator(byTestId(testIds.alertRule.title))).toHaveCount(0);
    await expect(host.page.locator(byTestId(testIds.alertRule.submit))).toHaveCount(0);
    await host.screenshot('alert-rule-missing-datasource');

    // The settings name the datasource; the browser does not know it, so nothing else is asked for.
    expect(summarize(grafanaApi.requests)).toEqual([`GET ${SETTINGS_PATH}`]);
    expect(pageErrors(host)).toEqual([]);
  });
});
