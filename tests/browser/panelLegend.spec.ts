/**
 * The anomaly panel's legend on the built panel: a click on a series shows only that series, a click on the only
 * series shown shows them all again, and a ctrl-click toggles one series (Grafana's legend). What the plot draws is
 * read from the plot itself (data-shown-series on uPlot's root, see testIds.panel.chart).
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

  await entry(labels[1]).click();
  await expect.poll(shown).toEqual([labels[1]]);
  await entry(labels[1]).click();
  await expect.poll(shown).toEqual(labels);
  await entry(labels[0]).click({ modifiers: ['Control'] });
  await expect.poll(shown).toEqual([labels[1], labels[2]]);
  await entry(labels[0]).click({ modifiers: ['Control'] });
  await expect.poll(shown).toEqual(labels);
  expect(host.errors).toEqual([]);
});
