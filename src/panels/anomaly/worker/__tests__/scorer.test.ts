import { dateTime } from '@grafana/data';
import { AnomalyDetector } from '@telemetry-analyzer/engine';
import { analysePanel } from '../../analysis/analysePanel';
import { withDefaults } from '../../options/defaults';
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { toDetectorOptions } from '../../model/detectorOptions';
import { START, STEP, prometheusFrame, syntheticSeries, times } from '../../testing/frames';
import { PEER_MIN_ROWS } from '../peerScoring';
import { WARM_UP_ATTEMPTS } from '../warmUp';
import { WarmUpQueue } from '../warmUpQueue';
import { type AnalyseRequest, type WorkerRequest, type WorkerResponse, requestTransferables } from '../messages';
import { createRequestHandler } from '../protocol';
import { BufferPool } from '../bufferPool';
import {
  type AnalyseInput,
  type JobInput,
  type GivenBack,
  MainThreadScorer,
  ResilientScorer,
  WorkerPoolScorer,
  WorkerScorer,
  startInlineWorker,
} from '../scorer';

/** Stands in for a Worker: runs the real request handler, asynchronously, like a worker thread would. */
class InProcessWorker {
  onmessage: ((e: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  readonly sent: WorkerRequest[] = [];
  terminated = false;
  private readonly handle = createRequestHandler((message) =>
    setTimeout(() => this.onmessage?.({ data: message } as MessageEvent))
  );

  postMessage(message: WorkerRequest) {
    this.sent.push(message);
    setTimeout(() => void this.handle(message));
  }

  terminate() {
    this.terminated = true;
  }
}

/** A worker the browser refuses to run (CSP without worker-src blob:): it errors right after it is created. */
class BlockedWorker extends InProcessWorker {
  override postMessage(message: WorkerRequest) {
    this.sent.push(message);
    setTimeout(() => this.onerror?.({ message: '', preventDefault() {} } as ErrorEvent));
  }
}

const values = syntheticSeries(200, [120]);
const table = () => ({
  timestamps: Float64Array.from(values, (_, i) => i * 60_000),
  columns: [{ name: 'cpu', values: Float64Array.from(values) }],
});
const job = (withTraining: boolean): JobInput => ({
  detector: { features: { window: 12, lags: 1 }, forest: { nEstimators: 30, seed: 1 } },
  contamination: 0.01,
  explainTop: 3,
  models: [{ slot: 'cpu', trainingKey: 'k', table: table(), training: withTraining ? table() : undefined }],
});

/** An analyse job of one series of `n` points ([900, 100 000] anomalous), `trees` trees. */
function analyseInput(n: number, trees: number): AnalyseInput {
  const options = withDefaults({ trees });
  const series = syntheticSeries(n, [900, 100_000]);
  return {
    detector: toDetectorOptions(options),
    contamination: options.contamination,
    models: [
      {
        slot: 'big',
        trainingKey: 'k',
        mayTrain: true,
        columns: [{ name: 'big', times: Float64Array.from(times(n)), values: Float64Array.from(series) }],
      },
    ],
    grid: { fromMs: START, toMs: START + (n - 1) * STEP, columns: 800 },
    rules: { minConsecutive: 1, direction: 'both' },
    window: options.window,
    intervalMs: STEP,
    check: { count: 19, reason: 'test', where: 'in the visible range', trainsOnScoredRows: true },
  };
}

/** Starts InProcessWorkers for a pool, keeping each. */
function startedWorkers(): { started: InProcessWorker[]; start: () => Worker } {
  const started: InProcessWorker[] = [];
  const start = () => {
    const worker = new InProcessWorker();
    started.push(worker);
    return worker as unknown as Worker;
  };
  return { started, start };
}

/** Waits until every worker of the pool has answered its warm-up. */
async function warmedUp(scorer: WorkerPoolScorer) {
  while (scorer.warmUps.some((w) => w === undefined || w === 'sent')) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

describe('scorers', () => {
  it('cannot start the inline worker under jsdom and says why', () => {
    expect(startInlineWorker('self.onmessage = () => {}')).toMatch(/not available/);
  });

  it('WorkerScorer: a new job cancels the stale one (cancel message, stale job resolves cancelled) and mirrors the cache', async () => {
    const worker = new InProcessWorker();
    const scorer = new WorkerScorer(worker as unknown as Worker);
    const stale = scorer.run(job(true));
    const current = scorer.run(job(true));
    await expect(stale).resolves.toEqual({ status: 'cancelled' });
    const result = await current;
    expect(result.status).toBe('done');
    expect(worker.sent.map((m) => m.type)).toEqual(['score', 'cancel', 'score']);
    expect(scorer.hasModel('cpu', 'k')).toBe(true);
    expect(scorer.hasModel('cpu', 'other')).toBe(false);
    // A later job without training rows is served from the worker's cached model.
    const again = await scorer.run(job(false));
    expect(again.status === 'done' && again.models[0].ok && !again.models[0].trained).toBe(true);
  });

  it('WorkerScorer forgets a mirrored model when the worker answers without it (dropped for other data)', async () => {
    const worker = new InProcessWorker();
    const scorer = new WorkerScorer(worker as unknown as Worker);
    const input = analyseInput(400, 20);
    expect((await scorer.analyse(input)).status).toBe('done');
    expect(scorer.hasModel('big', 'k')).toBe(true);
    // Other values under the same slot and key, sent as if the model were there (mayTrain false): it is not.
    const column = input.models[0].columns[0];
    const other = { ...column, times: column.times.slice(), values: column.values.map((v) => v * 3 + 200) };
    const answer = await scorer.analyse({
      ...input,
      models: [{ ...input.models[0], columns: [other], mayTrain: false }],
    });
    expect(answer.status === 'done' && answer.models[0]).toMatchObject({ ok: false, code: 'model-missing' });
    // Before, the mirror kept it: every later refresh asked for the model that was gone, and retried.
    expect(scorer.hasModel('big', 'k')).toBe(false);
  });

  it('WorkerScorer sends buffers given back with its next job, and the worker writes that answer into them', async () => {
    const worker = new InProcessWorker();
    const scorer = new WorkerScorer(worker as unknown as Worker);
    const input = analyseInput(2000, 20);
    const first = await scorer.analyse(input);
    if (first.status !== 'done' || !first.models[0].ok) {
      throw new Error('the first job failed');
    }
    const drawn = first.models[0];
    const arrays = [drawn.scores, drawn.series[0].line, drawn.series[0].marks, drawn.series[0].markTimes];
    const copies = arrays.map((a) => a.slice());
    const given = arrays.map((a) => a.buffer as ArrayBuffer);
    // Whatever the buffers hold is not read: the answer is written over all of it.
    arrays.forEach((a) => a.fill(12345));
    scorer.giveBack([{ slot: 'big', buffers: given }]);
    const again = await scorer.analyse(input);
    const request = worker.sent[worker.sent.length - 1];
    expect(request.type === 'analyse' && request.returned).toEqual(given);
    expect(requestTransferables(request as AnalyseRequest)).toEqual(expect.arrayContaining(given));
    if (again.status !== 'done' || !again.models[0].ok) {
      throw new Error('the second job failed');
    }
    // The same rows, the same answer, in the buffers given back (in process: a worker would get them transferred).
    const redrawn = again.models[0];
    const answer = [redrawn.scores, redrawn.series[0].line, redrawn.series[0].marks, redrawn.series[0].markTimes];
    expect(answer.every((a) => given.includes(a.buffer as ArrayBuffer))).toBe(true);
    expect(answer).toEqual(copies);
    // Sent once: the job after carries none.
    await scorer.analyse(input);
    const third = worker.sent[worker.sent.length - 1];
    expect(third.type === 'analyse' && third.returned).toBeUndefined();
  });

  it("WorkerPoolScorer gives each worker back its own models' buffers (those it writes their next answers into)", async () => {
    const { started, start } = startedWorkers();
    const scorer = new WorkerPoolScorer(start(), start, 2);
    const one = analyseInput(400, 20);
    const input = {
      ...one,
      models: Array.from({ length: 8 }, (_, i) => ({ ...one.models[0], slot: `series-${i}` })),
    };
    const first = await scorer.analyse(input);
    if (first.status !== 'done') {
      throw new Error('expected a result');
    }
    const given = first.models.map((m) => ({
      slot: m.slot,
      buffers: m.ok ? [m.scores, ...m.series.flatMap((s) => [s.line, s.marks, s.markTimes])].map((a) => a.buffer) : [],
    })) as GivenBack[];
    scorer.giveBack(given);
    await scorer.analyse(input);
    for (const worker of started) {
      const request = worker.sent.filter((m) => m.type === 'analyse').pop() as AnalyseRequest;
      const own = new Set(request.models.map((m) => m.slot));
      const expected = given.filter((g) => own.has(g.slot)).flatMap((g) => g.buffers);
      expect(request.returned).toEqual(expected);
    }
    expect(
      started.map((w) => (w.sent.filter((m) => m.type === 'analyse').pop() as AnalyseRequest).models.length)
    ).toEqual([4, 4]);
  });

  it('WorkerPoolScorer spreads many models over its workers, answers in job order, and cancels on every worker', async () => {
    const { started, start } = startedWorkers();
    const scorer = new WorkerPoolScorer(start(), start, 3);
    const many = (withTraining: boolean): JobInput => ({
      ...job(withTraining),
      models: Array.from({ length: 12 }, (_, i) => ({
        slot: `series-${i}`,
        trainingKey: 'k',
        table: table(),
        training: withTraining ? table() : undefined,
      })),
    });
    const progress: number[] = [];
    const stale = scorer.run(many(true));
    const current = scorer.run(many(true), (fraction) => progress.push(fraction));
    await expect(stale).resolves.toEqual({ status: 'cancelled' });
    const result = await current;
    if (result.status !== 'done') {
      throw new Error('expected a result');
    }
    expect(started).toHaveLength(3);
    expect(result.models.map((m) => m.slot)).toEqual(many(false).models.map((m) => m.slot));
    expect(result.models.every((m) => m.ok)).toBe(true);
    // Each worker got 4 models, and the stale job was cancelled on each.
    for (const worker of started) {
      const scored = worker.sent.filter((m) => m.type === 'score');
      expect(scored.map((m) => m.type === 'score' && m.models.length)).toEqual([4, 4]);
      expect(worker.sent.map((m) => m.type)).toEqual(['score', 'cancel', 'score']);
    }
    expect(progress[progress.length - 1]).toBe(1);
    // The models stay where they were trained: a job without training rows finds every one of them.
    expect(many(false).models.every((m) => scorer.hasModel(m.slot, 'k'))).toBe(true);
    const again = await scorer.run(many(false));
    expect(again.status === 'done' && again.models.every((m) => m.ok && !m.trained)).toBe(true);
    // A small job runs on the workers its slots live on; the other workers only get an empty (cancelling) part.
    const few = { ...job(false), models: many(false).models.slice(0, 2) };
    const small = await scorer.run(few);
    expect(small.status === 'done' && small.models.map((m) => m.ok && !m.trained)).toEqual([true, true]);
  });

  it('WorkerPoolScorer starts a second worker for one table of PEER_MIN_ROWS rows and links the two as peers', async () => {
    const { started, start } = startedWorkers();
    let fromTransfer: jest.SpyInstance | undefined;
    // jsdom has no MessageChannel; Node's ports are real ones.
    const channels: NodeMessageChannel[] = [];
    globalThis.MessageChannel = class {
      constructor() {
        const channel = new NodeMessageChannel();
        channels.push(channel);
        return channel;
      }
    } as unknown as typeof MessageChannel;
    try {
      const scorer = new WorkerPoolScorer(start(), start, 2);
      fromTransfer = jest.spyOn(AnomalyDetector, 'fromTransfer');
      const result = await scorer.analyse(analyseInput(PEER_MIN_ROWS, 10));
      expect(result.status === 'done' && result.models[0].ok).toBe(true);
      expect(started).toHaveLength(2);
      expect(started.map((worker) => worker.sent[0].type)).toEqual(['peer', 'peer']);
      // The second worker scored half of the table: it made the detector it was sent.
      expect(fromTransfer).toHaveBeenCalledTimes(1);
      // The model lives on the first worker; the second only got the job's empty part.
      expect(
        started.map((worker) =>
          worker.sent.filter((m) => m.type === 'analyse').map((m) => m.type === 'analyse' && m.models.length)
        )
      ).toEqual([[1], [0]]);
      scorer.dispose();
    } finally {
      channels.forEach((channel) => channel.port1.close());
      delete (globalThis as { MessageChannel?: unknown }).MessageChannel;
      fromTransfer?.mockRestore();
    }
  });

  it('WorkerPoolScorer starts workers in pairs and warms each up behind its first analyse job, once', async () => {
    const { started, start } = startedWorkers();
    const scorer = new WorkerPoolScorer(start(), start, 4, new WarmUpQueue(2));
    const input = analyseInput(300, 10);
    const first = await scorer.analyse(input);
    expect(first.status === 'done' && first.models[0].ok).toBe(true);
    // One model: a pair of workers (not the pool's 4), the second idle but warming up.
    expect(started.map((worker) => worker.sent.map((m) => m.type))).toEqual([['analyse', 'warm-up'], ['warm-up']]);
    await warmedUp(scorer);
    expect(scorer.warmUps).toEqual([
      { outcome: 'completed', ms: expect.any(Number) },
      { outcome: 'completed', ms: expect.any(Number) },
    ]);
    await scorer.analyse(input);
    expect(started.map((worker) => worker.sent.map((m) => m.type))).toEqual([
      ['analyse', 'warm-up', 'analyse'],
      ['warm-up'],
    ]);
    scorer.dispose();
  });

  it('WorkerPoolScorer says a warm-up is waiting or under way until every worker has answered (data-warm-up)', async () => {
    const { start } = startedWorkers();
    // One core: the second worker's warm-up waits in the queue while the first one's runs.
    const scorer = new WorkerPoolScorer(start(), start, 2, new WarmUpQueue(1));
    const seen: boolean[] = [];
    scorer.onWarmUpChange = () => seen.push(scorer.warmingUp);
    expect(scorer.warmingUp).toBe(false);
    const job = scorer.analyse(analyseInput(300, 10));
    // Asked for right behind the job's posting, before its answer.
    expect(scorer.warmingUp).toBe(true);
    await job;
    await warmedUp(scorer);
    expect(scorer.warmingUp).toBe(false);
    // Told on every change: each worker's warm-up asked for, then answered; the pool is idle only after the last.
    expect(seen).toEqual([true, true, true, false]);
    scorer.dispose();
  });

  it('WorkerPoolScorer sends a warm-up that a real job stopped again behind a later job, up to WARM_UP_ATTEMPTS', async () => {
    const { started, start } = startedWorkers();
    const scorer = new WorkerPoolScorer(start(), start, 2, new WarmUpQueue(2));
    const input = analyseInput(300, 10);
    // Jobs one after the other, as a panel refreshing faster than a warm-up lasts sends them: each warm-up of the
    // first worker starts when its job has ended and is stopped by the next job; it is sent again with the job after.
    for (let job = 0; job < 2 * WARM_UP_ATTEMPTS + 2; job++) {
      await scorer.analyse(input);
    }
    await warmedUp(scorer);
    expect(started[0].sent.filter((m) => m.type === 'warm-up')).toHaveLength(WARM_UP_ATTEMPTS);
    expect(scorer.warmUps[0]).toEqual({ outcome: 'stopped', ms: expect.any(Number) });
    // The idle second worker's warm-up ran through: sent once.
    expect(started[1].sent.filter((m) => m.type === 'warm-up')).toHaveLength(1);
    expect(scorer.warmUps[1]).toEqual({ outcome: 'completed', ms: expect.any(Number) });
    scorer.dispose();
  });

  it("panels share the page's cores: a warm-up never starts on a core another panel's job is using, and gives it back", async () => {
    const queue = new WarmUpQueue(2);
    // Panel b's job runs on and on: its worker takes its messages and never answers.
    const hanging = new InProcessWorker();
    hanging.postMessage = (message: WorkerRequest) => void hanging.sent.push(message);
    const panelB = new WorkerScorer(hanging as unknown as Worker, undefined, undefined, undefined, queue);
    void panelB.analyse(analyseInput(300, 10));
    const { started, start } = startedWorkers();
    const panelA = new WorkerPoolScorer(start(), start, 2, queue);
    const warmUpsOf = (worker: InProcessWorker) => worker.sent.filter((m) => m.type === 'warm-up').length;
    await panelA.analyse(analyseInput(300, 10));
    // One core has b's job: while a's job ran, a's two workers took both; then one of them warms up (the first asked).
    expect(started.map(warmUpsOf)).toEqual([1, 0]);
    while (panelA.warmUps[0] === 'sent') {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(panelA.warmUps[0]).toEqual({ outcome: 'completed', ms: expect.any(Number) });
    // Its core free again, the other worker's turn.
    expect(started.map(warmUpsOf)).toEqual([1, 1]);
    // A third job on the page takes that warm-up's core: it is told to stop, answers stopped, and waits again.
    const panelC = new WorkerScorer(new InProcessWorker() as unknown as Worker, undefined, undefined, undefined, queue);
    const third = panelC.analyse(analyseInput(300, 10));
    expect(started[1].sent.map((m) => m.type)).toEqual(['warm-up', 'stop-warm-up']);
    await third;
    await warmedUp(panelA);
    // (Whether it stopped or had already run through depends on timing; the protocol tests gate a stop exactly.)
    panelA.dispose();
    panelB.dispose();
    panelC.dispose();
    expect(queue.counts).toEqual({ busy: 0, waiting: 0, warming: 0, stopping: 0 });
  });

  it('a worker that fails gives its core back to the page queue, and is sent no warm-up after', async () => {
    const queue = new WarmUpQueue(2);
    // A worker that takes its messages and never answers, like a dead one.
    const silent = new InProcessWorker();
    silent.postMessage = (message: WorkerRequest) => void silent.sent.push(message);
    const scorer = new WorkerScorer(silent as unknown as Worker, undefined, undefined, undefined, queue);
    let told = 0;
    scorer.onWarmUpChange = () => told++;
    scorer.warmUp(analyseInput(300, 10));
    expect(queue.counts.warming).toBe(1);
    expect([scorer.warmingUp, told]).toEqual([true, 1]);
    silent.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent);
    expect(queue.counts).toEqual({ busy: 0, waiting: 0, warming: 0, stopping: 0 });
    // Its warm-up will never answer: the panel no longer says one is under way (data-warm-up).
    expect([scorer.warmingUp, told]).toEqual([false, 2]);
    scorer.warmUp(analyseInput(300, 10));
    expect(queue.counts).toEqual({ busy: 0, waiting: 0, warming: 0, stopping: 0 });
    expect(silent.sent.filter((m) => m.type === 'warm-up')).toHaveLength(1);
  });

  it('WorkerPoolScorer: a worker that fails fails the jobs waiting on every worker (one may wait for it as its peer)', async () => {
    /** A worker that takes its messages and never answers: its job stays pending. */
    class SilentWorker extends InProcessWorker {
      override postMessage(message: WorkerRequest) {
        this.sent.push(message);
      }
    }
    const workers: SilentWorker[] = [];
    const start = () => {
      const worker = new SilentWorker();
      workers.push(worker);
      return worker as unknown as Worker;
    };
    const scorer = new WorkerPoolScorer(start(), start, 2);
    const job = scorer.analyse(analyseInput(PEER_MIN_ROWS, 10));
    expect(workers).toHaveLength(2);
    workers[1].onerror?.({ message: 'out of memory', preventDefault() {} } as ErrorEvent);
    await expect(job).rejects.toThrow(/scoring worker could not start \(out of memory\)/);
  });

  it('ResilientScorer falls back to the main thread when the worker errors before answering', async () => {
    const scorer = new ResilientScorer(() => new BlockedWorker() as unknown as Worker);
    const first = await scorer.run(job(true));
    expect(first.status === 'done' && first.models[0]).toMatchObject({ ok: false, code: 'model-missing' });
    expect(scorer.kind).toBe('main-thread');
    expect(scorer.fallbackReason).toMatch(/could not start/);
    const second = await scorer.run(job(true));
    expect(second.status === 'done' && second.models[0].ok).toBe(true);
  });

  it('analysePanel recovers from the fallback by resending the training rows', async () => {
    const scorer = new ResilientScorer(() => new BlockedWorker() as unknown as Worker);
    const analysis = await analysePanel({
      frames: [prometheusFrame(values, { __name__: 'cpu' })],
      options: withDefaults({ trees: 30 }),
      // The frame's own times: points outside the visible range are left out.
      visibleRange: {
        from: dateTime(START),
        to: dateTime(START + (values.length - 1) * STEP),
        raw: { from: 'now-1h', to: 'now' },
      },
      scorer,
      columns: 300,
      intervalMs: STEP,
      pause: () => Promise.resolve(),
      isStale: () => false,
      fetchFrames: () => Promise.reject(new Error('not used')),
    });
    expect(analysis.status).toBe('done');
    expect(analysis.status === 'done' && analysis.models[0].outcome?.trained).toBe(true);
    expect(scorer.kind).toBe('main-thread');
  });

  it('MainThreadScorer yields between steps and drops a job made stale by a newer one', async () => {
    let pauses = 0;
    // A budget of 0 ms: a pause after every step (by default, after every 12 ms of steps).
    const scorer = new MainThreadScorer(
      'no workers',
      () => {
        pauses++;
        return new Promise((resolve) => setTimeout(resolve, 0));
      },
      0
    );
    const stale = scorer.run(job(true));
    const current = scorer.run(job(true));
    await expect(stale).resolves.toEqual({ status: 'cancelled' });
    await expect(current).resolves.toMatchObject({ status: 'done' });
    expect(pauses).toBeGreaterThan(1);
  });

  it.each(['worker', 'pool', 'main thread'])(
    "%s: a finished analyse job refills the panel's buffer pool once the thread is idle, a cancelled one does not",
    async (kind) => {
      const refill = jest.spyOn(BufferPool.prototype, 'refill');
      const { start } = startedWorkers();
      const scorer =
        kind === 'worker'
          ? new WorkerScorer(start())
          : kind === 'pool'
            ? new WorkerPoolScorer(start(), start, 2)
            : new MainThreadScorer('no workers');
      try {
        const stale = scorer.analyse(analyseInput(300, 10));
        const current = scorer.analyse(analyseInput(300, 10));
        await expect(stale).resolves.toEqual({ status: 'cancelled' });
        await expect(current).resolves.toMatchObject({ status: 'done' });
        expect(refill).not.toHaveBeenCalled(); // not in the task that answers the job
        while (refill.mock.calls.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        expect(refill.mock.calls).toHaveLength(1);
        expect(refill.mock.contexts[0]).toBe(scorer.buffers);
        // Stale once another job starts on the scorer (the panel's copies for it are its own refill's business).
        const isStale = refill.mock.calls[0][1]!;
        expect(isStale()).toBe(false);
        const next = scorer.analyse(analyseInput(300, 10));
        expect(isStale()).toBe(true);
        await next;
        while (refill.mock.calls.length < 2) {
          await new Promise((resolve) => setTimeout(resolve, 0)); // its own refill, before the spy goes
        }
      } finally {
        refill.mockRestore();
        scorer.dispose();
      }
    }
  );
});
