/**
 * The anomaly panel's legend on the built panel: a click on a series shows only that series, a click on the only
 * series shown shows them all again, and a ctrl-click toggles one series (Grafana's legend); a hidden series leaves
 * the score pane and the tooltip too. What the plots draw is read from the plots themselves (data-shown-series on
 * uPlot's root, see testIds.panel.chart).
 */
import type { Page } from '@playwright/test';
import { type BigPanel, bigPanelRange, generateFramesInPage, renderBigPanel } from './bigFrames';
import { expect, test } from './fixtures';
import { anomalyPanelModulePath, byTestId, panelContainer, testIds } from './panelDriver';

const PANEL = { series: 3, points: 600, stepMs: 60_000, startMs: Date.UTC(2025, 0, 1) };

/** The panel drawn on `panel`'s frames: what its chart shows (poll it), and its series' labels once all are drawn. */
async function showPanel(page: Page, panel: BigPanel) {
  await generateFramesInPage(page, panel);
  await renderBigPanel(page, anomalyPanelModulePath, bigPanelRange(panel));
  await expect(panelContainer(page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const plot = page.locator(`${byTestId(testIds.panel.chart)} [data-shown-series]`).first();
  const shown = async () => JSON.parse((await plot.getAttribute('data-shown-series')) ?? 'null') as string[];
  await expect.poll(async () => (await shown()).length).toBe(panel.series);
  return { shown, labels: await shown() };
}

/** Hovers the middle of the series chart: its tooltip lists `lists` and not `omits`. */
async function expectTooltipAtMiddle(page: Page, { lists, omits }: { lists: string[]; omits: string }) {
  const over = (await page
    .locator(`${byTestId(testIds.panel.chart)} .u-over`)
    .first()
    .boundingBox())!;
  await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2);
  const tooltip = page.locator(byTestId(testIds.panel.tooltip));
  for (const label of lists) {
    await expect(tooltip).toContainText(label);
  }
  await expect(tooltip).not.toContainText(omits);
}

test('a click on a legend entry shows only that series; again shows all; ctrl-click toggles one', async ({ host }) => {
  await host.open();
  const { shown, labels } = await showPanel(host.page, PANEL);
  const legend = host.page.locator(byTestId(testIds.panel.legend));
  const entry = (label: string) => legend.getByText(label, { exact: true });

  // The header counts what is shown, and all of them while series are hidden.
  const summary = host.page.locator(byTestId(testIds.panel.summary));
  const all = Number(await summary.getAttribute('data-anomaly-count'));
  expect(all).toBeGreaterThan(0);
  await expect(summary).toHaveText(`${all} anomalies`);

  await entry(labels[1]).click();
  await expect.poll(shown).toEqual([labels[1]]);
  const onlyOne = Number(await summary.getAttribute('data-shown-anomaly-count'));
  expect(onlyOne).toBeLessThan(all);
  await expect(summary).toHaveText(`${onlyOne} ${onlyOne === 1 ? 'anomaly' : 'anomalies'} shown (${all} in all)`);
  await entry(labels[1]).click();
  await expect.poll(shown).toEqual(labels);
  await expect(summary).toHaveText(`${all} anomalies`);
  await entry(labels[0]).click({ modifiers: ['Control'] });
  await expect.poll(shown).toEqual([labels[1], labels[2]]);
  await entry(labels[0]).click({ modifiers: ['Control'] });
  await expect.poll(shown).toEqual(labels);
  expect(host.errors).toEqual([]);
});

test('a series hidden in the legend leaves the score pane and the tooltip as well as the chart', async ({ host }) => {
  // A state-transition review: the score pane kept drawing its score and threshold, the tooltip listed it.
  await host.open();
  await generateFramesInPage(host.page, PANEL);
  await renderBigPanel(host.page, anomalyPanelModulePath, bigPanelRange(PANEL));
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const shownIn = (area: string) => async () =>
    JSON.parse(
      (await host.page
        .locator(`${byTestId(area)} [data-shown-series]`)
        .first()
        .getAttribute('data-shown-series')) ?? 'null'
    ) as string[];
  await expect.poll(async () => (await shownIn(testIds.panel.scorePane)()).length).toBe(3);
  const labels = await shownIn(testIds.panel.chart)();
  await host.page
    .locator(byTestId(testIds.panel.legend))
    .getByText(labels[2], { exact: true })
    .click({ modifiers: ['Control'] });
  await expect.poll(shownIn(testIds.panel.chart)).toEqual([labels[0], labels[1]]);
  await expect.poll(shownIn(testIds.panel.scorePane)).toEqual([`${labels[0]} · score`, `${labels[1]} · score`]);
  await expectTooltipAtMiddle(host.page, { lists: [labels[0], labels[1]], omits: labels[2] });
  expect(host.errors).toEqual([]);
});

test('"Hide in area" of a field leaves its series out of the legend or the tooltip only, still drawn', async ({
  host,
}) => {
  // Grafana's time series panel honours custom.hideFrom's three switches; the panel registers them (module.tsx).
  await host.open();
  const fieldConfigs = [{}, { custom: { hideFrom: { legend: true } } }, { custom: { hideFrom: { tooltip: true } } }];
  const { shown, labels } = await showPanel(host.page, { ...PANEL, fieldConfigs });
  const legend = host.page.locator(byTestId(testIds.panel.legend));
  await expect(legend.getByText(labels[0], { exact: true })).toBeVisible();
  await expect(legend.getByText(labels[2], { exact: true })).toBeVisible();
  await expect(legend.getByText(labels[1], { exact: true })).toHaveCount(0);
  await expectTooltipAtMiddle(host.page, { lists: [labels[0], labels[1]], omits: labels[2] });
  expect(await shown()).toEqual(labels);
  expect(host.errors).toEqual([]);
});
