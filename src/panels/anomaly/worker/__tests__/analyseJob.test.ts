import { MessageChannel } from 'node:worker_threads';
import { AnomalyDetector } from '@telemetry-analyzer/engine';
import { toDetectorOptions } from '../../model/detectorOptions';
import { withDefaults } from '../../options/defaults';
import { MAX_TRAINING_ROWS } from '../../pipeline/chunkedScore';
import * as decimate from '../../pipeline/decimate';
import { columnOf } from '../../pipeline/decimate';
import { START, STEP, syntheticSeries, times } from '../../testing/frames';
import type { AnomalyOptions } from '../../types';
import { type AnalyseState, explainAt, runAnalyseJob, takeRecycled } from '../analyseJob';
import { DetectorCache } from '../detectorCache';
import type { AnalyseRequest, PanelColumn, PanelModelOutcome } from '../messages';
import { PEER_MIN_ROWS, PeerLink } from '../peerScoring';

// decimateRowsInto, counted (the same function): the refresh tests check which rows a drawing decimated itself.
jest.mock('../../pipeline/decimate', () => {
  const actual = jest.requireActual('../../pipeline/decimate');
  return { ...actual, decimateRowsInto: jest.fn(actual.decimateRowsInto) };
});

afterEach(() => jest.mocked(decimate.decimateRowsInto).mockClear());

const hooks = { pause: () => Promise.resolve(), isCancelled: () => false, progress: () => undefined };

function column(name: string, values: number[], step = STEP, start = START): PanelColumn {
  return { name, times: Float64Array.from(times(values.length, start, step)), values: Float64Array.from(values) };
}

function request(models: AnalyseRequest['models'], n: number, overrides: Partial<AnomalyOptions> = {}): AnalyseRequest {
  const options = withDefaults({ trees: 50, contamination: 0.02, ...overrides });
  return {
    type: 'analyse',
    jobId: 1,
    detector: toDetectorOptions(options),
    contamination: options.contamination,
    models,
    grid: { fromMs: START, toMs: START + (n - 1) * STEP, columns: 4000 },
    rules: { minConsecutive: options.minConsecutive, direction: options.direction },
    window: options.window,
    intervalMs: STEP,
    check: { count: 19, reason: 'test', where: 'in the visible range', trainsOnScoredRows: true },
  };
}

const newState = (): AnalyseState => ({ cache: new DetectorCache(), tables: new Map() });

function ok(outcome: PanelModelOutcome) {
  if (!outcome.ok) {
    throw new Error(`${outcome.code}: ${outcome.message}`);
  }
  return outcome;
}

/** The engine's own anomalies on the same rows (trained and scored on them directly). */
function engineAnomalyTimes(req: AnalyseRequest, columns: PanelColumn[]): number[] {
  const table = { timestamps: columns[0].times, columns: columns.map((c) => ({ name: c.name, values: c.values })) };
  const { results } = AnomalyDetector.trainAndScore(table, {
    ...req.detector,
    forest: { ...req.detector.forest, contamination: req.contamination },
  });
  return Array.from(results[0].rowIndex)
    .filter((_, i) => results[0].isAnomaly[i])
    .map((row) => table.timestamps[row]);
}

function markTimes(markTimesSlots: Float64Array): number[] {
  return Array.from(markTimesSlots).filter((t) => !Number.isNaN(t));
}

describe('runAnalyseJob and a cached model whose series changed under the same identity and range', () => {
  const N = 240;
  const first = syntheticSeries(N, [150]);
  // Another host's values behind the same labels (a dashboard variable in a query that does not group by host).
  const other = syntheticSeries(N, [60], 23).map((v) => v * 3 + 200);
  const job = (values: number[], mayTrain: boolean) =>
    request([{ slot: 's', trainingKey: 'k', columns: [column('cpu', values)], mayTrain }], N);

  it('retrains on the new values (the panel resends them when the model was not sent any): as a fresh job', async () => {
    const state = newState();
    ok((await runAnalyseJob(job(first, true), state, hooks))[0]);
    // The panel believes the model cached (mayTrain false): the worker says it is missing instead of scoring.
    const [refused] = await runAnalyseJob(job(other, false), state, hooks);
    expect(refused).toMatchObject({ ok: false, code: 'model-missing' });
    const again = ok((await runAnalyseJob(job(other, true), state, hooks))[0]);
    const fresh = ok((await runAnalyseJob(job(other, true), newState(), hooks))[0]);
    expect(again.trained).toBe(true);
    expect(again.flaggedRows).toBe(fresh.flaggedRows);
    expect(Array.from(again.scores)).toEqual(Array.from(fresh.scores));
    // A refresh of the same values keeps the model.
    expect(ok((await runAnalyseJob(job(other, false), state, hooks))[0]).trained).toBe(false);
  });

  it('a model of a baseline scores flat or few visible rows whether cached or not (an outage, a zoom)', async () => {
    const baselined = (values: number[], training: boolean) => ({
      ...request(
        [
          {
            slot: 's',
            trainingKey: 'k',
            columns: [column('cpu', values)],
            training: training ? [column('cpu', first, STEP, START - N * STEP)] : undefined,
            mayTrain: training,
          },
        ],
        N
      ),
      check: { count: 19, reason: 'test', where: 'in the training range', trainsOnScoredRows: false },
    });
    const flat = new Array(N).fill(0);
    const state = newState();
    const fresh = ok((await runAnalyseJob(baselined(flat, true), state, hooks))[0]);
    expect(fresh.trained).toBe(true);
    // The next refresh, the model cached: still scored (before: "cpu does not change in the training range").
    const cached = ok((await runAnalyseJob(baselined(flat, false), state, hooks))[0]);
    expect(cached.trained).toBe(false);
    expect(cached.flaggedRows).toBe(fresh.flaggedRows);
    expect(ok((await runAnalyseJob(baselined(flat.slice(0, 15), false), state, hooks))[0]).scoredRows).toBeGreaterThan(
      0
    );
  });

  it('says a series that became too short or constant cannot be analysed, as a first job would', async () => {
    const state = newState();
    ok((await runAnalyseJob(job(first, true), state, hooks))[0]);
    const [constant] = await runAnalyseJob(job(new Array(N).fill(7), true), state, hooks);
    expect(constant).toMatchObject({ ok: false, code: 'constant' });
    const state2 = newState();
    ok((await runAnalyseJob(job(first, true), state2, hooks))[0]);
    const short = request(
      [{ slot: 's', trainingKey: 'k', columns: [column('cpu', first.slice(0, 5))], mayTrain: false }],
      N
    );
    const [tooFew] = await runAnalyseJob(short, state2, hooks);
    expect(tooFew).toMatchObject({ ok: false, code: 'not-enough-data' });
  });
});

describe('runAnalyseJob (the worker protocol: tables, scores, marks, decimation)', () => {
  const N = 240;
  const a = syntheticSeries(N, [60, 150, 151]);
  const b = syntheticSeries(N, [200], 11);

  it('per series: the marks are exactly the anomalies the engine returns, at their own times and values', async () => {
    // c has missing values: its scored rows are not consecutive (gathered row by row, not views of the table).
    const c = a.map((v, i) => (i === 30 || i === 100 || i === 149 ? NaN : v));
    const req = request(
      [
        { slot: 'a', trainingKey: 'k', columns: [column('a', a)], mayTrain: true },
        { slot: 'b', trainingKey: 'k', columns: [column('b', b)], mayTrain: true },
        { slot: 'c', trainingKey: 'k', columns: [column('c', c)], mayTrain: true },
      ],
      N
    );
    const expected = [a, b, c].map((values, i) => engineAnomalyTimes(req, [column('abc'[i], values)]));
    const outcomes = (await runAnalyseJob(req, newState(), hooks)).map(ok);
    outcomes.forEach((outcome, i) => {
      const drawn = outcome.series[0];
      expect(expected[i].length).toBeGreaterThan(0);
      // The grid has a column per point here: every anomaly is its own mark.
      expect(markTimes(drawn.markTimes)).toEqual(expected[i]);
      expect(drawn.anomalyCount).toBe(expected[i].length);
      const values = [a, b, c][i];
      drawn.marks.forEach((v, s) => {
        if (!Number.isNaN(v)) {
          expect(v).toBe(values[(drawn.markTimes[s] - START) / STEP]);
        }
      });
      expect(outcome.scores).toHaveLength(2 * req.grid.columns);
      expect(outcome.trained).toBe(true);
    });
  });

  it('multivariate: an anomalous row marks every series of its model', async () => {
    const req = request(
      [{ slot: 'g', trainingKey: 'k', columns: [column('a', a), column('b', b)], mayTrain: true }],
      N,
      {
        mode: 'multivariate',
      }
    );
    const expected = engineAnomalyTimes(req, [column('a', a), column('b', b)]);
    const [outcome] = (await runAnalyseJob(req, newState(), hooks)).map(ok);
    for (const drawn of outcome.series) {
      expect(markTimes(drawn.markTimes)).toEqual(expected);
    }
    expect(outcome.alignment).toEqual({ stepMs: STEP, aligned: 2 * N, dropped: 0, filled: 0, incomplete: 0 });
  });

  it('multivariate on 1-min and 7-min series offset by 30 s: aligned on 7 min, scored and marked', async () => {
    const fine = column('fine', syntheticSeries(7 * 300 - 3, [700, 1400], 5), STEP);
    const coarse = column('coarse', syntheticSeries(300, [100], 9), 7 * STEP, START + 30_000);
    const req = request([{ slot: 'g', trainingKey: 'k', columns: [fine, coarse], mayTrain: true }], 7 * 300, {
      mode: 'multivariate',
    });
    const [outcome] = (await runAnalyseJob(req, newState(), hooks)).map(ok);
    expect(outcome.alignment).toMatchObject({ stepMs: 7 * STEP, aligned: 600, filled: 0 });
    expect(outcome.scoredRows).toBeGreaterThan(250);
    expect(outcome.series.every((s) => s.anomalyCount > 0)).toBe(true);
  });

  it('a cached model scores a refresh without retraining; the tooltip explains a mark on demand', async () => {
    const state = newState();
    const job = (mayTrain: boolean) =>
      request([{ slot: 'a', trainingKey: 'k', columns: [column('a', a)], mayTrain }], N);
    const first = ok((await runAnalyseJob(job(true), state, hooks))[0]);
    const again = ok((await runAnalyseJob(job(false), state, hooks))[0]);
    expect(again.trained).toBe(false);
    expect(markTimes(again.series[0].markTimes)).toEqual(markTimes(first.series[0].markTimes));
    const time = markTimes(first.series[0].markTimes)[0];
    const explanation = explainAt(state, 'a', time, 3);
    expect(explanation?.contributions).toHaveLength(3);
    expect(explainAt(state, 'a', time + 1, 3)).toBeNull();
  });

  it('a refresh with one new point scores only the new rows; the scores equal a full scoring with that model', async () => {
    const n = 3000;
    const values = syntheticSeries(n + 1, [500, 2500]);
    const state = newState();
    const job = (count: number, mayTrain: boolean) => {
      const req = request(
        [{ slot: 'a', trainingKey: 'k', columns: [column('a', values.slice(0, count))], mayTrain }],
        n + 1
      );
      return req;
    };
    ok((await runAnalyseJob(job(n, true), state, hooks))[0]);
    const refreshed = ok((await runAnalyseJob(job(n + 1, false), state, hooks))[0]);
    expect(refreshed.trained).toBe(false);
    expect(refreshed.scoredAnew).toBe(1);
    // The same cached model scoring everything again gives the same drawn scores and marks.
    const full = ok((await runAnalyseJob(job(n + 1, false), { ...state, tables: new Map() }, hooks))[0]);
    expect(full.scoredAnew).toBe(n + 1);
    expect(Array.from(refreshed.scores)).toEqual(Array.from(full.scores));
    expect(markTimes(refreshed.series[0].markTimes)).toEqual(markTimes(full.series[0].markTimes));
    expect(refreshed.scoredRows).toBe(full.scoredRows);
  });

  it.each([
    ['every row scored (consecutive rows: kept rows rewritten by a copy, the table arrays drawn as they are)', []],
    ['missing values (rows not scored: kept rows moved one by one, scored rows gathered)', [40, 1500, 2001, 3012]],
  ])(
    'refreshes of a moving range (incremental: kept rows and their scores reused in place) equal a full recompute: %s',
    async (_, missing: number[]) => {
      // As a dashboard's relative range refreshes: the range moves on, new points arrive, the oldest leave; once the
      // newest point is revised, once the range grows (more rows than the reused arrays hold). Every outcome equals the
      // same cached models scoring and drawing the whole table afresh.
      const n = 3000;
      const total = n + 40;
      const series = [syntheticSeries(total, [500, 2500, 3010]), syntheticSeries(total, [800, 2999]).map((v) => v * 3)];
      missing.forEach((row, k) => {
        series[k % 2][row] = NaN;
      });
      const state = newState();
      const job = (from: number, count: number, revise = false) => {
        const columns = series.map((values, s) => {
          const c = column(`s${s}`, values.slice(from, from + count), STEP, START + from * STEP);
          if (revise) {
            c.values[count - 1] += 5;
          }
          return c;
        });
        const req = request(
          columns.map((c, s) => ({ slot: `s${s}`, trainingKey: 'k', columns: [c], mayTrain: from === 0 })),
          count
        );
        req.grid = { fromMs: START + from * STEP, toMs: START + (from + count - 1) * STEP, columns: 700 };
        return req;
      };
      const without = (o: PanelModelOutcome) => {
        const { scoredAnew, trained, ...rest } = ok(o);
        return rest;
      };
      await runAnalyseJob(job(0, n), state, hooks);
      for (const [from, count, revise, anew] of [
        [1, n, false, 1],
        [2, n, false, 1],
        [5, n, true, 3],
        [6, n + 30, false, 32], // 30 new rows, and the revised one back to its value
        [7, n + 30, false, 1],
        [17, n + 20, false, 1], // the range's start moves on, no new point: more rows leave than are scored
      ] as const) {
        const refreshed = await runAnalyseJob(job(from, count, revise), state, hooks);
        const full = await runAnalyseJob(job(from, count, revise), { ...state, tables: new Map() }, hooks);
        expect(refreshed.map((o) => ok(o).scoredAnew)).toEqual([anew, anew]);
        expect(refreshed.map(without)).toEqual(full.map(without));
      }
    }
  );

  it('refreshes that copy the unchanged pixel columns equal a full drawing: revisions inside the range, ranges starting between points or before the data', async () => {
    // The range keeps its span (so its anchored columns), moves on a point per refresh, and each refresh changes
    // something else: a point revised in the middle or near the start, a grid starting 3.5, 0.25 or 10 steps before
    // the data (its first columns hold rows the previous refresh had, or had not), and that with a revision near the end.
    const n = 3000;
    // A trend under the noise: a column's first and last rows are its min and max, so a row dropped from or added to a
    // column changes it.
    const series = syntheticSeries(n + 20, [500, 1700, 2500]).map((v, i) => v + i * 0.05);
    const state = newState();
    const job = (from: number, { reviseAt = -1, lead = 0 } = {}) => {
      const values = series.slice(from, from + n);
      if (reviseAt >= 0) {
        values[reviseAt] += 7;
      }
      const c = column('s', values, STEP, START + from * STEP);
      const req = request([{ slot: 's', trainingKey: 'k', columns: [c], mayTrain: from === 0 }], n);
      const fromMs = START + (from - lead) * STEP;
      req.grid = { fromMs, toMs: fromMs + (n - 1) * STEP, columns: 700 };
      return req;
    };
    const without = (o: PanelModelOutcome) => {
      const { scoredAnew, trained, ...rest } = ok(o);
      return rest;
    };
    await runAnalyseJob(job(0), state, hooks);
    // Rows the refresh decimates itself (the rest of its columns are copied): decimateRowsInto is called from the
    // worker's drawing only for the rows around a change and at the grid's ends, decimateMinMax for a whole drawing.
    const decimated = jest.mocked(decimate.decimateRowsInto);
    const rowsDecimated = () => decimated.mock.calls.reduce((sum, call) => sum + Math.max(0, call[5] - call[4]), 0);
    // Per refresh: the change, and what it may decimate itself. A point that changed (a revision, or one reverted)
    // ends the copied columns before it, so the rows after it are decimated: for the line, and for the score pane
    // unless a score near the range's start changed (row 10 revised, and back), when the pane is drawn whole
    // (decimateMinMax, not counted). ENDS bounds the rows of the grids' two ends of both plots.
    const ENDS = 60;
    for (const [from, change, paneCopied, maxRows] of [
      [1, { reviseAt: 1500 }, true, 2 * 1500 + ENDS],
      [2, { reviseAt: 1499 }, true, ENDS], // the same absolute row as the revision before, with the same value
      [3, { reviseAt: 10 }, false, n + ENDS],
      [4, { lead: 3.5 }, false, n + ENDS], // row 10's revision reverted
      [5, { lead: 3.5, reviseAt: 2990 }, true, ENDS],
      [6, { lead: 0.25 }, true, ENDS],
      [7, {}, true, ENDS],
      [8, { lead: 10 }, true, ENDS],
      [9, { lead: 10 }, true, ENDS],
    ] as const) {
      decimated.mockClear();
      const refreshed = await runAnalyseJob(job(from, change), state, hooks);
      // Each plot that copies columns decimates its two ends itself: two calls.
      expect(decimated.mock.calls.length).toBe(paneCopied ? 4 : 2);
      expect(rowsDecimated()).toBeLessThanOrEqual(maxRows);
      const full = await runAnalyseJob(job(from, change), { ...state, tables: new Map() }, hooks);
      expect(ok(refreshed[0]).scoredAnew).toBeLessThan(n);
      expect(refreshed.map(without)).toEqual(full.map(without));
    }
  });

  it('a cached model is re-thresholded when the contamination changes, and only then', async () => {
    const state = newState();
    const job = (contamination: number) =>
      request([{ slot: 'a', trainingKey: 'k', columns: [column('a', a)], mayTrain: true }], N, { contamination });
    const first = ok((await runAnalyseJob(job(0.02), state, hooks))[0]);
    const wider = ok((await runAnalyseJob(job(0.1), state, hooks))[0]);
    const back = ok((await runAnalyseJob(job(0.02), state, hooks))[0]);
    const again = ok((await runAnalyseJob(job(0.02), state, hooks))[0]);
    expect(wider.trained).toBe(false);
    expect(wider.threshold).toBeLessThan(first.threshold);
    expect(wider.flaggedRows).toBeGreaterThan(first.flaggedRows);
    expect([back.threshold, back.flaggedRows]).toEqual([first.threshold, first.flaggedRows]);
    expect([again.threshold, again.flaggedRows]).toEqual([first.threshold, first.flaggedRows]);
  });

  it('a refresh hands back the buffers of the series it replaced, and nothing still reads them', async () => {
    const n = 3000;
    const values = syntheticSeries(n + 2, [500, 2500]);
    const state = newState();
    const job = (from: number) =>
      request(
        [
          {
            slot: 'a',
            trainingKey: 'k',
            columns: [column('a', values.slice(from, from + n), STEP, START + from * STEP)],
            mayTrain: true,
          },
        ],
        n + 2
      );
    const first = job(0);
    ok((await runAnalyseJob(first, state, hooks))[0]);
    expect(takeRecycled(state)).toEqual([]);
    ok((await runAnalyseJob(job(1), state, hooks))[0]);
    const recycled = takeRecycled(state);
    expect(recycled).toEqual([first.models[0].columns[0].times.buffer, first.models[0].columns[0].values.buffer]);
    // Handed to the panel they are transferred (detached here): the next refresh must not read them.
    const channel = new MessageChannel();
    channel.port1.postMessage(null, recycled);
    channel.port1.close();
    expect(first.models[0].columns[0].times.length).toBe(0);
    const third = ok((await runAnalyseJob(job(2), state, hooks))[0]);
    // The same model (trained on the first rows), without the recycling.
    const fresh = newState();
    ok((await runAnalyseJob(job(0), fresh, hooks))[0]);
    const expected = ok((await runAnalyseJob(job(2), fresh, hooks))[0]);
    expect(third.scoredAnew).toBe(1);
    expect(Array.from(third.scores)).toEqual(Array.from(expected.scores));
    expect(Array.from(third.series[0].line)).toEqual(Array.from(expected.series[0].line));
    expect(markTimes(third.series[0].markTimes)).toEqual(markTimes(expected.series[0].markTimes));
  });

  it('large tables: scored in chunks, every row scored once, every anomaly in a column kept as one mark', async () => {
    const n = MAX_TRAINING_ROWS + 500; // trained on the last MAX_TRAINING_ROWS, scored in chunks
    const values = syntheticSeries(n, [1000, 9000, 17000]);
    const req = request([{ slot: 'big', trainingKey: 'k', columns: [column('big', values)], mayTrain: true }], n);
    req.grid.columns = 300;
    const [outcome] = (await runAnalyseJob(req, newState(), hooks)).map(ok);
    const warmup = req.window - 1;
    expect(outcome.scoredRows).toBe(n - warmup);
    const drawn = outcome.series[0];
    expect(drawn.line).toHaveLength(600);
    expect(drawn.anomalyCount).toBeGreaterThan(0);
    // Every column holding an anomaly shows a mark; the spikes are among them.
    for (const spike of [1000, 9000, 17000]) {
      const c = columnOf(req.grid, START + spike * STEP);
      expect(Number.isNaN(drawn.marks[2 * c]) && Number.isNaN(drawn.marks[2 * c + 1])).toBe(false);
    }
  });

  it(`more than MAX_TRAINING_ROWS rows: trained on the newest ${MAX_TRAINING_ROWS}, every row scored by that model`, async () => {
    // The documented semantics (docs/panel.md): at most MAX_TRAINING_ROWS rows a table trained on itself gives the
    // engine's result exactly (first test); above it, the scores are those of the engine trained on the newest
    // MAX_TRAINING_ROWS rows and scoring the whole table, which is what this pins down.
    const n = MAX_TRAINING_ROWS + 3000;
    const values = syntheticSeries(n, [1000, 21000]);
    const req = request([{ slot: 'big', trainingKey: 'k', columns: [column('big', values)], mayTrain: true }], n);
    const state = newState();
    ok((await runAnalyseJob(req, state, hooks))[0]);
    const table = {
      timestamps: Float64Array.from(times(n)),
      columns: [{ name: 'big', values: Float64Array.from(values) }],
    };
    const options = { ...req.detector, forest: { ...req.detector.forest, contamination: req.contamination } };
    const newest = {
      timestamps: table.timestamps.subarray(n - MAX_TRAINING_ROWS),
      columns: [{ name: 'big', values: table.columns[0].values.subarray(n - MAX_TRAINING_ROWS) }],
    };
    const [engine] = AnomalyDetector.train(newest, options).score(table);
    const scored = state.tables.get('big')!.reusable!.scored;
    expect(Array.from(scored.rows)).toEqual(Array.from(engine.rowIndex));
    expect(Array.from(scored.scores)).toEqual(Array.from(engine.scores));
    expect(scored.threshold).toBe(engine.threshold);
  });

  it(`${PEER_MIN_ROWS} rows or more: a peer worker scores half of the chunks, and the panel gets what one worker alone gives`, async () => {
    const n = PEER_MIN_ROWS + 5000;
    const values = syntheticSeries(n, [1000, 100_000, 130_000]);
    const models = () => [{ slot: 'big', trainingKey: 'k', columns: [column('big', values)], mayTrain: true }];
    const req = request(models(), n, { trees: 20 });
    const [alone] = await runAnalyseJob(req, newState(), hooks);
    // Two workers' states linked as the pool links them, each end a real MessagePort.
    const channel = new MessageChannel();
    const ends: MessagePort[] = [channel.port1, channel.port2] as unknown as MessagePort[];
    const answers: string[] = [];
    channel.port1.on('message', (message: { type: string }) => answers.push(message.type));
    try {
      const here = { ...newState(), peer: new PeerLink(ends[0], () => false, hooks.pause) };
      new PeerLink(ends[1], () => false, hooks.pause); // the other worker's end: it answers on its own port
      const [shared] = await runAnalyseJob(request(models(), n, { trees: 20 }), here, hooks);
      expect(answers).toEqual(['peer-scored']);
      expect(ok(shared)).toEqual(ok(alone));
    } finally {
      channel.port1.close();
    }
  });

  it('annotation runs do not depend on the panel width; the drawn regions are merged per pixel column', async () => {
    const values = syntheticSeries(2000, [300, 330, 900, 1500, 1530]);
    const runsAt = async (columns: number) => {
      const req = request([{ slot: 'a', trainingKey: 'k', columns: [column('a', values)], mayTrain: true }], 2000);
      req.grid.columns = columns;
      return ok((await runAnalyseJob(req, newState(), hooks))[0]).series[0];
    };
    const narrow = await runsAt(50);
    const wide = await runsAt(4000);
    expect(Array.from(narrow.runs)).toEqual(Array.from(wide.runs));
    expect(narrow.runs.length).toBeGreaterThan(narrow.regions.length);
    // Each run is a run of marked points: its ends are marked anomalies.
    expect(narrow.runs.length / 2).toBeLessThanOrEqual(narrow.anomalyCount);
  });

  it('says how many points are missing before training, in the worker', async () => {
    const req = request([{ slot: 'a', trainingKey: 'k', columns: [column('a', a.slice(0, 10))], mayTrain: true }], N);
    const [outcome] = await runAnalyseJob(req, newState(), hooks);
    expect(outcome).toMatchObject({ ok: false, code: 'not-enough-data', message: expect.stringMatching(/^10 points/) });
  });
});

describe('a frame joined from several series', () => {
  it("draws each series at its own step, not the frame's: two series half a step apart, null in between", async () => {
    // An outer join ("join by field", "series to columns") of two 1-step series offset by half a step: each is null
    // on every other row of the frame.
    const n = 400;
    const frameTimes = Float64Array.from({ length: 2 * n }, (_, i) => START + i * (STEP / 2));
    const joined = (parity: number): PanelColumn => ({
      name: `s${parity}`,
      times: frameTimes,
      values: Float64Array.from(frameTimes, (_, i) => (i % 2 === parity ? 10 + Math.sin(i / 9) : NaN)),
    });
    const models = [0, 1].map((parity) => ({
      slot: `s${parity}`,
      trainingKey: 'k',
      columns: [joined(parity)],
      mayTrain: true,
    }));
    const outcomes = await runAnalyseJob(request(models, 2 * n), newState(), hooks);
    // The plot connects points up to about one step apart (render/chartFrames.ts spanOf): at half a step, never.
    expect(outcomes.map((outcome) => ok(outcome).series[0].stepMs)).toEqual([STEP, STEP]);
  });
});
