/**
 * Drives the anomaly panel inside the host page and reads what it rendered, through the panel's own test ids
 * (src/panels/anomaly/testIds.ts) and data attributes.
 */
import type { Page } from '@playwright/test';

import { DRAWN_FROM_ATTRIBUTE, testIds } from '../../src/panels/anomaly/testIds';
import type { PanelFrame } from './frames';
import type { BrowserTestHost } from './host/hostEntry';
import { pluginBasePath } from './staticServer';

declare global {
  interface Window {
    __host: BrowserTestHost;
    __panelTimeline?: PanelTimeline;
  }
}

export const anomalyPanelModulePath = `${pluginBasePath}/panels/anomaly/module.js`;
export const byTestId = (id: string) => `[data-testid="${id}"]`;

/**
 * A condition on the panel's container `el` (source text, for measureCycle): every plot in it has drawn everything
 * (lines, regions, threshold, marks) of the range starting at `fromMs` (DRAWN_FROM_ATTRIBUTE), the score pane's plot
 * included when the panel shows a score pane (on a first build its plot comes a task after the chart's).
 */
export const plotsDrawnFrom = (fromMs: number) =>
  `[...el.querySelectorAll('.uplot')].length > 0 && [...el.querySelectorAll('.uplot')].every((p) => p.getAttribute('${DRAWN_FROM_ATTRIBUTE}') === '${fromMs}') && [...el.querySelectorAll('[data-testid="${testIds.panel.scorePane}"]')].every((pane) => pane.querySelector('.uplot'))`;

export interface RenderedRegion {
  series: string;
  startMs: number;
  endMs: number;
}

type RenderPanelRequest = Parameters<BrowserTestHost['renderPanel']>[0];

export async function renderAnomalyPanel(
  page: Page,
  request: {
    frames: PanelFrame[];
    fromMs: number;
    toMs: number;
    options?: Record<string, unknown>;
    /** The panel's data.request (targets, dashboard uid, scoped variables); one target 'A' by default. */
    queryRequest?: RenderPanelRequest['queryRequest'];
    /** Datasources known to getDataSourceSrv(); none by default. */
    datasources?: RenderPanelRequest['datasources'];
    /** Dashboard variables known to getTemplateSrv(); none by default. */
    dashboardVariables?: RenderPanelRequest['dashboardVariables'];
  }
): Promise<void> {
  await page.evaluate(
    ({ modulePath, frames, fromMs, toMs, options, queryRequest, datasources, dashboardVariables }) =>
      window.__host.renderPanel({
        modulePath,
        // PanelFrame is structurally a DataFrame; FieldType's values are the same strings.
        series: frames as unknown as RenderPanelRequest['series'],
        timeRange: { fromMs, toMs },
        width: 820,
        height: 460,
        options,
        queryRequest,
        datasources,
        dashboardVariables,
      }),
    { modulePath: anomalyPanelModulePath, ...request }
  );
}

export async function setPanelData(page: Page, frames: PanelFrame[]): Promise<void> {
  await page.evaluate((series) => window.__host.setPanelData(series as never), frames);
}

export function panelContainer(page: Page) {
  return page.locator(byTestId(testIds.panel.container));
}

/** Every shaded region: each series' element lists its regions as data-regions="start0,end0,start1,end1,...". */
export async function readRegions(page: Page): Promise<RenderedRegion[]> {
  return page.locator(byTestId(testIds.panel.region)).evaluateAll((elements) =>
    elements.flatMap((element) => {
      const series = element.getAttribute('data-series') ?? '';
      const bounds = (element.getAttribute('data-regions') ?? '').split(',').filter(Boolean).map(Number);
      const regions = [];
      for (let i = 0; i + 1 < bounds.length; i += 2) {
        regions.push({ series, startMs: bounds[i], endMs: bounds[i + 1] });
      }
      return regions;
    })
  );
}

export async function readAnomalyCount(page: Page): Promise<number> {
  const text = await page.locator(byTestId(testIds.panel.summary)).getAttribute('data-anomaly-count');
  if (text === null || !Number.isFinite(Number(text))) {
    throw new Error(`The panel summary has no numeric data-anomaly-count (got ${text})`);
  }
  return Number(text);
}

/** What happened on the main thread while the panel scored, as seen by observers registered before it started. */
export interface PanelTimeline {
  /** performance.now() of each data-state the panel container took, in order. */
  states: Array<{ state: string; at: number }>;
  longTasks: Array<{ startTime: number; duration: number }>;
}

/**
 * Registers a 'longtask' PerformanceObserver and a MutationObserver on the panel's data-state before scoring
 * starts (call it before rendering or before changing data/options); readPanelTimeline() collects them.
 */
export async function startPanelTimeline(page: Page): Promise<void> {
  await page.evaluate((containerSelector) => {
    const timeline: PanelTimeline = { states: [], longTasks: [] };
    window.__panelTimeline = timeline;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        timeline.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask' });
    let last: string | null = null;
    const record = () => {
      const state = document.querySelector(containerSelector)?.getAttribute('data-state') ?? null;
      if (state !== null && state !== last) {
        timeline.states.push({ state, at: performance.now() });
        last = state;
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    record();
  }, byTestId(testIds.panel.container));
}

export async function readPanelTimeline(page: Page): Promise<PanelTimeline> {
  // Long-task entries are delivered asynchronously: give the observer a frame to flush.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__panelTimeline)) as PanelTimeline);
}

export { testIds };
