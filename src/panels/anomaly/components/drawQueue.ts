import { createMessageChannelYield, yieldToEventLoop } from '../worker/protocol';

/**
 * Drawing per task, at most about this long (ms): series are drawn until it has passed (at least one per task), so
 * a panel of many short lines takes a few tasks, not one per few series. Each task more may wait for the thread again
 * (traces of a 50-series refresh on the 2-core machine: 10-19 ms idle between drawing tasks while the canvas is
 * rastered elsewhere), so the budget is well above the 8 ms it was while staying far below the 50 ms limit: the
 * longest main-thread task of the whole cycle stayed 19-28 ms of CPU with the worker, 36-39 ms with the main-thread
 * fallback (limit 100). Gain, six alternating A/B pairs against 8 ms (load 1.2-2.9): the 50 x 10 000 panel drawn
 * 48-185 ms after its result (mean 88) against 101-137 ms (mean 117), warm refresh medians 77-153 against 87-146 ms:
 * within this machine's noise, as an earlier session's two pairs found.
 */
export const DRAW_BUDGET_MS = 24;

/**
 * One plot's drawing, a step at a time: draws what it can until `hasTime()` says the task's budget is spent (always
 * at least one piece, so every task makes progress) and returns true once it has nothing left to draw.
 */
export type DrawSteps = (hasTime: () => boolean) => boolean;

export interface RedrawOptions {
  /** The plot had a finished drawing on screen, which the drawing replaces. */
  redraw?: boolean;
  /** Points its lines stroke (series x points per series). */
  points?: number;
}

/**
 * A redraw of a plot already on screen (the panel asks it for new data: ProgressiveLinesPlugin) is drawn whole in
 * the task that cleared its canvas, as long as the plots redrawn in that task draw at most this many points of lines
 * together; beyond that it is queued as a first drawing is. Drawn in a later task, the browser may paint between
 * the two: a frame of the plot with its axes and no lines (traced on a 50-series refresh: a paint between uPlot's
 * redraw and the queued drawing; a requestAnimationFrame probe saw it on 4-5 of 12 refreshes of a 3-series panel).
 * Counted in points, not timed: the lines cost in proportion to their points (a 50 x 10 000 refresh: ~150 000
 * points, ~6 ms of CPU since dense lines are rastered (render/lineRaster.ts), beside a commit of 5-8 ms, far below
 * the 50 ms limit), and a redraw cut short by a busy machine's clock would be painted half drawn.
 */
export const SAME_TASK_POINTS = 200_000;

const queued: DrawSteps[] = [];
let draining = false;
/** Points drawn by redraws in the current task (reset in a later task). */
let sameTaskPoints = 0;
let sameTaskReset = false;

/**
 * Queues a plot's drawing behind the drawings already queued. Every plot of the page shares one queue, drained
 * DRAW_BUDGET_MS per task: a panel's chart and score pane (or several panels) that get new data together are drawn
 * in the same tasks, one after another, instead of each waiting for a task of its own (a trace of a warm refresh
 * on the 2-core machine: the score pane's own task ran 15 ms after the chart's, on an idle thread). A drawing the
 * budget cuts short goes to the back of the queue, so plots take turns. The first drawing waits for a task:
 * uPlot's draw (axes, grid) and the chart's build before it are task enough. A redraw is drawn at once while it fits
 * (SAME_TASK_POINTS).
 */
export function queueDraw(steps: DrawSteps, { redraw = false, points = 0 }: RedrawOptions = {}): void {
  if (redraw && drawInThisTask(steps, points)) {
    return;
  }
  queued.push(steps);
  if (!draining) {
    draining = true;
    void drain();
  }
}

/** Draws a redraw whole now if this task's redraws stay within SAME_TASK_POINTS; false when it must wait. */
function drawInThisTask(steps: DrawSteps, points: number): boolean {
  if (sameTaskPoints + points > SAME_TASK_POINTS) {
    return false;
  }
  if (!sameTaskReset) {
    sameTaskReset = true;
    setTimeout(() => {
      sameTaskPoints = 0;
      sameTaskReset = false;
    }, 0);
  }
  sameTaskPoints += points;
  drawSome(steps, () => true);
  return true;
}

async function drain() {
  // A channel only while there is drawing to do: an open port with a listener is kept alive by the browser (and
  // keeps Node's event loop alive under Jest).
  const channel = typeof MessageChannel === 'function' ? new MessageChannel() : undefined;
  const nextTask = channel ? createMessageChannelYield(channel) : yieldToEventLoop;
  try {
    while (queued.length > 0) {
      await nextTask();
      const started = performance.now();
      const hasTime = () => performance.now() - started < DRAW_BUDGET_MS;
      do {
        const steps = queued.shift()!;
        if (!drawSome(steps, hasTime)) {
          // Its turn is over: the plots queued behind it draw before it goes on (a small panel, a score pane, a
          // zoomed plot do not wait for the whole of a big drawing).
          queued.push(steps);
        }
      } while (queued.length > 0 && hasTime());
    }
  } finally {
    draining = false;
    channel?.port1.close();
    channel?.port2.close();
  }
}

/**
 * One plot's steps for this task; true when it is done. One that throws is done too: its error is reported as an
 * uncaught error of a task of its own (the console, window.onerror), and the plots queued behind it still draw.
 */
function drawSome(steps: DrawSteps, hasTime: () => boolean): boolean {
  try {
    return steps(hasTime);
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
    return true;
  }
}
