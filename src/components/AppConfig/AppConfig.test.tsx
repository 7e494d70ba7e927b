import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  setBackendSrv,
  setDataSourceSrv,
} from '@grafana/runtime';
import { type Observable, of, throwError } from 'rxjs';
import AppConfig, { type AppConfigProps } from './AppConfig';
import { testIds } from 'components/testIds';
import { reloadPage } from './reloadPage';

// jsdom cannot navigate; the reload after a save is recorded instead.
jest.mock('./reloadPage', () => ({ reloadPage: jest.fn() }));

/** Grafana's HTTP API: canned answers by "METHOD url", every request recorded. */
let answers: Record<string, { status: number; data: unknown }>;
let requests: BackendSrvRequest[];

/**
 * What Grafana 12 answers for a health check of a datasource uid it has no datasource for (pkg/api/datasources.go,
 * CheckDatasourceHealthWithUID): 400 "UID is invalid" for a malformed uid (util.IsValidShortUID), else 500 "Unable
 * to load datasource metadata" when the lookup fails; a 404 comes only behind a feature flag.
 */
function unknownDatasourceHealth(url: string): { status: number; data: unknown } | undefined {
  const uid = /^\/api\/datasources\/uid\/([^/]*)\/health$/.exec(url)?.[1];
  if (uid === undefined) {
    return undefined;
  }
  return /^[a-zA-Z0-9\-_]{1,40}$/.test(decodeURIComponent(uid))
    ? { status: 500, data: { message: 'Unable to load datasource metadata' } }
    : { status: 400, data: { message: 'UID is invalid' } };
}

function answer(request: BackendSrvRequest): Observable<unknown> {
  requests.push(request);
  const canned = answers[`${request.method ?? 'GET'} ${request.url}`] ??
    unknownDatasourceHealth(request.url) ?? { status: 404, data: { message: 'not found' } };
  return canned.status < 400
    ? of({ data: canned.data, status: canned.status, ok: true })
    : throwError(() => ({ status: canned.status, data: canned.data }));
}

beforeEach(() => {
  jest.mocked(reloadPage).mockClear();
  requests = [];
  answers = { 'POST /api/plugins/telemetry-analyzer-app/settings': { status: 200, data: {} } };
  setBackendSrv({ fetch: answer } as unknown as BackendSrv);
  // The datasource picker lists what Grafana knows: none here (the browser test picks among some).
  setDataSourceSrv({ getList: () => [], getInstanceSettings: () => undefined } as unknown as DataSourceSrv);
});

function renderConfig(jsonData: object = {}) {
  const props = {
    plugin: {
      meta: {
        id: 'telemetry-analyzer-app',
        name: 'Telemetry Analyzer',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
  render(<AppConfig {...props} />);
}

describe('AppConfig', () => {
  it('shows the defaults when nothing is configured', () => {
    renderConfig();
    expect(screen.getByTestId(testIds.appConfig.datasourceUid)).toHaveValue('telemetry-anomaly');
    expect(screen.getByTestId(testIds.appConfig.proxyUrl)).toHaveValue('');
    expect(screen.getByTestId(testIds.appConfig.defaultContamination)).toHaveValue('0.01');
  });

  it("saves the settings to the app's jsonData", async () => {
    renderConfig({ anomalyDatasourceUid: 'old' });
    fireEvent.change(screen.getByTestId(testIds.appConfig.datasourceUid), { target: { value: ' anomaly-ds ' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.proxyUrl), { target: { value: 'http://proxy:9095' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.defaultContamination), { target: { value: '0.02' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    });

    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      url: '/api/plugins/telemetry-analyzer-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { anomalyDatasourceUid: 'anomaly-ds', proxyUrl: 'http://proxy:9095', defaultContamination: 0.02 },
      },
    });
    expect(screen.getByTestId(testIds.appConfig.saveResult)).toHaveTextContent('Settings saved');
    // Grafana caches the app's settings per page (public/app/features/plugins/pluginSettings.ts): only a reload
    // shows the saved ones here and to the panels.
    expect(reloadPage).toHaveBeenCalledTimes(1);
  });

  it('stays on the page with the error when saving fails', async () => {
    answers['POST /api/plugins/telemetry-analyzer-app/settings'] = {
      status: 403,
      data: { message: 'Permission denied' },
    };
    renderConfig();
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    });
    expect(screen.getByTestId(testIds.appConfig.saveResult)).toHaveTextContent('Saving failed: Permission denied');
    expect(reloadPage).not.toHaveBeenCalled();
  });

  it('does not save a contamination outside 0.001–0.5', () => {
    renderConfig();
    fireEvent.change(screen.getByTestId(testIds.appConfig.defaultContamination), { target: { value: '0.9' } });
    expect(screen.getByText('A number from 0.001 to 0.5')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('runs the datasource health check and shows its answer', async () => {
    answers['GET /api/datasources/uid/anomaly-ds/health'] = {
      status: 200,
      data: { status: 'OK', message: 'Successfully queried the Prometheus API.' },
    };
    renderConfig({ anomalyDatasourceUid: 'anomaly-ds' });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    });
    expect(requests.map((r) => r.url)).toEqual(['/api/datasources/uid/anomaly-ds/health']);
    expect(screen.getByTestId(testIds.appConfig.testResult)).toHaveTextContent(
      'Successfully queried the Prometheus API.'
    );
  });

  it("shows the health check's error, and how to add a missing datasource", async () => {
    answers['GET /api/datasources/uid/anomaly-ds/health'] = {
      status: 400,
      data: { status: 'ERROR', message: 'Post "http://proxy:9095/api/v1/query": dial tcp: connection refused' },
    };
    renderConfig({ anomalyDatasourceUid: 'anomaly-ds' });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    });
    expect(screen.getByTestId(testIds.appConfig.testResult)).toHaveTextContent(
      'dial tcp: connection refused (HTTP 400)'
    );

    fireEvent.change(screen.getByTestId(testIds.appConfig.datasourceUid), { target: { value: 'missing' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    });
    expect(screen.getByTestId(testIds.appConfig.testResult)).toHaveTextContent(
      'There is no datasource with uid "missing"'
    );
  });

  it.each([
    ['an unknown uid (Grafana: 500 "Unable to load datasource metadata")', 'no-such-uid'],
    ['a malformed uid (Grafana: 400 "UID is invalid")', 'not a uid!'],
    ['a 404 (Grafana behind a feature flag)', 'flagged'],
  ])('says the datasource is missing for %s', async (_, uid) => {
    answers['GET /api/datasources/uid/flagged/health'] = { status: 404, data: { message: 'Data source not found' } };
    renderConfig({ anomalyDatasourceUid: uid });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    });
    expect(screen.getByTestId(testIds.appConfig.testResult)).toHaveTextContent(
      `There is no datasource with uid "${uid}"`
    );
  });

  it('shows other server errors as they are', async () => {
    answers['GET /api/datasources/uid/anomaly-ds/health'] = {
      status: 500,
      data: { message: 'Plugin health check failed' },
    };
    renderConfig({ anomalyDatasourceUid: 'anomaly-ds' });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    });
    expect(screen.getByTestId(testIds.appConfig.testResult)).toHaveTextContent('Plugin health check failed (HTTP 500)');
  });
});
