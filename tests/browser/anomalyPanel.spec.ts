/**
 * The built anomaly panel in the Grafana-like host, fed with frames converted from real Prometheus and InfluxDB
 * answers: markers at the injected anomalies, scoring in a Web Worker without blocking the main thread, the
 * main-thread fallback when workers are blocked, and contamination from the real options editor.
 */
import type { Page, Worker } from '@playwright/test';

import { expect, type HostPage, test } from './fixtures';
import { type PanelFrame, queryInfluxQLFrames, queryPrometheusFrames } from './frames';
import {
  byTestId,
  panelContainer,
  plotsDrawnFrom,
  readAnomalyCount,
  readPanelTimeline,
  readRegions,
  renderAnomalyPanel,
  type RenderedRegion,
  startPanelTimeline,
  testIds,
} from './panelDriver';
import { INFLUX_MEASUREMENT, METRIC_PREFIX, METRICS, STEP_MS, type TelemetryScenario } from './telemetryScenario';
import { withTracedTasks } from './bigFrames';
import { DRAWN_Y_ATTRIBUTE } from '../../src/panels/anomaly/testIds';
import type { InjectedAnomaly } from '../../pkg/cli/src/sample/generateTelemetry';

/** The browser's long-task threshold. */
const LONG_TASK_MS = 50;

const SCORER_WORKER_NAME = 'telemetry-anomaly-scorer';
/** Rolling features can keep a point anomalous for a step after the injected window ends. */
const MATCH_TOLERANCE_MS = STEP_MS;

function prometheusFrames(url: string, scenario: TelemetryScenario): Promise<PanelFrame[]> {
  return queryPrometheusFrames({
    url,
    expr: `{__name__=~"${METRIC_PREFIX}.+"}`,
    startMs: scenario.fromMs,
    endMs: scenario.toMs,
    stepMs: STEP_MS,
  });
}

function influxFrames(url: string, database: string, scenario: TelemetryScenario): Promise<PanelFrame[]> {
  // What Grafana's InfluxQL query builder writes: mean per $__interval (1m here), grouped by the host tag.
  const fields = METRICS.map((metric) => `mean("${metric}") AS "${metric}"`).join(', ');
  const query =
    `SELECT ${fields} FROM "${INFLUX_MEASUREMENT}" ` +
    `WHERE time >= ${scenario.fromMs}ms AND time <= ${scenario.toMs}ms GROUP BY time(1m), "host" fill(null)`;
  return queryInfluxQLFrames({ url, database, query });
}

function isOnSeries(region: RenderedRegion, anomaly: InjectedAnomaly): boolean {
  return region.series.includes(anomaly.host) && anomaly.metrics.some((metric) => region.series.includes(metric));
}

function overlaps(region: RenderedRegion, anomaly: InjectedAnomaly): boolean {
  return region.startMs <= anomaly.end + MATCH_TOLERANCE_MS && region.endMs >= anomaly.start - MATCH_TOLERANCE_MS;
}

/** Injected anomalies that no region of their own series covers, described for the failure message. */
function unmarkedAnomalies(regions: RenderedRegion[], anomalies: InjectedAnomaly[]): string[] {
  return anomalies
    .filter((anomaly) => !regions.some((region) => isOnSeries(region, anomaly) && overlaps(region, anomaly)))
    .map((a) => `${a.kind} on ${a.host} ${new Date(a.start).toISOString()}–${new Date(a.end).toISOString()}`);
}

async function waitUntilReady(page: Page): Promise<void> {
  await expect(panelContainer(page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

function recordWorkers(page: Page): Worker[] {
  const workers: Worker[] = [];
  page.on('worker', (worker) => workers.push(worker));
  return workers;
}

async function expectMarkersAtInjectedAnomalies(host: HostPage, scenario: TelemetryScenario, frames: PanelFrame[]) {
  expect(frames).toHaveLength(scenario.prometheusSeries.length);
  const regions = await readRegions(host.page);
  expect(regions.length).toBeGreaterThan(0);
  expect(unmarkedAnomalies(regions, scenario.anomalies)).toEqual([]);
  return regions;
}

test.describe('anomaly panel', () => {
  test('marks the injected anomalies in Prometheus data, scored in a worker without long main-thread tasks', async ({
    host,
    prometheus,
    scenario,
  }) => {
    const frames = await prometheusFrames(prometheus.url, scenario);
    const workers = recordWorkers(host.page);
    await host.open();
    await startPanelTimeline(host.page);

    // A saved panel (its contamination set): a new one first reads the app's default and rethresholds at it once
    // read, which is not the scoring measured here.
    const { tasks } = await withTracedTasks(host.page, async () => {
      await renderAnomalyPanel(host.page, {
        frames,
        fromMs: scenario.fromMs,
        toMs: scenario.toMs,
        options: { contamination: 0.01 },
      });
      await waitUntilReady(host.page);
    });
    const timeline = await readPanelTimeline(host.page);
    await host.screenshot('anomaly-panel-prometheus-worker');

    await expectMarkersAtInjectedAnomalies(host, scenario, frames);
    // Scored in the inline worker: one, or a pool of them for many series (one per core, see poolSize).
    const urls = workers.map((worker) => worker.url());
    expect(urls.length).toBeGreaterThan(0);
    expect(urls).toEqual(urls.map(() => expect.stringMatching(/^blob:/)));
    await expect(host.page.locator(byTestId(testIds.panel.workerFallbackNotice))).toHaveCount(0);

    // Scoring window: from the first 'loading' to the commit that shows the result. A task that contains the
    // 'ready' commit is the chart's render, not scoring; any task that ended before it falls inside. A task is long
    // when its own work (the main thread's CPU time in it) is over 50 ms: on a busy machine the OS may run other
    // processes in the middle of a 2 ms task, which makes it long on the wall clock (reported, not asserted).
    const loadingAt = timeline.states.find((s) => s.state === 'loading')?.at;
    const readyAt = timeline.states.find((s) => s.state === 'ready')?.at;
    expect(loadingAt, `panel states seen: ${JSON.stringify(timeline.states)}`).toBeDefined();
    expect(readyAt, `panel states seen: ${JSON.stringify(timeline.states)}`).toBeDefined();
    const whileScoring = tasks.filter((task) => task.startMs >= loadingAt! && task.startMs + task.wallMs < readyAt!);
    const longOnTheWallClock = timeline.longTasks.filter(
      (task) => task.startTime >= loadingAt! && task.startTime + task.duration < readyAt!
    );
    expect(tasks.length, 'the trace has the main thread tasks, on the page clock').toBeGreaterThan(0);
    expect(tasks.every((task) => Number.isFinite(task.startMs))).toBe(true);
    expect({
      longOnTheWallClock,
      longInWork: whileScoring.filter((task) => task.cpuMs > LONG_TASK_MS),
    }).toEqual({ longOnTheWallClock, longInWork: [] });
    expect(host.errors).toEqual([]);
  });

  test('marks the injected anomalies in InfluxDB data', async ({ host, influxdb, scenario }) => {
    const frames = await influxFrames(influxdb.url, influxdb.database, scenario);
    await host.open();
    await renderAnomalyPanel(host.page, { frames, fromMs: scenario.fromMs, toMs: scenario.toMs });
    await waitUntilReady(host.page);
    await host.screenshot('anomaly-panel-influxdb-worker');

    await expectMarkersAtInjectedAnomalies(host, scenario, frames);
    await expect(host.page.locator(byTestId(testIds.panel.workerFallbackNotice))).toHaveCount(0);
    expect(host.errors).toEqual([]);
  });

  test('falls back to the main thread when a CSP blocks workers, with a notice and the same markers', async ({
    host,
    prometheus,
    scenario,
    browser,
    staticServer,
  }) => {
    const frames = await prometheusFrames(prometheus.url, scenario);
    const workers = recordWorkers(host.page);
    await host.open({ hostPageHeaders: { 'Content-Security-Policy': "worker-src 'none'" } });
    await renderAnomalyPanel(host.page, { frames, fromMs: scenario.fromMs, toMs: scenario.toMs });
    await waitUntilReady(host.page);
    await host.screenshot('anomaly-panel-main-thread-fallback');

    await expect(host.page.locator(byTestId(testIds.panel.workerFallbackNotice))).toBeVisible();
    expect(workers).toEqual([]);
    // The notice takes what it needs and the charts the rest: the score pane ends inside the panel, not clipped.
    const panelBox = await host.page.locator(byTestId(testIds.panel.container)).boundingBox();
    const scorePaneBox = await host.page.locator(byTestId(testIds.panel.scorePane)).boundingBox();
    expect(scorePaneBox!.y + scorePaneBox!.height).toBeLessThanOrEqual(panelBox!.y + panelBox!.height + 1);
    const fallbackRegions = await expectMarkersAtInjectedAnomalies(host, scenario, frames);
    // The CSP violation report is the browser's console error; nothing else may go wrong.
    expect(host.errors.filter((error) => !/Content Security Policy/i.test(error))).toEqual([]);

    // The same seed and data must give the same anomalies as in the worker (a page without the CSP).
    staticServer.hostPageHeaders = {};
    const workerPage = await browser.newPage();
    try {
      await workerPage.goto(`${staticServer.origin}/`);
      await expect(workerPage.locator('html[data-host-ready="true"]')).toHaveCount(1);
      await renderAnomalyPanel(workerPage, { frames, fromMs: scenario.fromMs, toMs: scenario.toMs });
      await waitUntilReady(workerPage);
      await expect(workerPage.locator(byTestId(testIds.panel.workerFallbackNotice))).toHaveCount(0);
      expect(await readRegions(workerPage)).toEqual(fallbackRegions);
    } finally {
      await workerPage.close();
    }
  });

  test('re-renders with more or fewer anomalies when contamination changes in the options editor', async ({
    host,
    prometheus,
    scenario,
  }) => {
    const frames = await prometheusFrames(prometheus.url, scenario);
    await host.open();
    await renderAnomalyPanel(host.page, { frames, fromMs: scenario.fromMs, toMs: scenario.toMs });
    await waitUntilReady(host.page);
    const defaultCount = await readAnomalyCount(host.page);
    // No contamination of its own: the app's default (0.01 here), shown by the editor, not written into the options.
    await expect(host.page.locator(byTestId(testIds.options.contamination))).toHaveValue('0.01');

    const setContamination = async (value: string) => {
      const input = host.page.locator(byTestId(testIds.options.contamination));
      await input.fill(value);
      await input.blur();
      await expect
        .poll(async () => (await host.page.evaluate(() => window.__host.observations())).options.contamination)
        .toBe(Number(value));
      await waitUntilReady(host.page);
    };

    await setContamination('0.05');
    await expect.poll(() => readAnomalyCount(host.page)).toBeGreaterThan(defaultCount);
    await host.screenshot('anomaly-panel-contamination-0.05');

    await setContamination('0.002');
    await expect.poll(() => readAnomalyCount(host.page)).toBeLessThan(defaultCount);
    await host.screenshot('anomaly-panel-contamination-0.002');
    expect(host.errors).toEqual([]);
  });
});

const MINUTE = 60_000;
const FROM_MS = Date.UTC(2025, 0, 1);

/** A host's Prometheus-like series of `points` points a minute apart from FROM_MS. */
function minuteFrame(host: string, points: number, value: (i: number) => number): PanelFrame {
  return {
    refId: 'A',
    length: points,
    fields: [
      {
        name: 'Time',
        type: 'time',
        values: Array.from({ length: points }, (_, i) => FROM_MS + i * MINUTE),
        config: {},
      },
      {
        name: 'Value',
        type: 'number',
        values: Array.from({ length: points }, (_, i) => value(i)),
        labels: { __name__: 'cpu', host },
        config: {},
      },
    ],
  };
}

/** A slow wave with a spike at point 250. */
const busyValue = (i: number) => 10 + Math.sin(i / 7) + (i === 250 ? 9 : 0);

test('notices of many series never take the chart’s place: they scroll within a third of the panel', async ({
  host,
}) => {
  // One series to draw, and 150 with too few points to analyse: a notice naming each (a review saw the chart at 0 px).
  const frame = (name: string, points: number) => minuteFrame(name, points, busyValue);
  const frames = [frame('good', 300), ...Array.from({ length: 150 }, (_, i) => frame(`short-${i}`, 4))];
  await host.open();
  await renderAnomalyPanel(host.page, { frames, fromMs: FROM_MS, toMs: FROM_MS + 299 * MINUTE });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const panel = (await panelContainer(host.page).boundingBox())!;
  const notices = (await host.page.locator(byTestId(testIds.panel.modelNotice)).locator('..').boundingBox())!;
  // The chart with its legend (the 150 short series are drawn too, unscored: the legend scrolls within its share).
  const chart = (await panelContainer(host.page).locator(byTestId(testIds.panel.chart)).boundingBox())!;
  const plot = (await panelContainer(host.page).locator('.uplot').first().boundingBox())!;
  expect(notices.height).toBeLessThanOrEqual(panel.height * 0.35 + 1);
  expect(chart.height).toBeGreaterThan(panel.height * 0.3);
  expect(plot.height).toBeGreaterThan(chart.height * 0.6);
  expect(host.errors).toEqual([]);
});

test('series no model could analyse are drawn without scores, beside the scored ones or alone, with the reason', async ({
  host,
}) => {
  // Before, they vanished from the chart (a constant error count beside a busy one), or the panel showed only a
  // message (a browser review: values of 1e300, beyond the float32 range the forest works in).
  const POINTS = 300;
  const frame = (host: string, value: (i: number) => number) => minuteFrame(host, POINTS, value);
  const busy = busyValue;
  const shownIn = async (area: string) =>
    JSON.parse(
      (await host.page
        .locator(`${byTestId(area)} .uplot`)
        .first()
        .getAttribute('data-shown-series')) ?? '[]'
    ) as string[];
  const drawnY = async () =>
    (await host.page
      .locator(`${byTestId(testIds.panel.chart)} .uplot`)
      .first()
      .getAttribute(DRAWN_Y_ATTRIBUTE))!
      .split(',')
      .map(Number);
  await host.open();

  await renderAnomalyPanel(host.page, {
    frames: [frame('quiet', () => 0), frame('busy', busy)],
    fromMs: FROM_MS,
    toMs: FROM_MS + (POINTS - 1) * MINUTE,
  });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(host.page.locator(byTestId(testIds.panel.modelNotice))).toContainText('quiet');
  await expect
    .poll(() => shownIn(testIds.panel.chart))
    .toEqual([expect.stringContaining('quiet'), expect.stringContaining('busy')]);
  expect(await shownIn(testIds.panel.scorePane)).toEqual([expect.stringContaining('busy')]);

  await renderAnomalyPanel(host.page, {
    frames: [frame('huge', (i) => busy(i) * 1e300)],
    fromMs: FROM_MS,
    toMs: FROM_MS + (POINTS - 1) * MINUTE,
  });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(host.page.locator(byTestId(testIds.panel.error))).toContainText('float32 range');
  await expect.poll(() => shownIn(testIds.panel.chart)).toEqual([expect.stringContaining('huge')]);
  await expect.poll(drawnY).toEqual([expect.any(Number), expect.any(Number)]);
  const [low, high] = await drawnY();
  expect(low).toBeLessThan(9e300); // the values span about 9e300 to 1.8e301
  expect(high).toBeGreaterThan(1.8e301);
  expect(await host.page.locator(byTestId(testIds.panel.scorePane)).count()).toBe(0);
  expect(host.errors).toEqual([]);
});

test('draws the lines whatever pixel column the range starts in: a relative range refreshed minute by minute', async ({
  host,
}) => {
  // A browser review: 360 points at 1 min in an 820 px panel left the chart blank (its y scale NaN: uPlot's range
  // of the data started from an empty pixel column) on about every fourth refresh.
  const STEP = 60_000;
  const start = Date.UTC(2025, 0, 1);
  const points = 360;
  const frames = (shift: number): PanelFrame[] => [
    {
      refId: 'A',
      length: points,
      fields: [
        {
          name: 'Time',
          type: 'time',
          values: Array.from({ length: points }, (_, i) => start + (i + shift) * STEP),
          config: {},
        },
        {
          name: 'Value',
          type: 'number',
          values: Array.from({ length: points }, (_, i) => 50 + 10 * Math.sin((i + shift) / 20)),
          labels: { __name__: 'cpu' },
          config: {},
        },
      ],
    },
  ];
  await host.open();
  for (let shift = 0; shift < 8; shift++) {
    const fromMs = start + shift * STEP;
    const range = { fromMs, toMs: fromMs + (points - 1) * STEP };
    if (shift === 0) {
      await renderAnomalyPanel(host.page, { frames: frames(0), ...range });
    } else {
      await host.page.evaluate(({ f, r }) => window.__host.setPanelData(f as never, r), { f: frames(shift), r: range });
    }
    await host.page.waitForFunction(
      `((el) => el && el.getAttribute('data-state') === 'ready' && ${plotsDrawnFrom(fromMs)})(document.querySelector('${byTestId(testIds.panel.container)}'))`,
      undefined,
      { timeout: 60_000 }
    );
    const drawnY = await panelContainer(host.page).locator('.uplot').first().getAttribute(DRAWN_Y_ATTRIBUTE);
    const [min, max] = (drawnY ?? '').split(',').map(Number);
    // The shift in what is compared, so a failure says which refresh drew nothing.
    expect({
      shift,
      drawnY,
      fitsTheLine: Number.isFinite(min) && Number.isFinite(max) && min < 40 && max > 60,
    }).toEqual({
      shift,
      drawnY,
      fitsTheLine: true,
    });
  }
  expect(host.errors).toEqual([]);
});

test('the tooltip shows the nearest point wherever the mouse is between points, at its own time', async ({ host }) => {
  // A browser review: over a 150-point series in an 820 px panel, 82 of 100 hovers showed only a time (the hovered
  // pixel column's, which had no point).
  const STEP = 60_000;
  const start = Date.UTC(2025, 0, 1);
  const points = 150;
  const frame: PanelFrame = {
    refId: 'A',
    length: points,
    fields: [
      { name: 'Time', type: 'time', values: Array.from({ length: points }, (_, i) => start + i * STEP), config: {} },
      {
        name: 'Value',
        type: 'number',
        values: Array.from({ length: points }, (_, i) => 50 + 10 * Math.sin(i / 9)),
        labels: { __name__: 'cpu' },
        config: {},
      },
    ],
  };
  await host.open();
  await renderAnomalyPanel(host.page, { frames: [frame], fromMs: start, toMs: start + (points - 1) * STEP });
  await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const over = host.page.locator(byTestId(testIds.panel.chart)).locator('.u-over').first();
  const box = (await over.boundingBox())!;
  const tooltip = host.page.locator(byTestId(testIds.panel.tooltip));
  for (let k = 0; k < 24; k++) {
    // Away first, so what the tooltip says next is this position's.
    await host.page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
    await expect(tooltip).toHaveCount(0);
    await host.page.mouse.move(box.x + box.width * (0.2 + k / 80), box.y + box.height / 2);
    await expect(tooltip).toContainText('cpu');
    // The time of the point shown, on the data's minute grid, not the pixel's (a browser review: 01:00:04).
    await expect(host.page.locator(byTestId(testIds.panel.tooltipTime))).toHaveText(/^2025-01-01 \d\d:\d\d:00$/);
  }
  expect(host.errors).toEqual([]);
});
