import { DRAW_BUDGET_MS, type DrawSteps, SAME_TASK_POINTS, queueDraw } from '../drawQueue';

/**
 * Which synchronous run of the queue a call belongs to: the number changes once the current run has ended (a
 * microtask runs only after the queue's loop has given the thread back), so calls with the same number ran in the
 * same task.
 */
let run = 0;
let runEnding = false;
function currentRun(): number {
  if (!runEnding) {
    runEnding = true;
    queueMicrotask(() => {
      run++;
      runEnding = false;
    });
  }
  return run;
}

/** A plot's drawing of `pieces` pieces, each taking `pieceMs` on the mocked clock; records the run of every piece. */
function plot(name: string, pieces: number, log: Array<[string, number]>, pieceMs = 1): DrawSteps {
  let drawn = 0;
  return (hasTime) => {
    do {
      log.push([name, currentRun()]);
      now += pieceMs;
      drawn++;
    } while (drawn < pieces && hasTime());
    return drawn === pieces;
  };
}

let now = 0;
beforeEach(() => {
  now = 0;
  jest.spyOn(performance, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

/** Resolves once every drawing queued so far is done (the queue gives the thread back between its tasks). */
function drained(log: Array<[string, number]>, pieces: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (log.length >= pieces) {
        resolve();
      } else if (Date.now() - started > 5000) {
        reject(new Error(`drawn ${log.length} of ${pieces} pieces: ${JSON.stringify(log)}`));
      } else {
        setTimeout(check, 1);
      }
    };
    check();
  });
}

describe('the page draw queue', () => {
  it('draws plots queued together in one later task, one after another (a chart and its score pane)', async () => {
    const log: Array<[string, number]> = [];
    queueDraw(plot('chart', 3, log));
    queueDraw(plot('score pane', 2, log));
    expect(log).toEqual([]); // not in the task that queued them
    await drained(log, 5);
    expect(log.map(([name]) => name)).toEqual(['chart', 'chart', 'chart', 'score pane', 'score pane']);
    expect(new Set(log.map(([, r]) => r)).size).toBe(1);
  });

  it('gives the thread back once a task has drawn for DRAW_BUDGET_MS, and goes on where it stopped', async () => {
    const log: Array<[string, number]> = [];
    // Each piece takes half the budget: two pieces per task (the second starts before the budget is spent).
    queueDraw(plot('chart', 5, log, DRAW_BUDGET_MS / 2));
    queueDraw(plot('score pane', 1, log, DRAW_BUDGET_MS / 2));
    await drained(log, 6);
    // The chart's turn ends with the budget; the score pane goes next, then the chart where it stopped.
    expect(log.map(([name]) => name)).toEqual(['chart', 'chart', 'score pane', 'chart', 'chart', 'chart']);
    const runs = log.map(([, r]) => r);
    expect(runs[0]).toBe(runs[1]);
    expect(runs[2]).toBe(runs[3]);
    expect(runs[4]).toBe(runs[5]);
    expect(new Set(runs).size).toBe(3);
  });

  it('lets plots take turns: one queued behind a long drawing is drawn in the next task, not after all of it', async () => {
    const log: Array<[string, number]> = [];
    queueDraw(plot('big panel', 20, log, DRAW_BUDGET_MS));
    queueDraw(plot('small panel', 1, log));
    await drained(log, 21);
    const runs = [...new Set(log.map(([, r]) => r))];
    const small = log.find(([name]) => name === 'small panel')!;
    expect(runs.indexOf(small[1])).toBe(1);
    expect(log.filter(([name]) => name === 'big panel')).toHaveLength(20);
  });

  it('draws at least one piece per task, even when one piece takes longer than the budget', async () => {
    const log: Array<[string, number]> = [];
    queueDraw(plot('chart', 3, log, DRAW_BUDGET_MS * 2));
    await drained(log, 3);
    expect(new Set(log.map(([, r]) => r)).size).toBe(3);
  });

  it('draws a redraw of a plot on screen whole in the task that asks, however long it takes', async () => {
    const log: Array<[string, number]> = [];
    const asked = currentRun();
    queueDraw(plot('chart', 3, log, DRAW_BUDGET_MS), { redraw: true, points: 50 * 1500 });
    queueDraw(plot('score pane', 2, log, DRAW_BUDGET_MS), { redraw: true, points: 50 * 1500 });
    // Drawn before queueDraw returned: no task in between, so no frame is painted with the plots cleared.
    expect(log).toEqual([
      ['chart', asked],
      ['chart', asked],
      ['chart', asked],
      ['score pane', asked],
      ['score pane', asked],
    ]);
  });

  it('queues a redraw beyond SAME_TASK_POINTS in one task, as a first drawing', async () => {
    // A task after the previous test's redraws: their points counted in theirs.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const log: Array<[string, number]> = [];
    const asked = currentRun();
    queueDraw(plot('chart', 2, log), { redraw: true, points: SAME_TASK_POINTS - 10 });
    queueDraw(plot('score pane', 2, log), { redraw: true, points: 20 });
    expect(log).toEqual([
      ['chart', asked],
      ['chart', asked],
    ]);
    await drained(log, 4);
    expect(log.slice(2).map(([name]) => name)).toEqual(['score pane', 'score pane']);
    expect(log[2][1]).not.toBe(asked);
    // A later task has the whole allowance again.
    queueDraw(plot('score pane', 1, log), { redraw: true, points: SAME_TASK_POINTS });
    expect(log).toHaveLength(5);
  });

  it('reports a drawing that throws and still draws the plots queued behind it', async () => {
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => {
      errors.push(event.error);
      event.preventDefault();
    };
    window.addEventListener('error', onError);
    try {
      const log: Array<[string, number]> = [];
      const failure = new Error('canvas gone');
      queueDraw(() => {
        throw failure;
      });
      queueDraw(plot('score pane', 2, log));
      await drained(log, 2);
      // Reported in a task of its own: wait for it, not for a fixed time.
      await drained(errors as Array<[string, number]>, 1);
      expect(errors).toEqual([failure]);
      // The queue is not stuck on it: a later drawing draws.
      queueDraw(plot('chart', 1, log));
      await drained(log, 3);
      expect(log.map(([name]) => name)).toEqual(['score pane', 'score pane', 'chart']);
    } finally {
      window.removeEventListener('error', onError);
    }
  });
});
