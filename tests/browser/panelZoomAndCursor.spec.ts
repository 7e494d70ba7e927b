/**
 * The anomaly panel behaves as Grafana's time series panel on a dashboard (public/app/plugins/panel/timeseries/
 * TimeSeriesPanel.tsx in grafana/grafana): dragging across a plot asks the dashboard for that time range
 * (onChangeTimeRange), the series chart and the score pane share their cursor, and with the dashboard's shared
 * crosshair (graph tooltip) the cursor follows the mouse on the dashboard's other panels too, and only then.
 */
import type { Locator, Page } from '@playwright/test';

import { bigPanelRange, generateFramesInPage } from './bigFrames';
import { expect, test } from './fixtures';
import { DRAWN_Y_AXES_ATTRIBUTE } from '../../src/panels/anomaly/testIds';
import { anomalyPanelModulePath, byTestId, panelContainer, testIds } from './panelDriver';

const PANEL = { series: 2, points: 600, stepMs: 60_000, startMs: Date.UTC(2025, 0, 1) };
const RANGE = bigPanelRange(PANEL);
const SPAN = RANGE.toMs - RANGE.fromMs;

async function renderPanels(page: Page, cursorSync: number, extraPanels: number): Promise<void> {
  await page.evaluate(
    ({ modulePath, range, cursorSync, extraPanels }) => {
      const frames = window.__bigFrames as never[];
      return window.__host.renderPanel({
        modulePath,
        series: frames,
        extraPanels: Array.from({ length: extraPanels }, () => frames),
        cursorSync: cursorSync as never,
        timeRange: range,
        width: 640,
        height: 360,
        options: { contamination: 0.01 },
      });
    },
    { modulePath: anomalyPanelModulePath, range: RANGE, cursorSync, extraPanels }
  );
  const containers = page.locator(byTestId(testIds.panel.container));
  await expect(containers).toHaveCount(1 + extraPanels, { timeout: 60_000 });
  for (let k = 0; k <= extraPanels; k++) {
    await expect(containers.nth(k)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  }
}

/** uPlot's event overlay of the first plot under `area` (the series chart or the score pane). */
function overlay(area: Locator): Locator {
  return area.locator('.u-over').first();
}

/** The plotting areas (uPlot's overlays) of the series chart and the score pane. */
function plottingAreas(page: Page): [Locator, Locator] {
  return [
    overlay(page.locator(byTestId(testIds.panel.chart))),
    overlay(page.locator(byTestId(testIds.panel.scorePane))),
  ];
}

/** How far apart the two plotting areas' left edges and widths are (px); undefined until both are laid out. */
async function misalignment(areas: [Locator, Locator]): Promise<[number, number] | undefined> {
  const [chart, scores] = await Promise.all(areas.map((area) => area.boundingBox()));
  return chart && scores ? [Math.abs(chart.x - scores.x), Math.abs(chart.width - scores.width)] : undefined;
}

/**
 * Where uPlot drew the vertical cursor line of the first plot under `area`, as a fraction of its plotting width
 * (uPlot places it by a translate and marks it u-off when it is off the plot); null when it is not shown.
 */
function cursorAt(area: Locator): Promise<number | null> {
  return area.evaluate((element) => {
    const plot = element.querySelector('.uplot');
    const line = plot?.querySelector<HTMLElement>('.u-cursor-x');
    const over = plot?.querySelector<HTMLElement>('.u-over');
    const x = /translate\(([-\d.]+)px/.exec(line?.style.transform ?? '');
    if (!line || !over || !x || line.classList.contains('u-off')) {
      return null;
    }
    return Number(x[1]) / over.clientWidth;
  });
}

test('dragging across the series chart or the score pane zooms the dashboard to the range selected', async ({
  host,
}) => {
  await host.open();
  await generateFramesInPage(host.page, PANEL);
  await renderPanels(host.page, 0, 0);
  const requests = () => host.page.evaluate(() => window.__host.observations().timeRangeChangeRequests);
  const areas = [byTestId(testIds.panel.chart), byTestId(testIds.panel.scorePane)];
  for (const [k, area] of areas.entries()) {
    const box = (await overlay(host.page.locator(area)).boundingBox())!;
    const y = box.y + box.height / 2;
    await host.page.mouse.move(box.x + box.width * 0.25, y);
    await host.page.mouse.down();
    await host.page.mouse.move(box.x + box.width * 0.5, y, { steps: 6 });
    await host.page.mouse.up();
    await expect.poll(async () => (await requests()).length, `a drag across ${area}`).toBe(k + 1);
    const { from, to } = (await requests())[k];
    // The selection's ends in time, within a few pixels (the drag's first step may land a pixel or two on).
    expect((from - RANGE.fromMs) / SPAN).toBeCloseTo(0.25, 1);
    expect((to - RANGE.fromMs) / SPAN).toBeCloseTo(0.5, 1);
  }
  // A click is not a zoom.
  const box = (await overlay(host.page.locator(areas[0])).boundingBox())!;
  await host.page.mouse.click(box.x + box.width * 0.7, box.y + box.height / 2);
  await host.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  expect((await requests()).length).toBe(2);
  expect(host.errors).toEqual([]);
});

for (const [cursorSync, name] of [
  [0, 'off'],
  [1, 'shared crosshair'],
] as const) {
  test(`the cursor with the dashboard's graph tooltip ${name}: the score pane follows the chart, other panels ${
    cursorSync ? 'follow too' : 'do not'
  }`, async ({ host }) => {
    await host.open();
    await generateFramesInPage(host.page, PANEL);
    await renderPanels(host.page, cursorSync, 1);
    const [first, other] = [0, 1].map((k) => panelContainer(host.page).nth(k));
    const box = (await overlay(first.locator(byTestId(testIds.panel.chart))).boundingBox())!;
    await host.page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await expect.poll(() => cursorAt(first.locator(byTestId(testIds.panel.chart)))).toBeCloseTo(0.4, 1);
    // The score pane's plot is as wide as the chart's (one y axis width): the same time, at the same fraction.
    await expect.poll(() => cursorAt(first.locator(byTestId(testIds.panel.scorePane)))).toBeCloseTo(0.4, 1);
    if (cursorSync) {
      await expect.poll(() => cursorAt(other.locator(byTestId(testIds.panel.chart)))).toBeCloseTo(0.4, 1);
      await expect.poll(() => cursorAt(other.locator(byTestId(testIds.panel.scorePane)))).toBeCloseTo(0.4, 1);
    } else {
      // Give a wrongly synced cursor the time to show: the first panel's score pane moved, so the sync has run.
      expect(await cursorAt(other.locator(byTestId(testIds.panel.chart)))).toBeNull();
      expect(await cursorAt(other.locator(byTestId(testIds.panel.scorePane)))).toBeNull();
    }
    expect(host.errors).toEqual([]);
  });
}

for (const [scale, labels] of [
  [1e6, 'wider'],
  [0.1, 'narrower'],
] as const) {
  test(`the score pane's plotting area lines up with the chart's when the chart's y axis labels are ${labels} than the scores'`, async ({
    host,
  }) => {
    await host.open();
    await generateFramesInPage(host.page, PANEL);
    await host.page.evaluate((scale) => {
      for (const frame of window.__bigFrames as Array<{ fields: Array<{ type: string; values: number[] }> }>) {
        const values = frame.fields.find((field) => field.type === 'number')!.values;
        values.forEach((value, i) => (values[i] = value * scale));
      }
    }, scale);
    await renderPanels(host.page, 0, 0);
    const areas = plottingAreas(host.page);
    // Each plot lays out its axis once it has data; the one laid out narrower is laid out again.
    await expect.poll(() => misalignment(areas)).toEqual([0, 0]);
    // A time at the same x in both: the cursor over the chart is at the same place over the score pane.
    const box = (await areas[0].boundingBox())!;
    await host.page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await expect.poll(() => cursorAt(host.page.locator(byTestId(testIds.panel.scorePane)))).toBeCloseTo(0.6, 2);
    expect(host.errors).toEqual([]);
  });
}

test('series in two units get an axis each, the second on the right, and the score pane still lines up', async ({
  host,
}) => {
  // One axis for all made a percentage lie flat at the bottom of an axis of gigabytes (Grafana gives each unit one).
  await host.open();
  await generateFramesInPage(host.page, PANEL);
  await host.page.evaluate(() => {
    const frames = window.__bigFrames as Array<{
      fields: Array<{ type: string; values: number[]; config: Record<string, unknown> }>;
    }>;
    frames.forEach((frame, k) => {
      const field = frame.fields.find((f) => f.type === 'number')!;
      field.config.unit = k === 0 ? 'percent' : 'decbytes';
      if (k === 1) {
        field.values.forEach((value, i) => (field.values[i] = value * 1e9));
      }
    });
  });
  await renderPanels(host.page, 0, 0);
  const chartPlot = host.page.locator(`${byTestId(testIds.panel.chart)} .uplot`).first();
  await expect(chartPlot).toHaveAttribute(DRAWN_Y_AXES_ATTRIBUTE, /;/);
  const [percent, bytes] = (await chartPlot.getAttribute(DRAWN_Y_AXES_ATTRIBUTE))!
    .split(';')
    .map((range) => range.split(',').map(Number));
  // The generated values are 50 ± 13 with spikes of +40: the percentage's axis is fitted to them (padded), the
  // bytes' to theirs.
  expect(percent[0]).toBeGreaterThanOrEqual(0);
  expect(percent[1]).toBeLessThan(200);
  expect(bytes[1]).toBeGreaterThan(50e9);
  const areas = plottingAreas(host.page);
  await expect.poll(() => misalignment(areas)).toEqual([0, 0]);
  // The right axis takes room on the right: the plotting area ends well before the plot does.
  const [over, plot] = await Promise.all([areas[0].boundingBox(), chartPlot.boundingBox()]);
  expect(plot!.x + plot!.width - (over!.x + over!.width)).toBeGreaterThan(20);
  // Grafana's legend lists the right axis' series apart, on the right.
  const legend = host.page.locator(byTestId(testIds.panel.legend));
  const [left, right] = await Promise.all(
    ['s0', 's1'].map((s) => legend.getByText(s, { exact: false }).first().boundingBox())
  );
  expect(right!.x).toBeGreaterThan(left!.x + left!.width);
  expect(host.errors).toEqual([]);
});
