// Runs only against a real Grafana (the docker-compose stack), signed in as a user with the Editor role
// (playwright.config.ts, project "editor"). Editors may create alert rules but hold no datasources:read, so
// GET /api/datasources/uid/:uid answers them 403 (Grafana pkg/api/api.go): the form must not depend on it.
import { testIds } from '../../../src/panels/anomaly/testIds';
import { expect, test } from '../fixtures';

test('an Editor opens "Create alert rule" on a provisioned anomaly panel and gets the form', async ({
  gotoDashboardPage,
  page,
}) => {
  const forbidden: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 403) {
      forbidden.push(response.url());
    }
  });
  await gotoDashboardPage({ uid: 'telemetry-anomalies' });
  await page.getByTestId(testIds.alertRule.button).first().click();
  const modal = page.getByTestId(testIds.alertRule.modal);
  await expect(modal).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId(testIds.alertRule.expression)).toContainText('anomaly_flag(');
  expect(forbidden).toEqual([]);
});
