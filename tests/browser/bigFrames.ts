/**
 * Large panels for the responsiveness tests, generated inside the page (so no test data crosses the DevTools
 * protocol while the panel is measured): `series` Prometheus-like frames of `points` points each, a noisy daily
 * sine with a spike every 2003 steps, kept on window.__bigFrames until the test hands them to the panel.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __bigFrames?: unknown[];
  }
}

export interface BigPanel {
  series: number;
  points: number;
  stepMs: number;
  startMs: number;
  /** For multivariate offsets: per series, its own step and start (defaults: stepMs, startMs). */
  perSeries?: Array<{ stepMs: number; startMs: number; points: number }>;
  /** Per series, its value field's config (e.g. custom.hideFrom) [{}]. */
  fieldConfigs?: Array<Record<string, unknown>>;
}

export function bigPanelRange(panel: BigPanel): { fromMs: number; toMs: number } {
  const ends = (panel.perSeries ?? [{ stepMs: panel.stepMs, startMs: panel.startMs, points: panel.points }]).map(
    (s) => s.startMs + (s.points - 1) * s.stepMs
  );
  return { fromMs: panel.startMs, toMs: Math.max(...ends) };
}

export async function generateFramesInPage(page: Page, panel: BigPanel): Promise<void> {
  await page.evaluate((p) => {
    // Values depend on the time and the series only, so a refreshed range repeats the points it shares.
    const noise = (t: number, s: number) => {
      const x = Math.sin(t * 1e-7 * 12.9898 + s * 78.233) * 43758.5453;
      return x - Math.floor(x) - 0.5;
    };
    const frames = [];
    for (let s = 0; s < p.series; s++) {
      const own = p.perSeries?.[s] ?? { stepMs: p.stepMs, startMs: p.startMs, points: p.points };
      const times = new Array<number>(own.points);
      const values = new Array<number>(own.points);
      for (let i = 0; i < own.points; i++) {
        times[i] = own.startMs + i * own.stepMs;
        const k = Math.round(times[i] / own.stepMs);
        const spike = (k + 37 * s) % 2003 === 1000 ? 40 : 0;
        values[i] = 50 + 10 * Math.sin((2 * Math.PI * times[i]) / 86_400_000 + s) + 2 * noise(times[i], s) + spike;
      }
      frames.push({
        refId: 'A',
        length: own.points,
        fields: [
          { name: 'Time', type: 'time', values: times, config: { interval: own.stepMs } },
          {
            name: 'Value',
            type: 'number',
            values,
            labels: { __name__: 'metric', series: `s${s}` },
            config: p.fieldConfigs?.[s] ?? {},
          },
        ],
      });
    }
    window.__bigFrames = frames;
  }, panel);
}

/** Renders the panel on window.__bigFrames (what generateFramesInPage made). */
export async function renderBigPanel(
  page: Page,
  modulePath: string,
  range: { fromMs: number; toMs: number },
  options: Record<string, unknown> = {},
  size = { width: 820, height: 460 }
): Promise<void> {
  await page.evaluate(
    ({ modulePath, range, options, size }) =>
      window.__host.renderPanel({
        modulePath,
        series: window.__bigFrames as never,
        timeRange: range,
        ...size,
        options,
      }),
    { modulePath, range, options, size }
  );
}

/**
 * Runs Grafana's query-runner processing (applyFieldOverrides) on window.__bigFrames ahead of the measured cycle:
 * in Grafana that is the query runner's task, before the panel gets its props.
 */
export async function processFramesInPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__bigFrames = window.__host.processPanelFrames(window.__bigFrames as never);
  });
}

/** What the main thread went through from new data to the panel reporting done. */
export interface CycleMeasure {
  /** Long tasks (> 50 ms, PerformanceObserver 'longtask') from the new data until done. */
  longTasks: Array<{ startTime: number; duration: number }>;
  /** How late a 10 ms timer fired at most: about the longest task seen, long or not (ms). */
  longestTaskMs: number;
  /** From handing the data to the panel to the panel reporting done (ms); NaN when it never did. */
  cycleMs: number;
  /** From handing the data to the panel to the `milestone` condition first holding (ms); NaN when it never did. */
  milestoneMs: number;
  /** The container's data attributes at the end (what it reported). */
  reported: Record<string, string>;
}

/**
 * Hands window.__bigFrames to the rendered panel (Grafana's new props) and measures the whole cycle until
 * `isDone(container)` holds: every long task, and a timer's longest delay (the longest task of any length).
 * Whether the panel is done is checked when the panel's attributes change (a MutationObserver), not by the timer:
 * the measuring adds no work of its own to the tasks it measures.
 */
export async function measureCycle(
  page: Page,
  containerSelector: string,
  range: { fromMs: number; toMs: number },
  isDone: string,
  {
    milestone = isDone,
    timeoutMs = 150_000,
  }: {
    /** A condition like isDone reached on the way (the panel's result committed, before it is drawn): its time too. */
    milestone?: string;
    timeoutMs?: number;
  } = {}
): Promise<CycleMeasure> {
  return page.evaluate(
    ({ containerSelector, range, isDone, milestone, timeoutMs }) =>
      new Promise<CycleMeasure>((resolve) => {
        const longTasks: Array<{ startTime: number; duration: number }> = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            longTasks.push({ startTime: entry.startTime, duration: entry.duration });
          }
        });
        observer.observe({ type: 'longtask' });
        const done = new Function('container', `return (${isDone})(container)`) as (c: Element | null) => boolean;
        const reached = new Function('container', `return (${milestone})(container)`) as (c: Element | null) => boolean;
        let milestoneMs = NaN;
        // A 10 ms timer chain: how late it fires is how long the main thread was busy (a task of any length).
        const TICK_MS = 10;
        let last = performance.now();
        let longest = 0;
        let finished = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const start = performance.now();
        const reported = () => {
          const el = document.querySelector(containerSelector);
          return Object.fromEntries(
            Array.from(el?.attributes ?? [])
              .filter((a) => a.name.startsWith('data-'))
              .map((a) => [a.name, a.value])
          );
        };
        const finish = (cycleMs: number) => {
          if (finished) {
            return;
          }
          finished = true;
          clearTimeout(timer);
          mutations.disconnect();
          // Long-task entries arrive asynchronously, and the chart paints in the next frames: let them through.
          requestAnimationFrame(() =>
            setTimeout(() => {
              observer.disconnect();
              resolve({ longTasks, longestTaskMs: Math.max(0, longest), cycleMs, milestoneMs, reported: reported() });
            }, 100)
          );
        };
        const mutations = new MutationObserver(() => {
          if (Number.isNaN(milestoneMs) && reached(document.querySelector(containerSelector))) {
            milestoneMs = performance.now() - start;
          }
          if (!finished && done(document.querySelector(containerSelector))) {
            finish(performance.now() - start);
          }
        });
        mutations.observe(document.body, { subtree: true, childList: true, attributes: true });
        const tick = () => {
          const now = performance.now();
          longest = Math.max(longest, now - last - TICK_MS);
          last = now;
          if (now - start > timeoutMs) {
            finish(NaN);
            return;
          }
          timer = setTimeout(tick, TICK_MS);
        };
        window.__host.setPanelData(window.__bigFrames as never, range, true);
        timer = setTimeout(tick, TICK_MS);
      }),
    { containerSelector, range, isDone, milestone, timeoutMs }
  );
}

/** One task of the page's main thread, from a Chromium trace: its wall time and the CPU time the thread spent in it. */
export interface TracedTask {
  wallMs: number;
  cpuMs: number;
  /** Of cpuMs, the garbage collections V8 ran inside the task (MajorGC, MinorGC): the browser's work, not the page's. */
  gcCpuMs: number;
  /** When it started, on the page's performance.now() clock (NaN if the trace had no anchor to tell). */
  startMs: number;
}

/**
 * What the page's Web Workers did while traced, summed over them: their tasks' CPU time and the garbage collections
 * V8 ran in them. CPU, not wall time: on a shared machine it is the work itself, comparable from run to run.
 */
export interface WorkerThreadWork {
  cpuMs: number;
  collections: number;
  collectionMs: number;
}

/** The console.timeStamp label that ties the trace's clock to the page's performance.now(). */
const CLOCK_ANCHOR = 'trace-clock-anchor:';

/**
 * Runs `measure` inside a Chromium trace (devtools.timeline and toplevel: tasks, no sampling unless PANEL_CPU_TRACE) and returns its result with the renderer main
 * thread's tasks: wall time (what a long-task observer sees, including time the OS gave to other processes) and
 * thread CPU time (the work itself). On a loaded machine the two differ by an order of magnitude.
 */
export async function withTracedTasks<T>(
  page: Page,
  measure: () => Promise<T>
): Promise<{ result: T; tasks: TracedTask[]; workers: WorkerThreadWork; compileCpuMs: number }> {
  const browser = page.context().browser();
  if (!browser) {
    return {
      result: await measure(),
      tasks: [],
      workers: { cpuMs: NaN, collections: NaN, collectionMs: NaN },
      compileCpuMs: NaN,
    };
  }
  // PANEL_CPU_TRACE=<dir>: V8's sampling profiler too (every thread, the worker's included), each trace kept there
  // for profiling (chrome://tracing, or a script over its ProfileChunk events); it costs CPU, so never in a bench.
  // PANEL_TRACE=<dir>: each trace kept there without the sampler (every thread's task CPU time, for A/B by CPU).
  const traceDir = process.env.PANEL_CPU_TRACE ?? process.env.PANEL_TRACE;
  const categories = ['devtools.timeline', 'toplevel'];
  if (process.env.PANEL_CPU_TRACE) {
    categories.push('disabled-by-default-v8.cpu_profiler', 'v8.execute');
  }
  await browser.startTracing(page, { categories });
  let result: T;
  try {
    // eslint-disable-next-line no-console -- console.timeStamp is how a page marks a point in the trace
    await page.evaluate((label) => console.timeStamp(label + performance.now()), CLOCK_ANCHOR);
    result = await measure();
  } catch (error) {
    await browser.stopTracing();
    throw error;
  }
  const buffer = await browser.stopTracing();
  if (traceDir) {
    mkdirSync(traceDir, { recursive: true });
    writeFileSync(path.join(traceDir, `trace-${Date.now()}.json`), buffer);
  }
  const trace = JSON.parse(buffer.toString('utf8'));
  return {
    result,
    tasks: mainThreadTasks(trace),
    workers: workerThreadWork(trace),
    compileCpuMs: optimisingCompileCpuMs(trace),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  tdur?: number;
  /** src_file: the V8 or Chromium source that posted a thread-pool task (ThreadPool_RunTask). */
  args?: { name?: string; data?: { message?: string }; src_file?: string };
}

type Trace = { traceEvents?: TraceEvent[] } | TraceEvent[];

function traceEvents(trace: Trace): TraceEvent[] {
  return Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
}

/** The threads (`pid:tid`) of a trace that have this name (Chromium's thread_name metadata). */
function threadsNamed(events: TraceEvent[], name: string): Set<string> {
  return new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === name).map((e) => `${e.pid}:${e.tid}`)
  );
}

/** The event withTracedTasks marked the trace with (CLOCK_ANCHOR), from the measured page's main thread. */
function clockAnchor(events: TraceEvent[]): TraceEvent | undefined {
  return events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message?.startsWith(CLOCK_ANCHOR));
}

/** The work of the renderer's dedicated workers in a trace (see WorkerThreadWork). */
export function workerThreadWork(trace: Trace): WorkerThreadWork {
  const events = traceEvents(trace);
  const workers = threadsNamed(events, 'DedicatedWorker thread');
  const work: WorkerThreadWork = { cpuMs: 0, collections: 0, collectionMs: 0 };
  for (const e of events) {
    if (e.ph !== 'X' || !workers.has(`${e.pid}:${e.tid}`)) {
      continue;
    }
    if (e.name === 'ThreadControllerImpl::RunTask') {
      work.cpuMs += (e.tdur ?? 0) / 1000;
    } else if (e.name === 'MajorGC' || e.name === 'MinorGC') {
      work.collections++;
      work.collectionMs += (e.tdur ?? 0) / 1000;
    }
  }
  return work;
}

/**
 * CPU time (ms) of V8's optimising compilers, TurboFan and Maglev, on the thread pool of the page's renderer (the
 * process whose main thread marked the trace's clock anchor): code of the page's isolates (the workers' and the main
 * thread's) that got hot while traced, compiled on the same cores as the work. A worker's warm-up
 * (src/panels/anomaly/worker/warmUp.ts) is there to move some of it out of a job. NaN without the anchor.
 */
export function optimisingCompileCpuMs(trace: Trace): number {
  const events = traceEvents(trace);
  const anchor = clockAnchor(events);
  if (anchor === undefined) {
    return NaN;
  }
  const pool = new Set(
    Array.from(threadsNamed(events, 'ThreadPoolForegroundWorker')).filter((t) => t.startsWith(`${anchor.pid}:`))
  );
  let cpuMs = 0;
  for (const e of events) {
    // A compile job's task names the V8 source that posted it: the optimising (TurboFan) or the Maglev dispatcher.
    const source = e.args?.src_file ?? '';
    if (
      e.ph === 'X' &&
      e.name === 'ThreadPool_RunTask' &&
      pool.has(`${e.pid}:${e.tid}`) &&
      (source.includes('optimizing-compile-dispatcher') || source.includes('maglev-concurrent-dispatcher'))
    ) {
      cpuMs += (e.tdur ?? 0) / 1000;
    }
  }
  return cpuMs;
}

/** The top-level tasks of the busiest renderer main thread in a trace. */
export function mainThreadTasks(trace: Trace): TracedTask[] {
  const events = traceEvents(trace);
  const mains = threadsNamed(events, 'CrRendererMain');
  // The anchor's trace time (µs) and page time (ms) give the offset between the two clocks.
  const anchor = clockAnchor(events);
  const offsetMs =
    anchor?.ts === undefined ? NaN : anchor.ts / 1000 - Number(anchor.args!.data!.message!.slice(CLOCK_ANCHOR.length));
  const byThread = new Map<string, { tasks: TraceEvent[]; gcs: TraceEvent[] }>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !mains.has(key)) {
      continue;
    }
    const thread = byThread.get(key) ?? { tasks: [], gcs: [] };
    byThread.set(key, thread);
    if (e.name === 'ThreadControllerImpl::RunTask') {
      thread.tasks.push(e);
    } else if (e.name === 'MajorGC' || e.name === 'MinorGC') {
      thread.gcs.push(e);
    }
  }
  const busiest = [...byThread.values()].sort((a, b) => b.tasks.length - a.tasks.length)[0];
  if (!busiest) {
    return [];
  }
  return busiest.tasks.map((e) => {
    const start = e.ts ?? NaN;
    const end = start + (e.dur ?? 0);
    const gcCpu = busiest.gcs
      .filter((gc) => (gc.ts ?? NaN) >= start && (gc.ts ?? NaN) <= end)
      .reduce((sum, gc) => sum + (gc.tdur ?? 0), 0);
    return {
      wallMs: (e.dur ?? 0) / 1000,
      cpuMs: (e.tdur ?? 0) / 1000,
      gcCpuMs: gcCpu / 1000,
      startMs: start / 1000 - offsetMs,
    };
  });
}
