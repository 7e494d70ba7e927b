// Runs only against a real Grafana (the docker-compose stack: `npm run server`, then `npm run e2e`).
import { testIds } from '../../src/components/testIds';
import { test, expect } from './fixtures';

test('saves the anomaly datasource and default contamination', async ({ appConfigPage, page }) => {
  await page.getByTestId(testIds.appConfig.datasourceUid).fill('telemetry-anomaly');
  await page.getByTestId(testIds.appConfig.defaultContamination).fill('0.02');
  const saveResponse = appConfigPage.waitForSettingsResponse();
  await page.getByTestId(testIds.appConfig.submit).click();
  await expect(saveResponse).toBeOK();
});

test('tests the connection to the anomaly datasource', async ({ appConfigPage, page }) => {
  await page.getByTestId(testIds.appConfig.testConnection).click();
  await expect(page.getByTestId(testIds.appConfig.testResult)).toBeVisible();
});
