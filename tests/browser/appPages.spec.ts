/**
 * The app's own pages in the built plugin, rendered as Grafana renders them (meta from plugin.json, inside the
 * router Grafana shares): the root page's overview, and the configuration page saving the defaults for new panels
 * through Grafana's plugin settings API (a recording stand-in, recordingGrafanaApi.ts). Run again on Grafana 12.3.3
 * (React 18) and 13.2.3 (React 19) packages by scripts/browser-grafana-versions.sh.
 */
import { testIds } from '../../src/components/testIds';
import { expect, type HostPage, testWithGrafanaApi as test } from './fixtures';
import type { RenderAppRequest } from './host/hostEntry';
import type { RecordingGrafanaApi } from './recordingGrafanaApi';
import { byTestId } from './panelDriver';
import { pluginBasePath, pluginId } from './staticServer';

const APP_MODULE = `${pluginBasePath}/module.js`;
const SETTINGS_PATH = `/api/plugins/${pluginId}/settings`;

/** The app's configuration page with these settings, Grafana answering its save. */
async function openConfigPage(
  host: HostPage,
  grafanaApi: RecordingGrafanaApi,
  request: Omit<RenderAppRequest, 'modulePath' | 'page'>
): Promise<void> {
  grafanaApi.answer('POST', SETTINGS_PATH, { status: 200, body: { message: 'Plugin settings updated' } });
  await host.open();
  await host.page.evaluate(
    ({ modulePath, request }) => window.__host.renderApp({ modulePath, page: 'config', ...request }),
    { modulePath: APP_MODULE, request }
  );
}

test('the app’s page shows its overview', async ({ host }) => {
  await host.open();
  await host.page.evaluate((modulePath) => window.__host.renderApp({ modulePath, page: 'root' }), APP_MODULE);
  await expect(host.page.locator(byTestId(testIds.overview.container))).toBeVisible();
  expect(host.errors).toEqual([]);
});

test('the app’s configuration page saves the default contamination for new panels, then reloads', async ({
  host,
  grafanaApi,
}) => {
  await openConfigPage(host, grafanaApi, {
    jsonData: { anomalyDatasourceUid: 'proxy-ds', defaultContamination: 0.01 },
  });
  const contamination = host.page.locator(byTestId(testIds.appConfig.defaultContamination));
  await expect(contamination).toHaveValue('0.01');
  await expect(host.page.locator(byTestId(testIds.appConfig.datasourceUid))).toHaveValue('proxy-ds');
  await contamination.fill('0.05');
  // Saved, the page reloads, as create-plugin's config page does: Grafana caches the app's settings per page
  // (public/app/features/plugins/pluginSettings.ts), so without a reload the form and the panels keep the old ones.
  const reloaded = host.page.waitForEvent('load');
  await host.page.locator(byTestId(testIds.appConfig.submit)).click();
  await reloaded;
  const [saved] = grafanaApi.requestsTo('POST', SETTINGS_PATH);
  expect(saved.body).toMatchObject({
    enabled: true,
    pinned: true,
    jsonData: { anomalyDatasourceUid: 'proxy-ds', defaultContamination: 0.05 },
  });
  expect(host.errors).toEqual([]);
});

test('the app’s configuration page picks the anomaly datasource among the Prometheus datasources Grafana knows', async ({
  host,
  grafanaApi,
}) => {
  await openConfigPage(host, grafanaApi, {
    jsonData: {},
    datasources: [
      { uid: 'prom-main', name: 'Prometheus', type: 'prometheus', isDefault: true },
      { uid: 'a1b2c3', name: 'Telemetry Anomaly', type: 'prometheus' },
      { uid: 'influx-main', name: 'InfluxDB', type: 'influxdb' },
    ],
  });
  const picker = host.page.locator(byTestId(testIds.appConfig.datasourcePicker));
  await picker.locator('input').click();
  // Only Prometheus datasources are offered: the proxy is one.
  await expect(host.page.getByText('Prometheus (default)', { exact: true })).toBeVisible();
  await expect(host.page.getByText('InfluxDB', { exact: true })).toHaveCount(0);
  await host.page.getByText('Telemetry Anomaly', { exact: true }).click();
  await expect(host.page.locator(byTestId(testIds.appConfig.datasourceUid))).toHaveValue('a1b2c3');
  const reloaded = host.page.waitForEvent('load');
  await host.page.locator(byTestId(testIds.appConfig.submit)).click();
  await reloaded;
  const [saved] = grafanaApi.requestsTo('POST', SETTINGS_PATH);
  expect(saved.body).toMatchObject({ jsonData: { anomalyDatasourceUid: 'a1b2c3' } });
  expect(host.errors).toEqual([]);
});
