/**
 * The anomaly panel's legend on the built panel: a click on a series shows only that series, a click on the only
 * series shown shows them all again, and a ctrl-click toggles one series (Grafana's legend); a hidden series leaves
 * the score pane and the tooltip too. What the plots draw is read from the plots themselves (data-shown-series on
 * uPlot's root, see testIds.panel.chart).
 */
import { bigPanelRange, generateFramesInPage, renderBigPanel } from './bigFrames';
import { expect, test } from './fixtures';
import { anomalyPanelModulePath, byTestId, panelContainer, testIds } from './panelDriver';

const PANEL = { series: 3, points: 600, stepMs: 60_000, startMs: Date.UTC(2025, 0, 1) };

test('a click on a legend entry shows only that series; again shows all; ctrl-click toggles one', async ({ host }) => {
  await host.open();
  await generateFramesInPage(host.page, PANEL);
  await renderBigPanel(host.page, anomalyPanelModulePath, bigPanelRange(PANEL));
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const plot = host.page.locator(`${byTestId(testIds.panel.chart)} [data-shown-series]`).first();
  const shown = async () => JSON.parse((await plot.getAttribute('data-shown-series')) ?? 'null') as string[];
  await expect.poll(async () => (await shown()).length).toBe(3);
  const labels = await shown();
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
  const over = (await host.page
    .locator(`${byTestId(testIds.panel.chart)} .u-over`)
    .first()
    .boundingBox())!;
  await host.page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2);
  const tooltip = host.page.locator(byTestId(testIds.panel.tooltip));
  await expect(tooltip).toContainText(labels[0]);
  await expect(tooltip).toContainText(labels[1]);
  await expect(tooltip).not.toContainText(labels[2]);
  expect(host.errors).toEqual([]);
});
