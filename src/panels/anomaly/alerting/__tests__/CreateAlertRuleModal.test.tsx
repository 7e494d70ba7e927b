import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { LoadingState, type PanelData, type ScopedVars, dateTime } from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type TemplateSrv,
  config,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';
import { withDefaults } from '../../options/defaults';
import { prometheusFrame } from '../../testing/frames';
import { testIds } from '../../testIds';
import type { AnomalyOptions } from '../../types';
import { APP_ACCESS_MESSAGE, PERMISSION_MESSAGE } from '../alertingApi';
import { CreateAlertRuleButton } from '../CreateAlertRuleButton';

/**
 * Grafana's HTTP API as the form sees it: answers by "METHOD url" (canned, or worked out from the request), every
 * request recorded.
 */
type Answer = { status: number; data: unknown };
let answers: Record<string, Answer | ((request: BackendSrvRequest) => Answer)>;
let requests: BackendSrvRequest[];
/** The signed-in user's basic role; Grafana's route guards below depend on it. */
let role: 'Admin' | 'Editor';

/**
 * Grafana's route guards for every call the form makes: the request passes when the user holds all the permissions
 * of one of the alternatives. From Grafana pkg/api/api.go (datasources; /api/search has no guard: it lists what the
 * user may see) and
 * pkg/services/ngalert/api/authorization.go (provisioning routes: alert.rules:create + provenance:write suffices to
 * POST a rule; reading and writing a rule group needs alert.rules:read and folders:read in that folder).
 */
const ROUTE_GUARDS: Array<{ method: string; path: RegExp; anyOf: string[][] }> = [
  { method: 'GET', path: /^\/api\/datasources\/(uid\/|\d)/, anyOf: [['datasources:read']] },
  {
    method: 'GET',
    path: /^\/api\/v1\/provisioning\/contact-points$/,
    anyOf: [['alert.provisioning:read'], ['alert.notifications.provisioning:read'], ['alert.notifications:read']],
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/provisioning\/folder\/[^/]+\/rule-groups\/[^/]+$/,
    anyOf: [['alert.provisioning:read'], ['alert.rules.provisioning:read'], ['alert.rules:read', 'folders:read']],
  },
  {
    method: 'POST',
    path: /^\/api\/v1\/provisioning\/alert-rules$/,
    anyOf: [
      ['alert.provisioning:write'],
      ['alert.rules.provisioning:write'],
      ['alert.rules:create', 'alert.provisioning.provenance:write'],
    ],
  },
  {
    method: 'PUT',
    path: /^\/api\/v1\/provisioning\/folder\/[^/]+\/rule-groups\/[^/]+$/,
    anyOf: [
      ['alert.provisioning:write'],
      ['alert.rules.provisioning:write'],
      ['alert.rules:read', 'folders:read', 'alert.provisioning.provenance:write', 'alert.rules:create'],
    ],
  },
];

/**
 * The basic roles' default permissions that matter here: an Editor may read folders and contact points and create
 * rules (fixed:alerting.rules:writer, with provenance:write); only an Admin reads datasource settings
 * (fixed:datasources:reader, pkg/api/roles.go) and holds the organisation-wide provisioning actions.
 */
const EDITOR_PERMISSIONS = [
  'folders:read',
  'alert.notifications:read',
  'alert.rules:read',
  'alert.rules:create',
  'alert.rules:write',
  'alert.provisioning.provenance:write',
];
const ROLE_PERMISSIONS: Record<typeof role, string[]> = {
  Editor: EDITOR_PERMISSIONS,
  Admin: [...EDITOR_PERMISSIONS, 'datasources:read', 'alert.provisioning:read', 'alert.provisioning:write'],
};

/**
 * The organisation's folders as Grafana's search lists them (pkg/api/search.go): every depth, a nested one with its
 * parent's title; `permission=Edit` keeps those the user may edit (canEdit here).
 */
const FOLDERS = [
  { uid: 'folder-1', title: 'Infrastructure', canEdit: true },
  { uid: 'folder-2', title: 'Databases', folderTitle: 'Infrastructure', canEdit: true },
  { uid: 'folder-3', title: 'Finance', canEdit: false },
];

function searchFolders(params: Record<string, unknown> = {}) {
  return FOLDERS.filter((f) => params.type === 'dash-folder' && (params.permission !== 'Edit' || f.canEdit)).map(
    ({ canEdit, ...hit }) => ({ ...hit, type: 'dash-folder' })
  );
}

function answer(request: BackendSrvRequest): Observable<unknown> {
  requests.push(request);
  if (request.url === '/api/search' && answers['GET /api/search'] === undefined) {
    return of({ data: searchFolders(request.params), status: 200, ok: true });
  }
  const method = request.method ?? 'GET';
  const guard = ROUTE_GUARDS.find((g) => g.method === method && g.path.test(request.url));
  const held = ROLE_PERMISSIONS[role];
  if (guard && !guard.anyOf.some((all) => all.every((permission) => held.includes(permission)))) {
    return throwError(() => ({
      status: 403,
      data: {
        message: `You'll need additional permissions to perform this action. Permissions needed: ${guard.anyOf[0]}`,
      },
    }));
  }
  const given = answers[`${request.method ?? 'GET'} ${request.url}`];
  const canned = typeof given === 'function' ? given(request) : given;
  if (!canned) {
    return throwError(() => ({ status: 404, data: { message: 'not found' } }));
  }
  return canned.status < 400
    ? of({ data: canned.data, status: canned.status, ok: true })
    : throwError(() => ({ status: canned.status, data: canned.data }));
}

// jsdom has no canvas nor IntersectionObserver; Combobox measures its labels and its list watches its scroll edges.
beforeAll(() => {
  Object.assign(globalThis, {
    IntersectionObserver: class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  });
  // The option list is virtualised: with jsdom's zero-sized elements it would render no option at all.
  jest.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(400);
  jest.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(400);
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => ({ measureText: (text: string) => ({ width: 8 * text.length }) }) as never);
});

let instanceSettings: Record<string, { uid: string; name: string; type: string; jsonData: object }>;

const GROUP_URL = '/api/v1/provisioning/folder/folder-1/rule-groups/Anomaly%20detection%20every%205m';

beforeEach(() => {
  requests = [];
  answers = {
    'GET /api/plugins/telemetry-analyzer-app/settings': {
      status: 200,
      data: { jsonData: { anomalyDatasourceUid: 'anomaly-ds' } },
    },
    'GET /api/v1/provisioning/contact-points': {
      status: 200,
      data: [
        { uid: 'c1', name: 'ops-email', type: 'email' },
        { uid: 'c2', name: 'ops-email', type: 'slack' },
      ],
    },
    'POST /api/v1/provisioning/alert-rules': { status: 201, data: { uid: 'rule-7' } },
    [`PUT ${GROUP_URL}`]: { status: 200, data: {} },
  };
  setBackendSrv({ fetch: answer } as unknown as BackendSrv);
  role = 'Admin';
  // What the browser knows of the datasources the user may query (Grafana's DatasourceSrv.getInstanceSettings).
  instanceSettings = {
    prom: { uid: 'prom', name: 'Prometheus', type: 'prometheus', jsonData: {} },
    'anomaly-ds': { uid: 'anomaly-ds', name: 'Telemetry Anomaly', type: 'prometheus', jsonData: {} },
  };
  setDataSourceSrv({
    getInstanceSettings: (ref: string | { uid?: string } | null | undefined) =>
      instanceSettings[typeof ref === 'string' ? ref : (ref?.uid ?? '')],
  } as unknown as DataSourceSrv);
  setTemplateSrv({ replace: (text: string) => text.replace('$job', 'node') } as unknown as TemplateSrv);
});

const FROM = Date.UTC(2024, 0, 1);
const TO = FROM + 6 * 3_600_000;

function openForm(
  options: Partial<AnomalyOptions> = {},
  expr = 'rate(cpu{job="$job"}[5m])',
  scopedVars: ScopedVars = {}
) {
  const data = {
    state: LoadingState.Done,
    series: [prometheusFrame([1, 2, 3], { __name__: 'cpu' }, 'A')],
    timeRange: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-6h', to: 'now' } },
    request: {
      targets: [{ refId: 'A', expr, datasource: { uid: 'prom', type: 'prometheus' } }],
      intervalMs: 60_000,
      scopedVars,
      dashboardUID: 'dash-1',
    },
  } as unknown as PanelData;
  render(
    <CreateAlertRuleButton
      panel={{ title: 'CPU', dashboardUid: 'dash-1', panelId: 2 }}
      options={withDefaults(options)}
      data={data}
      timeRange={data.timeRange}
    />
  );
  fireEvent.click(screen.getByTestId(testIds.alertRule.button));
  return screen.getByTestId(testIds.alertRule.modal);
}

/**
 * Opens a combobox's list as a user would: focus on it, then ArrowDown. The modal moves focus into itself once,
 * a frame after it opens (a focus trap); a list opened before that closes when its input loses focus, so this waits
 * for focus to be in the modal first.
 */
async function openList(testId: string) {
  await waitFor(() => expect(document.activeElement?.closest('[role="dialog"]')).not.toBeNull());
  const input = screen.getByTestId(testId);
  act(() => input.focus());
  fireEvent.keyDown(input, { key: 'ArrowDown' });
}

async function choose(testId: string, label: string) {
  await openList(testId);
  fireEvent.click(await screen.findByRole('option', { name: label }));
}

async function fillAndSubmit() {
  await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
  await choose(testIds.alertRule.folder, 'Infrastructure');
  fireEvent.change(screen.getByTestId(testIds.alertRule.evaluationInterval), { target: { value: '5m' } });
  await choose(testIds.alertRule.contactPoint, 'ops-email');
  await act(async () => {
    fireEvent.click(screen.getByTestId(testIds.alertRule.submit));
  });
}

describe('Create alert rule', () => {
  it("creates the rule, sets the new group's interval and links to the rule", async () => {
    openForm({ contamination: 0.05 });
    await fillAndSubmit();

    const link = await screen.findByTestId(testIds.alertRule.resultLink);
    expect(link).toHaveAttribute('href', '/alerting/grafana/rule-7/view');
    expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'created');
    expect(requests.map((r) => `${r.method ?? 'GET'} ${r.url}`)).toEqual([
      'GET /api/plugins/telemetry-analyzer-app/settings',
      'GET /api/search',
      'GET /api/v1/provisioning/contact-points',
      `GET ${GROUP_URL}`,
      'POST /api/v1/provisioning/alert-rules',
      `PUT ${GROUP_URL}`,
    ]);
    const post = requests[4];
    expect(post.headers).toEqual({ 'X-Disable-Provenance': 'true' });
    expect(post.showErrorAlert).toBe(false);
    expect(post.data).toMatchObject({
      title: 'CPU anomaly',
      folderUID: 'folder-1',
      ruleGroup: 'Anomaly detection every 5m',
      condition: 'B',
      for: '0s',
      notification_settings: { receiver: 'ops-email' },
      annotations: { __dashboardUid__: 'dash-1', __panelId__: '2' },
      data: [
        {
          datasourceUid: 'anomaly-ds',
          model: {
            expr:
              'anomaly_flag(rate(cpu{job="node"}[5m]), contamination=0.05, train="6h", mode="per-series", trees=100, ' +
              'window=12, lags=1, seasonality=auto, seed=42, step="1m")',
            instant: true,
            intervalMs: 60_000,
          },
        },
        { datasourceUid: '__expr__' },
      ],
    });
    const put = requests[5];
    expect(put.headers).toEqual({ 'X-Disable-Provenance': 'true' });
    expect(put.data).toEqual({
      title: 'Anomaly detection every 5m',
      folderUid: 'folder-1',
      interval: 300,
    });
  });

  it('keeps a rule that another user put in the new group meanwhile: the interval is set alone', async () => {
    // The group as Grafana's provisioning service keeps it (pkg/services/ngalert/provisioning/alert_rules.go): a POST
    // adds its rule to the group (a new group at the default interval); a PUT with rules replaces them all, one
    // without rules changes the interval only (calcDelta).
    const group = { interval: 0, rules: [] as Array<{ uid: string }> };
    answers[`GET ${GROUP_URL}`] = () =>
      group.rules.length > 0
        ? { status: 200, data: { title: 'g', folderUid: 'folder-1', ...group } }
        : { status: 404, data: { message: 'rule group not found' } };
    answers['POST /api/v1/provisioning/alert-rules'] = () => {
      // Another user created a rule in the same new group after this form found it missing.
      group.rules.push({ uid: 'rule-of-another-user' }, { uid: 'rule-7' });
      group.interval = 60;
      return { status: 201, data: { uid: 'rule-7' } };
    };
    answers[`PUT ${GROUP_URL}`] = (request) => {
      const body = request.data as { interval: number; rules?: Array<{ uid: string }> };
      group.interval = body.interval;
      group.rules = body.rules?.map(({ uid }) => ({ uid })) ?? group.rules;
      return { status: 200, data: {} };
    };
    openForm();
    await fillAndSubmit();

    expect(await screen.findByTestId(testIds.alertRule.resultLink)).toBeInTheDocument();
    expect(group).toEqual({ interval: 300, rules: [{ uid: 'rule-of-another-user' }, { uid: 'rule-7' }] });
  });

  it("says the rule was created when only its new group's interval could not be set, and why: no second rule", async () => {
    // A review: the PUT failing (a 400, a 403 in that folder) showed "The alert rule was not created" for a rule that
    // existed and ran at Grafana's default interval; a second click made a duplicate.
    answers[`PUT ${GROUP_URL}`] = { status: 400, data: { message: 'invalid interval: below the minimum interval 1m' } };
    openForm();
    await fillAndSubmit();

    expect(await screen.findByTestId(testIds.alertRule.resultLink)).toHaveAttribute(
      'href',
      '/alerting/grafana/rule-7/view'
    );
    expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'created');
    expect(screen.getByTestId(testIds.alertRule.intervalNotSet)).toHaveTextContent(
      /kept Grafana's default evaluation interval: setting the interval failed \(.*invalid interval: below the minimum interval 1m.*\)/
    );
    expect(screen.queryByTestId(testIds.alertRule.submit)).not.toBeInTheDocument();
  });

  it("makes an online panel's rule fire at once and keep firing 10m (one incident, one alert), as the provisioned rules do", async () => {
    // Online flags mark the minutes an incident starts and changes: without keep_firing_for such a rule resolved at
    // the next evaluation and fired again at the next flag, several notifications per incident.
    openForm({ online: true, minConsecutive: 3 });
    await fillAndSubmit();
    await screen.findByTestId(testIds.alertRule.resultLink);
    const post = requests.find((r) => r.url === '/api/v1/provisioning/alert-rules')!;
    expect(post.data).toMatchObject({ for: '0s', keep_firing_for: '10m' });
    expect((post.data as { annotations: { description: string } }).annotations.description).toContain(
      'scored online (each point from the points before it'
    );
    expect(String((post.data as { data: Array<{ model: { expr: string } }> }).data[0].model.expr)).toContain(
      'online=true'
    );
    expect(screen.queryByTestId(testIds.alertRule.batchHint)).not.toBeInTheDocument();
  });

  it("says a batch panel's rule scores in batch, and keeps firing only when asked to", async () => {
    openForm();
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    expect(screen.getByTestId(testIds.alertRule.batchHint)).toHaveTextContent('Turn on Online');
    expect(screen.getByTestId(testIds.alertRule.keepFiringFor)).toHaveValue('0s');
    await fillAndSubmit();
    await screen.findByTestId(testIds.alertRule.resultLink);
    const post = requests.find((r) => r.url === '/api/v1/provisioning/alert-rules')!;
    expect(post.data).not.toHaveProperty('keep_firing_for');
    expect((post.data as { annotations: { description: string } }).annotations.description).toContain('trained on');
  });

  it('validates keep firing for', async () => {
    openForm({ online: true });
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    await choose(testIds.alertRule.folder, 'Infrastructure');
    fireEvent.change(screen.getByTestId(testIds.alertRule.keepFiringFor), { target: { value: 'a while' } });

    expect(screen.getByText('A duration such as 0s, 10m or 1h')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
  });

  it("expands the query's variables as the panel's scope and data source would: a repeated panel's own value, a multi-value variable as a regex", async () => {
    // A host-contract review: the rule of a repeated panel got the dashboard's "All", and a multi-value variable the
    // glob {a,b}, which no regex matcher matches.
    const seen: unknown[] = [];
    setTemplateSrv({
      replace: (text: string, scopedVars: ScopedVars, format: (value: unknown, variable: object) => string) => {
        seen.push(scopedVars);
        return text
          .replace('$job', format(['node', 'push.gw'], { multi: true }))
          .replace('$instance', format(String(scopedVars.instance?.value), {}));
      },
    } as unknown as TemplateSrv);
    const sceneObject = { value: { panel: 'clone 2' }, text: '' };
    openForm({}, 'rate(cpu{job=~"$job",instance="$instance"}[$__rate_interval])', {
      instance: { text: 'web-2', value: 'web-2' },
      __sceneObject: sceneObject,
    });
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    expect(screen.getByTestId(testIds.alertRule.expression)).toHaveTextContent(
      'rate(cpu{job=~"(node|push\\\\.gw)",instance="web-2"}[$__rate_interval])'
    );
    expect(seen.every((vars) => (vars as ScopedVars).__sceneObject === sceneObject)).toBe(true);
  });

  it.each(['$__from', '${__to:date:iso}', '${ __from }'])(
    "refuses a query that reads the panel's time range (%s): the rule's evaluation would not expand it",
    async (variable) => {
      // A review: Grafana's Prometheus backend expands $__interval, $__range, $__rate_interval(_ms) at evaluation
      // (pkg/promlib/models/query.go), not $__from / $__to, which the panel's scope froze into the rule.
      openForm({}, `max_over_time(cpu[5m]) and time() > ${variable} / 1000`);
      await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
      expect(screen.getByTestId(testIds.alertRule.expressionProblem)).toHaveTextContent(
        /The query uses \$__(from|to), the panel's time range: an alert rule's evaluation does not expand it/
      );
      expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
    }
  );

  it('lets an Editor (no datasources:read) create the rule: the anomaly datasource is not read over the API', async () => {
    role = 'Editor';
    openForm();
    await fillAndSubmit();

    expect(await screen.findByTestId(testIds.alertRule.resultLink)).toHaveAttribute(
      'href',
      '/alerting/grafana/rule-7/view'
    );
    expect(requests.filter((r) => r.url.startsWith('/api/datasources'))).toEqual([]);
    expect(screen.queryByText(PERMISSION_MESSAGE)).not.toBeInTheDocument();
  });

  it('names a configured uid that is not a Prometheus datasource', async () => {
    instanceSettings['anomaly-ds'] = { uid: 'anomaly-ds', name: 'Influx', type: 'influxdb', jsonData: {} };
    openForm();

    expect(await screen.findByTestId(testIds.alertRule.error)).toHaveTextContent(
      'Datasource "Influx" (uid anomaly-ds) is of type influxdb'
    );
  });

  it('joins an existing group without changing its interval', async () => {
    answers[`GET ${GROUP_URL}`] = {
      status: 200,
      data: { title: 'x', folderUid: 'folder-1', interval: 300, rules: [] },
    };
    openForm();
    await fillAndSubmit();

    expect(await screen.findByTestId(testIds.alertRule.resultLink)).toBeInTheDocument();
    expect(requests.map((r) => r.method ?? 'GET')).not.toContain('PUT');
  });

  it('offers the folders the user may edit at every level, a nested one under its parent', async () => {
    openForm();
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    expect(requests.find((r) => r.url === '/api/search')?.params).toMatchObject({
      type: 'dash-folder',
      permission: 'Edit',
    });
    await openList(testIds.alertRule.folder);
    expect(await screen.findByRole('option', { name: 'Infrastructure / Databases' })).toBeInTheDocument();
    expect(screen.getByRole('option', { name: 'Infrastructure' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'Finance' })).not.toBeInTheDocument();
  });

  it("says the app's access is missing when Grafana refuses its settings", async () => {
    answers['GET /api/plugins/telemetry-analyzer-app/settings'] = { status: 403, data: { message: 'Access Denied' } };
    openForm();
    expect(await screen.findByTestId(testIds.alertRule.error)).toHaveTextContent(APP_ACCESS_MESSAGE);
    expect(screen.queryByText(PERMISSION_MESSAGE)).not.toBeInTheDocument();
  });

  it('says which permission is missing when Grafana answers 403', async () => {
    answers['POST /api/v1/provisioning/alert-rules'] = { status: 403, data: { message: 'permissions missing' } };
    openForm();
    await fillAndSubmit();

    expect(await screen.findByTestId(testIds.alertRule.error)).toHaveTextContent(PERMISSION_MESSAGE);
    expect(screen.queryByTestId(testIds.alertRule.resultLink)).not.toBeInTheDocument();
  });

  it('says how to add the anomaly datasource when its uid is unknown', async () => {
    answers['GET /api/plugins/telemetry-analyzer-app/settings'] = { status: 200, data: { jsonData: {} } };
    openForm();

    const error = await screen.findByTestId(testIds.alertRule.error);
    expect(error).toHaveTextContent('There is no datasource with uid "telemetry-anomaly"');
    expect(screen.getByRole('link', { name: 'Open the app configuration' })).toHaveAttribute(
      'href',
      '/plugins/telemetry-analyzer-app'
    );
    expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'load-error');
    expect(screen.queryByTestId(testIds.alertRule.submit)).not.toBeInTheDocument();
  });

  it('refuses panel settings the proxy cannot reproduce, before anything is sent', async () => {
    openForm({ maxSamples: 64 });
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    await choose(testIds.alertRule.folder, 'Infrastructure');

    expect(screen.getByTestId(testIds.alertRule.expressionProblem)).toHaveTextContent('set Max samples to auto');
    expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
  });

  it("warns of options past the proxy's default cost limits (the rule would fail at every evaluation) and still offers it", async () => {
    // A review: window 2000 from the panel made a rule the proxy answered 400 ("more than limits.maxWindow").
    openForm({ window: 2000, lags: 101, trees: 1000 });
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    const warning = screen.getByTestId(testIds.alertRule.costLimitWarning);
    expect(warning).toHaveTextContent('window=2000 (limits.maxWindow: 1440), lags=101 (limits.maxLags: 100)');
    expect(warning).not.toHaveTextContent('trees');
    expect(screen.getByTestId(testIds.alertRule.expression)).toHaveTextContent('window=2000');
  });

  it('warns of nothing within the default limits', async () => {
    openForm();
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    expect(screen.queryByTestId(testIds.alertRule.costLimitWarning)).not.toBeInTheDocument();
  });

  it("refuses an evaluation interval below Grafana's [unified_alerting] min_interval", async () => {
    const saved = config.unifiedAlerting;
    config.unifiedAlerting = { ...saved, minInterval: '1m' };
    try {
      openForm();
      await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
      await choose(testIds.alertRule.folder, 'Infrastructure');
      fireEvent.change(screen.getByTestId(testIds.alertRule.evaluationInterval), { target: { value: '30s' } });
      expect(screen.getByText("At least 1m: this Grafana's shortest evaluation interval")).toBeInTheDocument();
      expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
      fireEvent.change(screen.getByTestId(testIds.alertRule.evaluationInterval), { target: { value: '2m' } });
      expect(screen.queryByText(/this Grafana's shortest evaluation interval/)).not.toBeInTheDocument();
    } finally {
      config.unifiedAlerting = saved;
    }
  });

  it('validates the evaluation interval and the pending period', async () => {
    openForm();
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    await choose(testIds.alertRule.folder, 'Infrastructure');
    fireEvent.change(screen.getByTestId(testIds.alertRule.evaluationInterval), { target: { value: '15s' } });
    fireEvent.change(screen.getByTestId(testIds.alertRule.pendingPeriod), { target: { value: 'soon' } });

    expect(screen.getByText('A multiple of 10s, such as 30s, 1m or 5m')).toBeInTheDocument();
    expect(screen.getByText('A duration such as 0s, 2m or 1h')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
  });

  // Grafana reads `for` as a prometheus/common model.Duration (pkg/services/ngalert/api/tooling/definitions/
  // provisioning_alert_rules.go): units descending, each once; anything else is a 400 after submitting.
  it.each(['30s1m', '1m1m', '1.5m'])('refuses the pending period %s, which Grafana would answer 400', async (text) => {
    openForm();
    await waitFor(() => expect(screen.getByTestId(testIds.alertRule.modal)).toHaveAttribute('data-state', 'ready'));
    fireEvent.change(screen.getByTestId(testIds.alertRule.pendingPeriod), { target: { value: text } });

    expect(screen.getByText('A duration such as 0s, 2m or 1h')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.alertRule.submit)).toBeDisabled();
  });
});
