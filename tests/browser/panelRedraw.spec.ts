/**
 * A plot on screen is never painted half redrawn: when new data (a dashboard refresh) clears its
 * canvas, its lines, regions and marks are drawn again before the browser paints the next frame. The probe is a
 * requestAnimationFrame loop: its callbacks run right before each frame is painted, so a plot that lacks
 * DRAWN_FROM_ATTRIBUTE there (uPlot's setData removed it, the finished drawing sets it) is painted with its axes and
 * without its lines.
 */
import type { Page } from '@playwright/test';

import { bigPanelRange, generateFramesInPage, renderBigPanel } from './bigFrames';
import { expect, test } from './fixtures';
import { DRAWN_FROM_ATTRIBUTE } from '../../src/panels/anomaly/testIds';
import { anomalyPanelModulePath, byTestId, panelContainer, plotsDrawnFrom, testIds } from './panelDriver';

declare global {
  interface Window {
    /** Frames painted with a plot of the panel not (yet) drawn, since the probe started. */
    __halfDrawnFrames?: number;
    /** Frames seen by the probe since it started. */
    __probedFrames?: number;
  }
}

const PANEL = { series: 3, points: 720, stepMs: 60_000, startMs: Date.UTC(2025, 0, 1) };
const REFRESHES = 12;

async function startProbe(page: Page): Promise<void> {
  await page.evaluate(
    ({ attribute, container }) => {
      window.__halfDrawnFrames = 0;
      window.__probedFrames = 0;
      const probe = () => {
        const plots = document.querySelectorAll(`${container} .uplot`);
        window.__probedFrames!++;
        if ([...plots].some((plot) => !plot.hasAttribute(attribute))) {
          window.__halfDrawnFrames!++;
        }
        requestAnimationFrame(probe);
      };
      requestAnimationFrame(probe);
    },
    { attribute: DRAWN_FROM_ATTRIBUTE, container: byTestId(testIds.panel.container) }
  );
}

async function untilDrawnFrom(page: Page, fromMs: number): Promise<void> {
  await page.waitForFunction(
    `((el) => el && el.getAttribute('data-state') === 'ready' && ${plotsDrawnFrom(fromMs)})(document.querySelector('${byTestId(testIds.panel.container)}'))`,
    undefined,
    { timeout: 60_000 }
  );
}

test.describe('redrawing a plot on screen', () => {
  test('a refresh repaints every plot with its lines: no frame shows a cleared plot', async ({ host }) => {
    await host.open();
    await generateFramesInPage(host.page, PANEL);
    await renderBigPanel(host.page, anomalyPanelModulePath, bigPanelRange(PANEL), { contamination: 0.01 });
    await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await untilDrawnFrom(host.page, PANEL.startMs);

    await startProbe(host.page);
    for (let k = 1; k <= REFRESHES; k++) {
      // A relative range refreshed a step later: one new point per series, the oldest one gone.
      const refreshed = { ...PANEL, startMs: PANEL.startMs + k * PANEL.stepMs };
      await generateFramesInPage(host.page, refreshed);
      await host.page.evaluate(
        (range) => window.__host.setPanelData(window.__bigFrames as never, range),
        bigPanelRange(refreshed)
      );
      await untilDrawnFrom(host.page, refreshed.startMs);
      // Frames keep coming while the page is idle: two more make sure the refresh's last frame was probed.
      const seen = await host.page.evaluate(() => window.__probedFrames!);
      await host.page.waitForFunction((n) => window.__probedFrames! >= n + 2, seen);
    }
    expect(await host.page.evaluate(() => window.__probedFrames)).toBeGreaterThan(REFRESHES);
    expect(await host.page.evaluate(() => window.__halfDrawnFrames)).toBe(0);
  });
});
