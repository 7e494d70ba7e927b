// Runs only against a real Grafana (the docker-compose stack: `npm run server`, then `npm run e2e`), as admin:
// what provisioning and the plugin loader made of the repository's files, read back through Grafana's HTTP API.
import { testIds } from '../../src/components/testIds';
import pluginJson from '../../src/plugin.json';
import { expect, test } from './fixtures';

test('dashboards and alert rules share one "Telemetry Analyzer" folder', async ({ request }) => {
  const folders = (await (await request.get('/api/folders')).json()) as Array<{ uid: string; title: string }>;
  const ours = folders.filter((folder) => folder.title === 'Telemetry Analyzer');
  expect(ours).toHaveLength(1);
  const dashboard = await (await request.get('/api/dashboards/uid/telemetry-anomalies')).json();
  expect(dashboard.meta.folderUid).toBe(ours[0].uid);
  const rules = (await (await request.get('/api/v1/provisioning/alert-rules')).json()) as Array<{
    uid: string;
    folderUID: string;
  }>;
  const provisioned = rules.filter((rule) => rule.uid.startsWith('telemetry-'));
  expect(provisioned.length).toBeGreaterThan(0);
  expect(new Set(provisioned.map((rule) => rule.folderUID))).toEqual(new Set([ours[0].uid]));
});

test('the app is "Telemetry Analyzer" with its nested panel loaded', async ({ request }) => {
  const app = await (await request.get(`/api/plugins/${pluginJson.id}/settings`)).json();
  expect(app.name).toBe('Telemetry Analyzer');
  const panel = await request.get('/api/plugins/telemetry-anomaly-panel/settings');
  expect(panel.ok()).toBe(true);
});

test('the config page says when no datasource has the entered uid (Grafana answers 500 there)', async ({
  appConfigPage,
  page,
}) => {
  await page.getByTestId(testIds.appConfig.datasourceUid).fill('no-such-datasource');
  await page.getByTestId(testIds.appConfig.testConnection).click();
  await expect(page.getByTestId(testIds.appConfig.testResult)).toContainText(
    'There is no datasource with uid "no-such-datasource"'
  );
  expect(appConfigPage).toBeDefined();
});
