/**
 * Several anomaly panels on one dashboard. Their workers share the page's cores through one warm-up queue
 * (src/panels/anomaly/worker/warmUpQueue.ts): a panel's idle workers warm up only on a core no job of the page is
 * using, and a job that starts on a full page stops the latest warm-up. Whatever the queue decides, every panel must
 * finish, and each must show what it shows alone: same data + same options + same seed ⇒ the same anomalies.
 */
import type { Page } from '@playwright/test';

import { type BigPanel, bigPanelRange, generateFramesInPage } from './bigFrames';
import { expect, test } from './fixtures';
import { anomalyPanelModulePath, byTestId, testIds } from './panelDriver';

const MINUTE = 60_000;
/** Three panels' worth of series, generated together; panel k shows series [k * PER_PANEL, (k + 1) * PER_PANEL). */
const ALL: BigPanel = { series: 3 * 8, points: 4000, stepMs: MINUTE, startMs: Date.UTC(2025, 0, 1) };
const PER_PANEL = 8;
const PANELS = 3;

/** What one panel shows: its state, its anomaly count and its shaded regions (series and bounds). */
interface PanelOutcome {
  state: string | null;
  anomalies: number;
  regions: string[];
}

/** Renders the panels showing the frame groups `groups` (indexes into the three groups), the first one the host's. */
async function renderDashboard(page: Page, groups: number[]): Promise<void> {
  await page.evaluate(
    ({ modulePath, groups, perPanel, range }) => {
      const frames = window.__bigFrames as never[];
      const group = (k: number) => frames.slice(k * perPanel, (k + 1) * perPanel);
      return window.__host.renderPanel({
        modulePath,
        series: group(groups[0]),
        extraPanels: groups.slice(1).map(group),
        timeRange: range,
        width: 560,
        height: 300,
        options: { contamination: 0.01 },
      });
    },
    { modulePath: anomalyPanelModulePath, groups, perPanel: PER_PANEL, range: bigPanelRange(ALL) }
  );
}

/** Each panel container's outcome, in page order, once every one of `count` panels is ready. */
async function panelOutcomes(page: Page, count: number): Promise<PanelOutcome[]> {
  const containers = page.locator(byTestId(testIds.panel.container));
  await expect(containers).toHaveCount(count, { timeout: 60_000 });
  for (let k = 0; k < count; k++) {
    await expect(containers.nth(k)).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  }
  return containers.evaluateAll(
    (elements, ids) =>
      elements.map((container) => ({
        state: container.getAttribute('data-state'),
        anomalies: Number(
          container.querySelector(`[data-testid="${ids.summary}"]`)?.getAttribute('data-anomaly-count') ?? NaN
        ),
        regions: [...container.querySelectorAll(`[data-testid="${ids.region}"]`)].map(
          (region) => `${region.getAttribute('data-series')}: ${region.getAttribute('data-regions')}`
        ),
      })),
    { summary: testIds.panel.summary, region: testIds.panel.region }
  );
}

test('three anomaly panels on one dashboard all finish, each with the anomalies it shows alone', async ({ host }) => {
  test.setTimeout(300_000);
  await host.open();
  await generateFramesInPage(host.page, ALL);

  const alone: PanelOutcome[] = [];
  for (let k = 0; k < PANELS; k++) {
    await renderDashboard(host.page, [k]);
    const [outcome] = await panelOutcomes(host.page, 1);
    // The generated series hold spikes: a panel that found none would make the comparison below empty.
    expect(outcome.anomalies).toBeGreaterThan(0);
    expect(outcome.regions.length).toBeGreaterThan(0);
    alone.push(outcome);
  }
  // A fresh page, so that no worker of the single panels is left warm for the dashboard.
  await host.open();
  await generateFramesInPage(host.page, ALL);
  await renderDashboard(host.page, [0, 1, 2]);
  expect(await panelOutcomes(host.page, PANELS)).toEqual(alone);
  expect(host.errors).toEqual([]);
});
