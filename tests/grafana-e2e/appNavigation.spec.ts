// Runs only against a real Grafana (the docker-compose stack: `npm run server`, then `npm run e2e`).
import { testIds } from '../../src/components/testIds';
import { ROUTES } from '../../src/constants';
import { test, expect } from './fixtures';

test('the overview page explains the panel and alerting', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Overview}`);
  await expect(page.getByTestId(testIds.overview.container)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Add the Anomaly panel' })).toBeVisible();
});
