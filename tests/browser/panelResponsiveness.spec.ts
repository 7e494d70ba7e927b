/**
 * The panel never freezes the dashboard (issue 11): from new data to the panel reporting done, no main-thread task
 * is long (> 50 ms, the browser's own long-task threshold) at 50 series × 10 000 points and at 1 000 000 points
 * (the cycle ends when every plot has drawn its lines, regions and marks: DRAWN_FROM_ATTRIBUTE),
 * with the worker; the main-thread fallback (CSP without worker-src blob:) stays within 100 ms. Every main-thread task
 * of the whole cycle on the real built panel is measured by its work, the main thread's CPU time in it (a Chromium
 * trace): on a loaded machine the OS stretches tasks of a few ms to hundreds of ms of wall time, which the long-task
 * observer's figures (recorded in test-results/browser/responsiveness.json and in failure messages) include. The
 * garbage collections V8 runs inside a task count as its work, with the worker as with the fallback: the panel
 * allocates little on the main thread now (a refresh copies into buffers the worker handed back), and the
 * memory-reducing major GC of 55-77 ms that used to land in worker cycles has not been over the limit since.
 */
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

import {
  type BigPanel,
  bigPanelRange,
  type CycleMeasure,
  generateFramesInPage,
  measureCycle,
  processFramesInPage,
  renderBigPanel,
  type TracedTask,
  withTracedTasks,
  type WorkerThreadWork,
} from './bigFrames';
import { expect, test } from './fixtures';
import { repositoryRoot } from './host/buildHost';
import { anomalyPanelModulePath, byTestId, panelContainer, plotsDrawnFrom, testIds } from './panelDriver';

const MINUTE = 60_000;
const START = Date.UTC(2025, 0, 1);
const FIFTY_SERIES: BigPanel = { series: 50, points: 10_000, stepMs: MINUTE, startMs: START };
const MILLION: BigPanel = { series: 1, points: 1_000_000, stepMs: 15_000, startMs: START };
const WARM_UP: BigPanel = { series: 1, points: 300, stepMs: MINUTE, startMs: START };
/** Where the figures go; bench 35-panel names another file when it measures an earlier build of the panel. */
const RESULTS =
  process.env.RESPONSIVENESS_RESULTS ?? path.join(repositoryRoot, 'test-results', 'browser', 'responsiveness.json');

/**
 * PANEL_CYCLE_END=ready: the cycle ends when the result is committed (data-state ready), not when the plots have
 * drawn it: for builds before DRAWN_FROM_ATTRIBUTE existed, which bench 35-panel measures beside this one.
 */
const untilReadyOnly = process.env.PANEL_CYCLE_END === 'ready';

/**
 * Refreshes measured one after another (each one step later than the one before): the first is recorded apart, then
 * the warm ones (2 to WARM_REFRESHES + 1) and, when PANEL_REFRESHES asks for more (bench 35-panel: 12), the steady
 * ones after them. V8 still optimises the refresh's code over the first refreshes (traced: 20-85 ms of compiling in
 * each of refreshes 2 to 5 on the 2-core machine, 5-30 ms from the sixth on), so the steady ones are what a dashboard
 * refreshing all day meets. The suite keeps 5: each refresh more is another chance for the page's own garbage (the
 * test makes a million-element frame set per refresh) to be collected inside a measured task.
 */
const WARM_REFRESHES = 4;
const REFRESHES = Math.max(1 + WARM_REFRESHES, Number(process.env.PANEL_REFRESHES ?? 0));
/**
 * PANEL_UNTRACED_REFRESHES=n (bench 35-panel: 7): n more refreshes after those, timed without the Chromium trace.
 * The trace, which the CPU per task comes from, costs the page time of its own (10-18 ms a steady refresh here,
 * alternating runs): these are timed as a user meets them. Only their wall-clock long tasks are seen.
 */
const UNTRACED_REFRESHES = Number(process.env.PANEL_UNTRACED_REFRESHES ?? 0);

function record(name: string, figure: Record<string, unknown>) {
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  const all = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  all[name] = figure;
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + '\n');
}

/**
 * The workers' share of the cycle (CPU time and collections), and V8's optimising compilers' CPU time in the page's
 * renderer meanwhile (optimisingCompileCpuMs), rounded for the record.
 */
function workerFigures(workers: WorkerThreadWork, compileCpuMs: number) {
  return {
    workerCpuMs: Math.round(workers.cpuMs),
    workerCollections: workers.collections,
    workerCollectionMs: Math.round(workers.collectionMs),
    compileCpuMs: Math.round(compileCpuMs),
  };
}

/**
 * The main thread's work per task (thread CPU time, from a Chromium trace of the cycle), next to the wall times the
 * long-task observer sees: on a loaded machine a task of a few ms of work can take over 50 ms of wall time while the
 * OS runs other processes, so the two tell apart work that is too big from a machine that is too busy.
 */
function cpuFigures(tasks: TracedTask[], limitMs: number) {
  const longest = tasks.reduce((max, t) => Math.max(max, t.cpuMs), 0);
  return {
    mainThreadCpuMs: Math.round(tasks.reduce((sum, t) => sum + t.cpuMs, 0)),
    longestTaskCpuMs: Math.round(longest),
    longestTaskWithoutGcCpuMs: Math.round(tasks.reduce((max, t) => Math.max(max, t.cpuMs - t.gcCpuMs), 0)),
    tasksOverLimitCpuMs: tasks.filter((t) => t.cpuMs > limitMs).map((t) => Math.round(t.cpuMs)),
    tasksOverLimitGcCpuMs: tasks.filter((t) => t.cpuMs > limitMs).map((t) => Math.round(t.gcCpuMs)),
    longTasksWithCpuMs: tasks
      .filter((t) => t.wallMs > limitMs)
      .map((t) => `${Math.round(t.wallMs)}/${Math.round(t.cpuMs)}`),
  };
}

const cases: Array<{
  name: string;
  panel: BigPanel;
  fallback: boolean;
  limitMs: number;
  screenshot?: string;
  /** Then a refresh that adds one point per series (models cached, only new rows scored), measured the same way. */
  refresh?: boolean;
}> = [
  {
    name: '50x10000 worker',
    panel: FIFTY_SERIES,
    fallback: false,
    limitMs: 50,
    screenshot: 'anomaly-panel-50-series',
    refresh: true,
  },
  {
    name: '1000000 worker',
    panel: MILLION,
    fallback: false,
    limitMs: 50,
    screenshot: 'anomaly-panel-1m-points',
  },
  {
    name: '50x10000 fallback',
    panel: FIFTY_SERIES,
    fallback: true,
    limitMs: 100,
  },
  {
    name: '1000000 fallback',
    panel: MILLION,
    fallback: true,
    limitMs: 100,
  },
];

// Playwright's trace recorder watches every DOM mutation on the page's main thread (its snapshotter's
// MutationObserver, which ran ~10 ms per refresh in CPU profiles of this spec): its work would land in the tasks
// measured here. The figures in the failure message say what a trace would.
test.use({ trace: 'off' });

test.describe('anomaly panel responsiveness (whole cycle)', () => {
  for (const c of cases) {
    test(`${c.name}: no main-thread task over ${c.limitMs} ms from new data to marks drawn`, async ({ host }, info) => {
      test.setTimeout(240_000);
      await host.open(c.fallback ? { hostPageHeaders: { 'Content-Security-Policy': "worker-src 'none'" } } : {});
      // Load the plugin and start its scorer on a small panel first: that is not the cycle being measured.
      await generateFramesInPage(host.page, WARM_UP);
      await renderBigPanel(host.page, anomalyPanelModulePath, bigPanelRange(WARM_UP));
      await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
      // The workers' warm-up in their idle time after that first job (src/panels/anomaly/worker/warmUp.ts) ends
      // before the measured cycle starts, as it does before a user's next change on a dashboard open for a moment.
      // An earlier build served by bench 35-panel as its reference does not say (no data-warm-up): it starts at once.
      if ((await panelContainer(host.page).getAttribute('data-warm-up')) !== null) {
        await expect(panelContainer(host.page)).toHaveAttribute('data-warm-up', 'idle', { timeout: 60_000 });
      }

      await generateFramesInPage(host.page, c.panel);
      await processFramesInPage(host.page);
      const expectedPoints = Math.floor(c.panel.series * c.panel.points * 0.99);
      // Ready: the result committed (React); done: then every plot has drawn it (lines, regions, marks).
      const ready = `(el) => el && el.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-drawn-series')) === ${c.panel.series} && Number(el.getAttribute('data-scored-points')) > ${expectedPoints}`;
      const {
        result: measure,
        tasks,
        workers,
        compileCpuMs,
      } = await withTracedTasks(host.page, () =>
        measureCycle(
          host.page,
          byTestId(testIds.panel.container),
          bigPanelRange(c.panel),
          untilReadyOnly ? ready : `(el) => (${ready})(el) && ${plotsDrawnFrom(c.panel.startMs)}`,
          { milestone: ready }
        )
      );
      expect(measure.cycleMs, `the panel never reported done: ${JSON.stringify(measure.reported)}`).not.toBeNaN();
      expect(tasks.length, 'the trace has the main thread tasks').toBeGreaterThan(0);
      const longOnTheWallClock = measure.longTasks.filter((task) => task.duration > c.limitMs);
      const longInWork = tasks.filter((task) => task.cpuMs > c.limitMs);
      await host.page.locator(byTestId(testIds.panel.chart)).waitFor();
      if (c.screenshot) {
        await host.screenshot(c.screenshot);
      }
      const figure = {
        longestTaskMs: Math.round(measure.longestTaskMs),
        longestLongTaskMs: Math.round(Math.max(0, ...measure.longTasks.map((t) => t.duration))),
        longTasks: measure.longTasks.map((t) => Math.round(t.duration)),
        cycleMs: Math.round(measure.cycleMs),
        readyMs: Math.round(measure.milestoneMs),
        ...cpuFigures(tasks, c.limitMs),
        ...workerFigures(workers, compileCpuMs),
        reported: measure.reported,
        browser: `chromium ${host.page.context().browser()?.version()}`,
      };
      record(c.name, figure);
      info.annotations.push({ type: 'responsiveness', description: JSON.stringify(figure) });
      console.log(`${c.name}: ${JSON.stringify(figure)}`);
      type RefreshFigure = ReturnType<typeof cpuFigures> &
        ReturnType<typeof workerFigures> & {
          longestLongTaskMs: number;
          longTasks: number[];
          cycleMs: number;
          readyMs: number;
          reported: Record<string, string>;
        };
      const refreshes: RefreshFigure[] = [];
      // Refresh k: a relative range ("last N") refreshed k steps later: one new point per series, the oldest one
      // gone. Its frames are made in the page first; the returned function measures its cycle.
      const refresh = async (k: number) => {
        const refreshed = { ...c.panel, startMs: c.panel.startMs + k * c.panel.stepMs };
        await generateFramesInPage(host.page, refreshed);
        await processFramesInPage(host.page);
        const refreshReady = `(el) => el && el.getAttribute('data-state') === 'ready' && el.getAttribute('data-range-from') === '${refreshed.startMs}'`;
        return () =>
          measureCycle(
            host.page,
            byTestId(testIds.panel.container),
            bigPanelRange(refreshed),
            untilReadyOnly ? refreshReady : `(el) => (${refreshReady})(el) && ${plotsDrawnFrom(refreshed.startMs)}`,
            { milestone: refreshReady }
          );
      };
      for (let k = 1; c.refresh && k <= REFRESHES; k++) {
        const {
          result: again,
          tasks: refreshTasks,
          workers: refreshWorkers,
          compileCpuMs: refreshCompileCpuMs,
        } = await withTracedTasks(host.page, await refresh(k));
        expect(again.cycleMs, `refresh ${k} never reported done: ${JSON.stringify(again.reported)}`).not.toBeNaN();
        longOnTheWallClock.push(...again.longTasks.filter((task) => task.duration > c.limitMs));
        longInWork.push(...refreshTasks.filter((task) => task.cpuMs > c.limitMs));
        refreshes.push({
          longestLongTaskMs: Math.round(Math.max(0, ...again.longTasks.map((t) => t.duration))),
          longTasks: again.longTasks.map((t) => Math.round(t.duration)),
          cycleMs: Math.round(again.cycleMs),
          readyMs: Math.round(again.milestoneMs),
          ...cpuFigures(refreshTasks, c.limitMs),
          ...workerFigures(refreshWorkers, refreshCompileCpuMs),
          reported: again.reported,
        });
      }
      const untraced: CycleMeasure[] = [];
      for (let k = REFRESHES + 1; c.refresh && k <= REFRESHES + UNTRACED_REFRESHES; k++) {
        const again = await (await refresh(k))();
        expect(again.cycleMs, `refresh ${k} never reported done: ${JSON.stringify(again.reported)}`).not.toBeNaN();
        longOnTheWallClock.push(...again.longTasks.filter((task) => task.duration > c.limitMs));
        untraced.push(again);
      }
      if (untraced.length > 0) {
        const figure = {
          cyclesMs: untraced.map((r) => Math.round(r.cycleMs)),
          readiesMs: untraced.map((r) => Math.round(r.milestoneMs)),
          longestLongTaskMs: Math.round(Math.max(0, ...untraced.flatMap((r) => r.longTasks.map((t) => t.duration)))),
        };
        record(`${c.name} refresh +1 point, steady untraced`, figure);
        console.log(`${c.name} refresh +1 point, steady untraced: ${JSON.stringify(figure)}`);
      }
      if (refreshes.length > 0) {
        // The first refresh runs code paths for the first time (compiled as they go); a dashboard that refreshes
        // every few seconds meets them warm from the second on: both are recorded.
        record(`${c.name} refresh +1 point`, refreshes[0]);
        console.log(`${c.name} refresh +1 point: ${JSON.stringify(refreshes[0])}`);
        // Each refresh's times (bench 35-panel takes their median).
        const figureOf = (some: RefreshFigure[]) => ({
          cyclesMs: some.map((r) => r.cycleMs),
          readiesMs: some.map((r) => r.readyMs),
          longestLongTaskMs: Math.max(...some.map((r) => r.longestLongTaskMs)),
          longestTaskCpuMs: Math.max(...some.map((r) => r.longestTaskCpuMs)),
          longestTaskWithoutGcCpuMs: Math.max(...some.map((r) => r.longestTaskWithoutGcCpuMs)),
          workerCpusMs: some.map((r) => r.workerCpuMs),
          workerCollectionsEach: some.map((r) => r.workerCollections),
          compileCpusMs: some.map((r) => r.compileCpuMs),
        });
        const warm = figureOf(refreshes.slice(1, 1 + WARM_REFRESHES));
        record(`${c.name} refresh +1 point, warm`, warm);
        console.log(`${c.name} refresh +1 point, warm: ${JSON.stringify(warm)}`);
        if (refreshes.length > 1 + WARM_REFRESHES) {
          const steady = figureOf(refreshes.slice(1 + WARM_REFRESHES));
          record(`${c.name} refresh +1 point, steady`, steady);
          console.log(`${c.name} refresh +1 point, steady: ${JSON.stringify(steady)}`);
        }
      }
      await expect(host.page.locator(byTestId(testIds.panel.workerFallbackNotice))).toHaveCount(c.fallback ? 1 : 0);
      expect(host.errors.filter((error) => !/Content Security Policy/i.test(error))).toEqual([]);
      // The wall-clock long tasks are in the message, not asserted: on a loaded machine they are the OS's doing.
      expect({ longOnTheWallClock, longInWork }).toEqual({ longOnTheWallClock, longInWork: [] });
    });
  }
});
