/**
 * The chart's lines are where the data is, in each series' colour, and inside the plotting area only. Dense lines (a
 * point per two pixel columns or more) are drawn by the panel into pixels of its own (render/lineRaster.ts), then
 * over the plot: this reads the chart's canvas back and checks each column against the series' values.
 */
import { expect, type HostPage, test } from './fixtures';
import type { PanelFrame } from './frames';
import { DRAWN_FROM_ATTRIBUTE, DRAWN_Y_ATTRIBUTE } from '../../src/panels/anomaly/testIds';
import { byTestId, panelContainer, readRegions, renderAnomalyPanel, testIds } from './panelDriver';

const START_MS = Date.UTC(2025, 0, 1);
const STEP_MS = 60_000;
const POINTS = 1440;
const END_MS = START_MS + (POINTS - 1) * STEP_MS;

/** Two slow waves far apart: each column's line is a short vertical run around the wave's value there. */
const SERIES = [
  { name: 'low', value: (t: number) => 10 + Math.sin((2 * Math.PI * (t - START_MS)) / (POINTS * STEP_MS)) },
  { name: 'high', value: (t: number) => 20 + Math.cos((2 * Math.PI * (t - START_MS)) / (POINTS * STEP_MS)) },
];

function frames(): PanelFrame[] {
  const times = Array.from({ length: POINTS }, (_, k) => START_MS + k * STEP_MS);
  return SERIES.map(({ name, value }) => ({
    name,
    refId: 'A',
    length: POINTS,
    fields: [
      { name: 'Time', type: 'time', values: times, config: { interval: STEP_MS } },
      { name: 'Value', type: 'number', values: times.map(value), labels: { series: name }, config: {} },
    ],
  }));
}

interface ChartPixels {
  width: number;
  height: number;
  /** RGBA bytes of the chart's canvas, base64. */
  data: string;
  /** The plotting area in canvas pixels. */
  area: { left: number; top: number; width: number; height: number };
  yRange: [number, number];
  /** Canvas pixels per CSS pixel (the device pixel ratio). */
  ratio: number;
}

async function expectLinesOnTheData(host: HostPage): Promise<void> {
  await host.open();
  await renderAnomalyPanel(host.page, {
    frames: frames(),
    fromMs: START_MS,
    toMs: END_MS,
    options: { contamination: 0.01 },
  });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const plot = host.page.locator(`${byTestId(testIds.panel.chart)} .uplot`).first();
  await expect(plot).toHaveAttribute(DRAWN_FROM_ATTRIBUTE, String(START_MS), { timeout: 60_000 });

  const pixels: ChartPixels = await plot.evaluate((root, yAttribute) => {
    const canvas = root.querySelector('canvas')!;
    const over = root.querySelector('.u-over')!.getBoundingClientRect();
    const box = canvas.getBoundingClientRect();
    const ratio = canvas.width / box.width;
    const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const [min, max] = root.getAttribute(yAttribute)!.split(',').map(Number);
    return {
      width: canvas.width,
      height: canvas.height,
      // As base64: a canvas of 1 640 x 920 device pixels is 6 M bytes, far more as a JSON array of numbers.
      data: btoa(Array.from(image.data, (byte) => String.fromCharCode(byte)).join('')),
      area: {
        left: Math.round((over.left - box.left) * ratio),
        top: Math.round((over.top - box.top) * ratio),
        width: Math.round(over.width * ratio),
        height: Math.round(over.height * ratio),
      },
      yRange: [min, max],
      ratio,
    };
  }, DRAWN_Y_ATTRIBUTE);

  const { area, yRange, ratio } = pixels;
  const bytes = Buffer.from(pixels.data, 'base64');
  // Anomaly marks (drawn over the lines, 4 px of radius) lie in the shaded regions: their columns are not checked.
  const regions = await readRegions(host.page);
  const underMark = (time: number) =>
    regions.some(({ startMs, endMs }) => {
      const margin = ((6 * ratio) / area.width) * (END_MS - START_MS);
      return time >= startMs - margin && time <= endMs + margin;
    });
  const at = (x: number, y: number) => {
    const i = 4 * (y * pixels.width + x);
    return bytes.subarray(i, i + 4).join(',');
  };
  const rowOf = (value: number) => area.top + ((yRange[1] - value) / (yRange[1] - yRange[0])) * area.height;
  const timeOf = (x: number) => START_MS + ((x + 0.5 - area.left) / area.width) * (END_MS - START_MS);

  const colours: string[] = [];
  for (const { name, value } of SERIES) {
    const middle = area.left + Math.floor(area.width / 2);
    const colour = at(middle, Math.floor(rowOf(value(timeOf(middle)))));
    expect(colour.endsWith(',255'), `${name}: the line's pixel is opaque (${colour})`).toBe(true);
    colours.push(colour);
    // Every column but the plot's two edge columns and those under marks has the series' colour within two rows of
    // its value there.
    const missing: number[] = [];
    let checked = 0;
    for (let x = area.left + 1; x < area.left + area.width - 1; x++) {
      if (underMark(timeOf(x))) {
        continue;
      }
      checked++;
      // The line is as thick as the canvas would stroke it (1 CSS pixel: `ratio` device pixels): a run of at least
      // that many rows of its colour near its value.
      const row = Math.floor(rowOf(value(timeOf(x))));
      let run = 0;
      let longest = 0;
      for (let y = row - 2 * ratio; y <= row + 2 * ratio; y++) {
        run = at(x, y) === colour ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      if (longest < ratio) {
        missing.push(x);
      }
    }
    expect(missing, `${name}: columns without the line near its value`).toEqual([]);
    expect(checked).toBeGreaterThan(area.width * 0.8);
  }
  expect(new Set(colours).size).toBe(SERIES.length);

  // Outside the plotting area (axes, labels, margins) no pixel has a line's colour.
  const outside: string[] = [];
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      const inside = x >= area.left && x < area.left + area.width && y >= area.top && y < area.top + area.height;
      if (!inside && colours.includes(at(x, y))) {
        outside.push(`${x},${y}`);
      }
    }
  }
  expect(outside.slice(0, 10)).toEqual([]);
}

test('dense lines are drawn in their colours where the data is, and nowhere outside the plotting area', async ({
  host,
}) => {
  await expectLinesOnTheData(host);
});

test.describe('on a screen of two device pixels per CSS pixel', () => {
  test.use({ deviceScaleFactor: 2 });

  test('dense lines are drawn two device pixels wide, where the data is, inside the plotting area', async ({
    host,
  }) => {
    await expectLinesOnTheData(host);
  });
});
