import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { syntheticSeries, times } from '../../testing/frames';
import { type ModelJob, type ScoreRequest, type WorkerResponse, requestTransferables } from '../messages';
import { PROGRESS_INTERVAL_MS, createMessageChannelYield, createRequestHandler, pauseEvery } from '../protocol';
import { PEER_MIN_ROWS, PeerLink, type PeerMessage } from '../peerScoring';
import { SCORE_CHUNK_ROWS } from '../../pipeline/chunkedScore';
import { testWarmUpTemplate } from '../../testing/warmUpTemplate';
import { warmUpRequests } from '../warmUp';
import { type AnalyseState, runAnalyseJob } from '../analyseJob';
import { DetectorCache } from '../detectorCache';

const N = 300;
const SPIKES = [100, 200, 250];
const detector = {
  features: { window: 12, lags: 1 },
  forest: { nEstimators: 50, seed: 42 },
  mode: 'multivariate' as const,
};

function table(values = syntheticSeries(N, SPIKES)): SeriesTable {
  return {
    timestamps: Float64Array.from(times(values.length)),
    columns: [{ name: 'cpu', values: Float64Array.from(values) }],
  };
}

function request(jobId: number, model: Partial<ModelJob> = {}, contamination: 'auto' | number = 0.01): ScoreRequest {
  return {
    type: 'score',
    jobId,
    detector,
    contamination,
    explainTop: 2,
    models: [{ slot: 'series:cpu', trainingKey: 'k1', table: table(), ...model }],
  };
}

/** Asks the peer at the other end of `owner` to score rows [from, PEER_MIN_ROWS) of a big table (5 trees). */
function askPeer(owner: PeerLink, from: number, stepRows: number): Promise<PeerMessage> {
  const big = table(syntheticSeries(PEER_MIN_ROWS, [1000]));
  const trained = AnomalyDetector.train(
    {
      timestamps: big.timestamps.subarray(0, 2000),
      columns: [{ name: 'cpu', values: big.columns[0].values.subarray(0, 2000) }],
    },
    { ...detector, forest: { ...detector.forest, nEstimators: 5 } }
  );
  return owner.request(trained, big, from, 11, stepRows).answer;
}

/** A handler whose pauses all wait until `release` (then none does), counting them. */
function gated(freePauses = 0) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const counter = { pauses: 0 };
  const posted: Array<{ message: WorkerResponse }> = [];
  const handle = createRequestHandler(
    (message) => posted.push({ message }),
    async () => {
      counter.pauses++;
      if (counter.pauses > freePauses) {
        await gate;
      }
    }
  );
  const pausedAtLeast = async (n: number) => {
    while (counter.pauses < n) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { handle, posted, release, pausedAtLeast };
}

/** Links the handler's worker to a peer link in the test (the other worker), over a real channel. */
async function linkedPeer(handle: ReturnType<typeof createRequestHandler>) {
  const channel = new NodeMessageChannel();
  await handle({ type: 'peer', port: channel.port2 as unknown as MessagePort });
  const owner = new PeerLink(
    channel.port1 as unknown as MessagePort,
    () => false,
    () => Promise.resolve()
  );
  return { owner, close: () => channel.port1.close() };
}

function setup() {
  const posted: Array<{ message: WorkerResponse; transfer: ArrayBuffer[] }> = [];
  const handle = createRequestHandler((message, transfer) => posted.push({ message, transfer }));
  const final = (jobId: number) =>
    posted.find((p) => 'jobId' in p.message && p.message.jobId === jobId && p.message.type !== 'progress');
  return { posted, handle, final };
}

describe('worker protocol', () => {
  it('trains, scores and explains: the same numbers as the engine run directly', async () => {
    const { posted, handle, final } = setup();
    await handle(request(1, { training: table() }));

    const answer = final(1)!;
    expect(answer.message.type).toBe('result');
    const [model] = (answer.message as Extract<WorkerResponse, { type: 'result' }>).models;
    if (!model.ok) {
      throw new Error(model.message);
    }
    const direct = AnomalyDetector.train(table(), { ...detector, forest: { ...detector.forest, contamination: 0.01 } });
    const [expected] = direct.score(table());
    expect(model.trained).toBe(true);
    expect(Array.from(model.scores)).toEqual(Array.from(expected.scores));
    expect(Array.from(model.isAnomaly)).toEqual(Array.from(expected.isAnomaly));
    expect(Array.from(model.times)).toEqual(Array.from(expected.rowIndex, (r) => table().timestamps[r]));
    const anomalyTimes = Array.from(model.times).filter((_, i) => model.isAnomaly[i]);
    expect(model.explanations.map((e) => e.time)).toEqual(anomalyTimes);
    expect(model.explanations[0].contributions).toHaveLength(2);
    // Results travel back as transferred buffers.
    expect(answer.transfer).toEqual(
      expect.arrayContaining([model.scores.buffer, model.times.buffer, model.isAnomaly.buffer])
    );
    // Progress came first and ended complete.
    const progress = posted
      .filter((p) => p.message.type === 'progress')
      .map((p) => p.message as { done: number; total: number });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1].done).toBe(progress[progress.length - 1].total);
  });

  it('trains on other rows than it scores (a baseline range) as the engine does: train, then score', async () => {
    const { handle, final } = setup();
    const baseline = () => table(syntheticSeries(N, [50], 9));
    await handle(request(1, { training: baseline() }));
    const [model] = (final(1)!.message as Extract<WorkerResponse, { type: 'result' }>).models;
    if (!model.ok) {
      throw new Error(model.message);
    }
    const direct = AnomalyDetector.train(baseline(), {
      ...detector,
      forest: { ...detector.forest, contamination: 0.01 },
    });
    const [expected] = direct.score(table());
    const [trainedOnScoredRows] = direct.score(baseline());
    expect(model.trained).toBe(true);
    expect(Array.from(model.scores)).toEqual(Array.from(expected.scores));
    expect(model.threshold).toBe(expected.threshold);
    expect(Array.from(model.scores)).not.toEqual(Array.from(trainedOnScoredRows.scores));
  });

  it('reuses the cached model without training data, and re-thresholds on a new contamination', async () => {
    const { handle, final } = setup();
    await handle(request(1, { training: table() }, 0.01));
    await handle(request(2, {}, 0.2));
    const first = (final(1)!.message as Extract<WorkerResponse, { type: 'result' }>).models[0];
    const second = (final(2)!.message as Extract<WorkerResponse, { type: 'result' }>).models[0];
    if (!first.ok || !second.ok) {
      throw new Error('expected results');
    }
    expect(second.trained).toBe(false);
    expect(Array.from(second.scores)).toEqual(Array.from(first.scores));
    expect(second.threshold).toBeLessThan(first.threshold);
    const count = (m: typeof first) => m.isAnomaly.reduce((a, b) => a + b, 0);
    expect(count(second)).toBeGreaterThan(count(first));
  });

  it("answers 'model-missing' for an uncached model sent without training data, and another training key retrains", async () => {
    const { handle, final } = setup();
    await handle(request(1));
    expect((final(1)!.message as Extract<WorkerResponse, { type: 'result' }>).models[0]).toMatchObject({
      ok: false,
      code: 'model-missing',
    });
    await handle(request(2, { training: table() }));
    await handle(request(3, { trainingKey: 'k2' }));
    expect((final(3)!.message as Extract<WorkerResponse, { type: 'result' }>).models[0]).toMatchObject({
      ok: false,
      code: 'model-missing',
    });
  });

  it('trains on a constant series as scikit-learn does (no split on it), and flags nothing', async () => {
    const { handle, final } = setup();
    const flat = table(new Array(N).fill(5));
    await handle(request(1, { training: flat, table: table(new Array(N).fill(5)) }));
    const [model] = (final(1)!.message as Extract<WorkerResponse, { type: 'result' }>).models;
    expect(model).toMatchObject({ ok: true });
    expect(model.ok && Array.from(model.isAnomaly).every((flag) => flag === 0)).toBe(true);
  });

  it('a newer job makes the running one stale: it answers cancelled, the newer one its result', async () => {
    const { handle, final } = setup();
    const older = handle(request(1, { training: table() }));
    const newer = handle(request(2, { training: table() }));
    await Promise.all([older, newer]);
    expect(final(1)!.message.type).toBe('cancelled');
    expect(final(2)!.message.type).toBe('result');
  });

  it('a cancel message stops the named job at its next pause', async () => {
    const { handle, final } = setup();
    const job = handle(request(7, { training: table() }));
    await handle({ type: 'cancel', jobId: 7 });
    await job;
    expect(final(7)!.message.type).toBe('cancelled');
  });

  it('pauses through a message channel (no timer clamping): every pause resolves, in order, and a cancel still lands', async () => {
    // jsdom has no MessageChannel; Node's behaves as the browser's for this.
    const channel = new NodeMessageChannel();
    try {
      const pause = createMessageChannelYield(channel as unknown as MessageChannel);
      const order: number[] = [];
      await Promise.all([1, 2, 3].map((n) => pause().then(() => order.push(n))));
      expect(order).toEqual([1, 2, 3]);

      const posted: WorkerResponse[] = [];
      const handle = createRequestHandler((message) => posted.push(message), pause);
      const job = handle(request(4, { training: table() }));
      await handle({ type: 'cancel', jobId: 4 });
      await job;
      expect(posted.filter((m) => m.type !== 'progress')).toEqual([{ type: 'cancelled', jobId: 4 }]);
    } finally {
      channel.port1.close();
    }
  });

  it('lists each table buffer once in the transfer list (training may share the scored table)', () => {
    const shared = table();
    const buffers = requestTransferables(request(1, { training: shared, table: shared }));
    expect(buffers).toHaveLength(2);
    expect(new Set(buffers).size).toBe(2);
  });

  describe('on a controlled clock (performance.now)', () => {
    let now = 0;
    beforeEach(() => {
      now = 0;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
    });
    afterEach(() => jest.restoreAllMocks());

    it('pauseEvery takes the pause only once its budget of work has passed since the last one taken', async () => {
      const taken: number[] = [];
      const pause = pauseEvery(12, async () => {
        taken.push(now);
      });
      for (const at of [0, 5, 11.9, 12, 13, 20, 24, 40]) {
        now = at;
        await pause();
      }
      expect(taken).toEqual([12, 24, 40]);
    });

    it('posts progress at most every PROGRESS_INTERVAL_MS, and always the last one', async () => {
      // Every pause and every progress message advance the clock by a third of the interval.
      const posted: WorkerResponse[] = [];
      const handle = createRequestHandler(
        (message) => {
          now += message.type === 'progress' ? PROGRESS_INTERVAL_MS / 3 : 0;
          posted.push(message);
        },
        async () => {
          now += PROGRESS_INTERVAL_MS / 3;
        }
      );
      const models = Array.from({ length: 9 }, (_, i) => ({
        slot: `series:cpu${i}`,
        trainingKey: 'k1',
        table: table(),
        training: table(),
      }));
      await handle({ ...request(1), models });
      expect(posted[posted.length - 1].type).toBe('result');
      const progress = posted.filter((m) => m.type === 'progress') as Array<{ done: number; total: number }>;
      const last = progress[progress.length - 1];
      expect(last.done).toBe(last.total); // the job's end is always posted
      expect(last.total).toBeGreaterThanOrEqual(models.length);
      // One message a step without the throttle; with it about one per three steps (the clock's pace), plus the last.
      expect(progress.length).toBeLessThanOrEqual(Math.ceil(last.total / 3) + 1);
    });
  });

  it("a worker declines its peer's request while a job of its own runs, and serves it when idle", async () => {
    const { handle, release, pausedAtLeast } = gated();
    const { owner, close } = await linkedPeer(handle);
    try {
      const ask = () => askPeer(owner, PEER_MIN_ROWS - 100, 4096);
      // A job that waits at its first pause until released.
      const job = handle(request(1, { training: table() }));
      await pausedAtLeast(1);
      const busy: PeerMessage = await ask();
      expect(busy).toMatchObject({ type: 'peer-declined', reason: 'busy' });
      release();
      await job;
      const idle: PeerMessage = await ask();
      expect(idle.type).toBe('peer-scored');
    } finally {
      close();
    }
  });

  describe('warm-up', () => {
    const template = testWarmUpTemplate({ trees: 10 });
    /** A real job: the warm-up's own first job, under another id. */
    const realJob = (jobId: number) => ({ ...warmUpRequests(template)!.job(0), jobId });
    /** A real job of other series than the warm-up's: `models` series of `n` points with a few spikes. */
    const otherJob = (jobId: number, n: number, models: number) => {
      const { columnsPerModel, ...parameters } = template;
      return {
        ...parameters,
        type: 'analyse' as const,
        jobId,
        models: Array.from({ length: models }, (_, m) => ({
          slot: `series ${m}`,
          trainingKey: 'k',
          mayTrain: true,
          columns: [
            {
              name: 'cpu',
              times: Float64Array.from(times(n)),
              values: Float64Array.from(syntheticSeries(n, [100 + m, n - 200 + 37 * m, n - 199 + 37 * m], 7 + m)),
            },
          ],
        })),
      };
    };
    const outcomesOf = (posted: Array<{ message: WorkerResponse }>, jobId: number) =>
      posted.map((p) => p.message).find((m) => m.type === 'analysed' && m.jobId === jobId);
    const warmedUp = (posted: Array<{ message: WorkerResponse }>) =>
      posted.map((p) => p.message).filter((m) => m.type === 'warmed-up');
    it('runs through in its own state: answers warmed-up, and a real job finds nothing of it', async () => {
      const { posted, handle } = setup();
      await handle({ type: 'warm-up', template });
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'completed', ms: expect.any(Number) }]);
      // The warm-up's models are not the worker's: a job without training rows for their slots must send them.
      const job = realJob(1);
      await handle({ ...job, models: job.models.map((m) => ({ ...m, mayTrain: false })) });
      const outcome = outcomesOf(posted, 1);
      expect(outcome?.type === 'analysed' && outcome.models.map((m) => !m.ok && m.code)).toEqual(
        job.models.map(() => 'model-missing')
      );
    });

    it('posted behind a job (as the pool posts it), waits for it to end: the job answers as on a worker without warm-up', async () => {
      // A clock 20 ms on at every reading: every step of a job is followed by a pause, where another may run.
      let clock = 0;
      const now = jest.spyOn(performance, 'now').mockImplementation(() => (clock += 20));
      const { posted, handle } = setup();
      const fresh = setup();
      try {
        // The worker takes each message as it comes: both would run at once unless the warm-up waits.
        await Promise.all([handle(otherJob(2, 700, 3)), handle({ type: 'warm-up', template })]);
        while (warmedUp(posted).length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        await fresh.handle(otherJob(2, 700, 3));
      } finally {
        now.mockRestore();
      }
      expect(outcomesOf(posted, 2)).toEqual(outcomesOf(fresh.posted, 2));
      const order = posted.map((p) => p.message.type).filter((type) => type === 'analysed' || type === 'warmed-up');
      expect(order).toEqual(['analysed', 'warmed-up']);
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'completed', ms: expect.any(Number) }]);
    });

    it('answers skipped when the options need more rows than a warm-up may cost', async () => {
      const { posted, handle } = setup();
      await handle({ type: 'warm-up', template: testWarmUpTemplate({ trees: 10 }, 1, 1_000_000) });
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'skipped', ms: expect.any(Number) }]);
    });

    it('stops at its next pause when a job with models arrives; that job answers as on a worker that never warmed up', async () => {
      const { handle, posted, release, pausedAtLeast } = gated();
      const warming = handle({ type: 'warm-up', template });
      await pausedAtLeast(1);
      const job = handle(realJob(3));
      release();
      await Promise.all([warming, job]);
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'stopped', ms: expect.any(Number) }]);
      const fresh = setup();
      await fresh.handle(realJob(3));
      expect(outcomesOf(posted, 3)).toEqual(outcomesOf(fresh.posted, 3));
    });

    it('stops at its next pause on stop-warm-up (the page queue wants the core for another panel)', async () => {
      const { handle, posted, release, pausedAtLeast } = gated();
      const warming = handle({ type: 'warm-up', template });
      await pausedAtLeast(1);
      await handle({ type: 'stop-warm-up' });
      release();
      await warming;
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'stopped', ms: expect.any(Number) }]);
      // A stop is for the warm-up it found: a later one runs through.
      await handle({ type: 'warm-up', template });
      expect(warmedUp(posted).map((m) => m.type === 'warmed-up' && m.outcome)).toEqual(['stopped', 'completed']);
    });

    it('stops inside a later refresh as well', async () => {
      // The pauses of the warm-up's first job, run alone with the same hooks.
      let firstJobPauses = 0;
      const hooks = { pause: async () => void firstJobPauses++, isCancelled: () => false, progress: () => undefined };
      const own: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
      await runAnalyseJob(warmUpRequests(template)!.job(0), own, { ...hooks, engineStepRows: SCORE_CHUNK_ROWS });
      // Held at a pause after the first job's (in a refresh): those pauses and one more go through.
      const { handle, posted, release, pausedAtLeast } = gated(firstJobPauses + 1);
      const warming = handle({ type: 'warm-up', template });
      await pausedAtLeast(firstJobPauses + 2);
      await handle({ type: 'stop-warm-up' });
      release();
      await warming;
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'stopped', ms: expect.any(Number) }]);
    });

    it('a warm-up waiting behind a job is dropped by stop-warm-up, answered stopped, and never runs', async () => {
      const { handle, posted, release, pausedAtLeast } = gated();
      const job = handle(otherJob(5, 300, 1));
      await pausedAtLeast(1);
      await handle({ type: 'warm-up', template });
      await handle({ type: 'stop-warm-up' });
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'stopped', ms: 0 }]);
      release();
      await job;
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(outcomesOf(posted, 5)).toMatchObject({ type: 'analysed' });
      expect(warmedUp(posted)).toHaveLength(1);
    });

    it('goes on past a job without models (the empty part a pool sends to cancel older work)', async () => {
      const { handle, posted, release, pausedAtLeast } = gated();
      const warming = handle({ type: 'warm-up', template });
      await pausedAtLeast(1);
      await handle({ ...realJob(4), models: [] });
      release();
      await warming;
      expect(outcomesOf(posted, 4)).toMatchObject({ type: 'analysed', models: [] });
      expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'completed', ms: expect.any(Number) }]);
    });

    it('gives way to its peer: stops once the worker scores rows for the other worker, which get scored', async () => {
      const { handle, posted, release, pausedAtLeast } = gated();
      const { owner, close } = await linkedPeer(handle);
      try {
        const warming = handle({ type: 'warm-up', template });
        await pausedAtLeast(1);
        // Two chunks: the peer's scoring pauses between them, and is then serving.
        const answer = askPeer(owner, PEER_MIN_ROWS - 2 * SCORE_CHUNK_ROWS, SCORE_CHUNK_ROWS);
        await pausedAtLeast(2);
        release();
        await warming;
        expect(warmedUp(posted)).toEqual([{ type: 'warmed-up', outcome: 'stopped', ms: expect.any(Number) }]);
        expect((await answer).type).toBe('peer-scored');
      } finally {
        close();
      }
    });
  });
});
