import { type AnalyseState, explainAt, runAnalyseJob, takeRecycled } from './analyseJob';
import { BufferPool } from './bufferPool';
import { DetectorCache } from './detectorCache';
import {
  type AnalyseRequest,
  type Explanation,
  type ModelOutcome,
  type PanelModelOutcome,
  type ScoreRequest,
  type WorkerResponse,
  requestTransferables,
} from './messages';
import { PEER_MIN_ROWS } from './peerScoring';
import { pauseEvery, yieldToEventLoop } from './protocol';
import { JobCancelled, type JobHooks, runScoreJob } from './runScoreJob';
import { assignModels, mergeByWorker, splitByWorker, workersFor } from './workerPool';
import { WARM_UP_ATTEMPTS, type WarmUpOutcome, type WarmUpTemplate, warmUpTemplate } from './warmUp';
import { type WarmUpCandidate, type WarmUpQueue, pageWarmUps } from './warmUpQueue';

export type JobInput = Omit<ScoreRequest, 'type' | 'jobId'>;
export type JobResult = { status: 'done'; models: ModelOutcome[] } | { status: 'cancelled' };
export type AnalyseInput = Omit<AnalyseRequest, 'type' | 'jobId'>;
export type AnalyseResult = { status: 'done'; models: PanelModelOutcome[] } | { status: 'cancelled' };
export type ProgressListener = (fraction: number) => void;
/** Buffers of a model's answers the panel no longer draws (retiredOutputs), with the model's slot. */
export interface GivenBack {
  slot: string;
  buffers: ArrayBuffer[];
}

/** Runs scoring jobs; starting a job makes every earlier one stale (it resolves 'cancelled'). */
export interface Scorer {
  readonly kind: 'worker' | 'main-thread';
  /** Why scoring runs on the main thread, for the panel's notice. */
  readonly fallbackReason?: string;
  /** Scores model tables (the engine's rows as they are): the probes' and parity tests' job. */
  run(input: JobInput, onProgress?: ProgressListener): Promise<JobResult>;
  /** The panel's job: raw series in, what the panel draws out (see runAnalyseJob). */
  analyse(input: AnalyseInput, onProgress?: ProgressListener): Promise<AnalyseResult>;
  /** The top features of the anomaly at `time` of a slot's latest result; null when unknown. */
  explain(slot: string, time: number, top: number): Promise<Explanation | null>;
  /** Whether a model for slot + trainingKey is cached (so the job may omit its training rows). */
  hasModel(slot: string, trainingKey: string): boolean;
  /** Buffers of series the scorer no longer holds, for the panel's next copies (see BufferPool). */
  readonly buffers?: BufferPool;
  /**
   * Takes back buffers of answers the panel no longer draws (retiredOutputs): the workers write their next answers'
   * arrays into them (AnalyseRequest.returned). Absent: answers are not transferred (the main thread's).
   */
  giveBack?(given: GivenBack[]): void;
  /**
   * Whether a warm-up of the scorer's workers is waiting in the page's queue or under way (warmUp.ts): the panel
   * says so (data-warm-up), so that a test measuring a later job can start it on warm workers, as a user's change a
   * moment after a dashboard opened finds them. Absent: the scorer never warms up (the main thread).
   */
  readonly warmingUp?: boolean;
  /** Calls `listener` whenever warmingUp may have changed; returns the unsubscribe. */
  watchWarmUp?(listener: () => void): () => void;
  dispose(): void;
}

/** Raised when the worker fails before answering: the caller falls back to the main thread. */
export class WorkerStartError extends Error {}

/** The worker side: the inline bundle behind a same-origin blob: URL, jobs by id, tables transferred. */
export class WorkerScorer implements Scorer, WarmUpCandidate {
  readonly kind = 'worker';
  private nextJobId = 1;
  private answered = false;
  private readonly trained = new Map<string, string>();
  private readonly pending = new Map<
    number,
    {
      resolve: (r: JobResult | AnalyseResult) => void;
      reject: (e: Error) => void;
      onProgress?: ProgressListener;
      trainingKeys: Map<string, string>;
    }
  >();
  private nextExplainId = 1;
  private readonly explaining = new Map<number, (e: Explanation | null) => void>();

  /** Analyse jobs started: a refill after one is stale once a newer one has started. */
  private analyses = 0;
  /** The worker's latest warm-up: 'sent' until it answers, then how it ended (see warmUp). */
  private warmUpAnswer?: 'sent' | { outcome: WarmUpOutcome; ms: number };
  /** Warm-ups sent to this worker. */
  private warmUpsSent = 0;
  /** What the next warm-up sent copies (the latest analyse job's parameters); kept to send one that stopped again. */
  private warmUpWith?: WarmUpTemplate;
  /** Whether the warm-up under way was told to stop (once is enough). */
  private warmUpStopSent = false;
  /** The worker failed (fail() with a real error): it gets no warm-up any more. */
  private failed = false;
  /** Told whenever warmingUp may have changed (the pool's or the panel's watch). */
  onWarmUpChange?: () => void;
  /** Buffers given back (giveBack), sent with the next analyse job. */
  private returning: ArrayBuffer[] = [];

  /**
   * @param buffers the pool the panel copies into; a pool of workers shares one, and refills it itself
   * @param ownsBuffers whether this scorer refills `buffers` after its jobs [true]
   */
  constructor(
    private readonly worker: Worker,
    readonly buffers: BufferPool = new BufferPool(),
    private readonly ownsBuffers = true,
    /** How a failure of this worker is told (a pool fails all its workers: another may be waiting for this one). */
    onFailure?: (error: WorkerStartError) => void,
    /** The queue its warm-ups wait in: the page's, shared with every panel's workers. */
    private readonly warmUpQueue: WarmUpQueue = pageWarmUps
  ) {
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      const reason = this.answered
        ? `The scoring worker failed: ${event.message || 'unknown error'}`
        : `The scoring worker could not start (${event.message || 'blocked, e.g. by a Content-Security-Policy without worker-src blob:'})`;
      const error = new WorkerStartError(reason);
      if (onFailure) {
        onFailure(error);
      } else {
        this.fail(error);
      }
    };
  }

  run(input: JobInput, onProgress?: ProgressListener): Promise<JobResult> {
    const trainingKeys = new Map(input.models.filter((m) => m.training).map((m) => [m.slot, m.trainingKey]));
    return this.submit((jobId) => ({ type: 'score', jobId, ...input }), trainingKeys, onProgress) as Promise<JobResult>;
  }

  async analyse(input: AnalyseInput, onProgress?: ProgressListener): Promise<AnalyseResult> {
    const trainingKeys = new Map(input.models.filter((m) => m.mayTrain).map((m) => [m.slot, m.trainingKey]));
    const started = ++this.analyses;
    const returned = this.returning.filter((buffer) => buffer.byteLength > 0);
    this.returning = [];
    const result = (await this.submit(
      (jobId) => ({ type: 'analyse', jobId, ...input, ...(returned.length > 0 ? { returned } : {}) }),
      trainingKeys,
      onProgress
    )) as AnalyseResult;
    if (this.ownsBuffers) {
      refillAfter(result, this.buffers, () => started !== this.analyses);
    }
    return result;
  }

  /**
   * Has the worker run made-up jobs with the parameters of `input` in its idle time (warmUp.ts), so its first big
   * job meets compiled code. The warm-up waits in the page's queue (warmUpQueue.ts) for a core no job is using. One
   * stopped by real work (this panel's or, through the queue, another's) is asked for again behind a later job, up to
   * WARM_UP_ATTEMPTS sent in all (a panel refreshing faster than a warm-up lasts would otherwise start one after every
   * job); one that ran through, was skipped or failed is not. Not at once: a worker scoring rows for its peer looks
   * idle to the queue, and would spend every attempt starting and stopping.
   */
  warmUp(input: AnalyseInput): void {
    const answer = this.warmUpAnswer;
    const again = answer === undefined || (answer !== 'sent' && answer.outcome === 'stopped');
    if (again && !this.failed && this.warmUpsSent < WARM_UP_ATTEMPTS) {
      this.warmUpWith = warmUpTemplate(input);
      this.warmUpQueue.request(this);
      this.onWarmUpChange?.();
    }
  }

  /** A warm-up asked for and not answered yet: the page's queue holds it (see Scorer.warmingUp). */
  get warmingUp(): boolean {
    return this.warmUpQueue.holds(this);
  }

  /** The queue's turn for this worker (WarmUpCandidate). */
  startWarmUp(): void {
    this.warmUpsSent++;
    this.warmUpAnswer = 'sent';
    this.warmUpStopSent = false;
    // Set before the queue was asked (warmUp).
    this.worker.postMessage({ type: 'warm-up', template: this.warmUpWith as WarmUpTemplate });
  }

  /** The queue wants the core back for a job (WarmUpCandidate). */
  stopWarmUp(): void {
    if (this.warmUpAnswer === 'sent' && !this.warmUpStopSent) {
      this.warmUpStopSent = true;
      this.worker.postMessage({ type: 'stop-warm-up' });
    }
  }

  /** The latest warm-up: undefined before any, 'sent' until it answers, then how it ended. */
  get warmUpState(): 'sent' | { outcome: WarmUpOutcome; ms: number } | undefined {
    return this.warmUpAnswer;
  }

  giveBack(given: GivenBack[]): void {
    for (const { buffers } of given) {
      this.returning.push(...buffers);
    }
  }

  /** Hands the worker its end of a channel to another worker of the pool (see peerScoring.ts). */
  connectPeer(port: MessagePort): void {
    this.worker.postMessage({ type: 'peer', port }, [port]);
  }

  explain(slot: string, time: number, top: number): Promise<Explanation | null> {
    const jobId = this.nextExplainId++;
    return new Promise((resolve) => {
      this.explaining.set(jobId, resolve);
      this.worker.postMessage({ type: 'explain', jobId, slot, time, top });
    });
  }

  private submit(
    build: (jobId: number) => ScoreRequest | AnalyseRequest,
    trainingKeys: Map<string, string>,
    onProgress?: ProgressListener
  ): Promise<JobResult | AnalyseResult> {
    const jobId = this.nextJobId++;
    // Older jobs are stale: the worker drops them at its next pause; resolve them now so nobody waits.
    for (const [id, job] of this.pending) {
      this.worker.postMessage({ type: 'cancel', jobId: id });
      job.resolve({ status: 'cancelled' });
      this.pending.delete(id);
    }
    const request = build(jobId);
    return new Promise<JobResult | AnalyseResult>((resolve, reject) => {
      this.pending.set(jobId, { resolve, reject, onProgress, trainingKeys });
      try {
        this.worker.postMessage(request, requestTransferables(request));
      } catch (error) {
        this.pending.delete(jobId);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      this.tellQueueBusy();
    });
  }

  /** The page's warm-up queue counts this worker's core as taken while a job of it is in flight. */
  private tellQueueBusy(): void {
    this.warmUpQueue.setBusy(this, this.pending.size > 0);
  }

  hasModel(slot: string, trainingKey: string): boolean {
    return this.trained.get(slot) === trainingKey;
  }

  dispose(): void {
    this.analyses++; // a refill still to come is stale
    this.returning = [];
    this.warmUpQueue.withdraw(this); // first: nothing is started on a worker being terminated
    this.worker.terminate();
    this.onWarmUpChange?.();
    this.buffers.clear();
    this.fail(new JobCancelled());
  }

  private receive(message: WorkerResponse): void {
    this.answered = true;
    if (message.type === 'warmed-up') {
      this.warmUpAnswer = { outcome: message.outcome, ms: message.ms };
      this.warmUpQueue.finished(this);
      this.onWarmUpChange?.();
      return;
    }
    if (message.type === 'explanation') {
      this.explaining.get(message.jobId)?.(message.explanation);
      this.explaining.delete(message.jobId);
      return;
    }
    const job = this.pending.get(message.jobId);
    if (!job) {
      return; // a stale job's late answer
    }
    switch (message.type) {
      case 'progress':
        job.onProgress?.(message.done / message.total);
        return;
      case 'analysed':
        this.buffers.put(message.recycled ?? []);
      // falls through
      case 'result':
        // Mirror the worker's cache: a model trained in this job now sits in its slot.
        for (const model of message.models) {
          const key = job.trainingKeys.get(model.slot);
          if (model.ok && key !== undefined) {
            this.trained.set(model.slot, key);
          } else if (!model.ok) {
            // The worker may have dropped the slot's model (other data: replacedData) and not trained another: the
            // next job sends its training rows rather than ask for a model that is gone (a retry every refresh).
            this.trained.delete(model.slot);
          }
        }
        job.resolve({ status: 'done', models: message.models } as JobResult | AnalyseResult);
        break;
      case 'cancelled':
        job.resolve({ status: 'cancelled' });
        break;
      case 'error':
        job.reject(new Error(message.message));
        break;
    }
    this.pending.delete(message.jobId);
    this.tellQueueBusy();
  }

  /** Ends every job waiting for this worker: resolved cancelled for a JobCancelled, rejected with `error` else. */
  fail(error: Error): void {
    if (!(error instanceof JobCancelled)) {
      // A failed worker answers nothing more: its warm-up (under way or waiting) must not hold a core of the page.
      this.failed = true;
      this.warmUpQueue.withdraw(this);
      this.onWarmUpChange?.();
    }
    this.trained.clear();
    this.explaining.forEach((resolve) => resolve(null));
    this.explaining.clear();
    for (const job of this.pending.values()) {
      if (error instanceof JobCancelled) {
        job.resolve({ status: 'cancelled' });
      } else {
        job.reject(error);
      }
    }
    this.pending.clear();
    this.tellQueueBusy();
  }
}

/**
 * Several workers, for jobs of many models (a panel of many series): each model's slot lives on one worker (whose
 * cache holds its model), new slots are spread evenly, and a job runs on every worker in use at once, so a newer job
 * makes the older one stale on all of them. Jobs use one worker until one has enough models (or a table big enough
 * to share) for more; workers are started in pairs all the same, the second one idle until wanted: a panel whose
 * data grows (a longer range, more series) then finds it started and warmed up, not starting (its bundle parsed, its
 * code cold) while the job waits for it. Every worker warms up (warmUp.ts) in its idle time after an analyse job.
 */
export class WorkerPoolScorer implements Scorer {
  readonly kind = 'worker';
  private readonly workers: WorkerScorer[];
  /** Workers jobs are spread over: the first `inUse` of `workers` (the others wait, started ahead). */
  private inUse = 1;
  /** Slot → index of the worker that runs (and caches) its model. */
  private readonly homes = new Map<string, number>();
  /** One pool for all the workers: a buffer comes back from whichever worker held it. */
  readonly buffers = new BufferPool();
  /** Analyse jobs started (see WorkerScorer.analyses). */
  private analyses = 0;

  /**
   * @param first the worker already started
   * @param startWorker starts one more worker, or says why it cannot (the pool then stays as it is)
   * @param maxWorkers the pool's size (see poolSize)
   * @param warmUpQueue the queue its workers' warm-ups wait in [the page's]
   */
  constructor(
    first: Worker,
    private readonly startWorker: () => Worker | string,
    private readonly maxWorkers: number,
    private readonly warmUpQueue: WarmUpQueue = pageWarmUps
  ) {
    this.workers = [this.member(first)];
  }

  run(input: JobInput, onProgress?: ProgressListener): Promise<JobResult> {
    return this.spread(input, (worker, part, progress) => worker.run(part, progress), onProgress);
  }

  async analyse(input: AnalyseInput, onProgress?: ProgressListener): Promise<AnalyseResult> {
    // A table big enough to share its scoring wants its worker's peer started, however few the models.
    const big = input.models.some((m) => m.columns.some((c) => c.times.length >= PEER_MIN_ROWS));
    const started = ++this.analyses;
    const result = await this.spread(
      input,
      (worker, part, progress) => worker.analyse(part, progress),
      onProgress,
      big ? 2 : 1,
      // Right behind the job: a worker given a part starts its warm-up once its jobs have ended.
      () => this.workers.forEach((worker) => worker.warmUp(input))
    );
    refillAfter(result, this.buffers, () => started !== this.analyses);
    return result;
  }

  /** Each model's to the worker that answers for it (its slot's home), where its next answers are written. */
  giveBack(given: GivenBack[]): void {
    for (const model of given) {
      const home = this.homes.get(model.slot);
      if (home !== undefined) {
        this.workers[home].giveBack([model]);
      }
    }
  }

  explain(slot: string, time: number, top: number): Promise<Explanation | null> {
    const home = this.homes.get(slot);
    return home === undefined ? Promise.resolve(null) : this.workers[home].explain(slot, time, top);
  }

  /** Told whenever a worker's warmingUp changes. */
  onWarmUpChange?: () => void;

  /** Whether any worker's warm-up is waiting or under way (see Scorer.warmingUp). */
  get warmingUp(): boolean {
    return this.workers.some((worker) => worker.warmingUp);
  }

  /** Each worker's latest warm-up (see WorkerScorer.warmUpState), in the pool's order. */
  get warmUps(): Array<WorkerScorer['warmUpState']> {
    return this.workers.map((worker) => worker.warmUpState);
  }

  private async spread<I extends { models: Array<{ slot: string }> }, M>(
    input: I,
    runOn: (
      worker: WorkerScorer,
      part: I,
      onProgress: ProgressListener
    ) => Promise<{ status: 'done'; models: M[] } | { status: 'cancelled' }>,
    onProgress?: ProgressListener,
    minWorkers = 1,
    afterPosting?: () => void
  ): Promise<{ status: 'done'; models: M[] } | { status: 'cancelled' }> {
    this.grow(Math.max(workersFor(input.models.length, this.maxWorkers), Math.min(minWorkers, this.maxWorkers)));
    const count = this.inUse;
    const assignment = assignModels(
      input.models.map((m) => m.slot),
      this.homes,
      count
    );
    const parts = splitByWorker(input.models, assignment, count);
    const done = parts.map(() => 0);
    const total = Math.max(1, input.models.length);
    // Every worker in use gets its part, even an empty one: that is what cancels its share of an older job.
    const answers = this.workers.slice(0, count).map((worker, k) =>
      runOn(worker, { ...input, models: parts[k] }, (fraction) => {
        done[k] = fraction * parts[k].length;
        onProgress?.(done.reduce((a, b) => a + b, 0) / total);
      })
    );
    afterPosting?.();
    const results = await Promise.all(answers);
    const models: M[][] = [];
    for (const result of results) {
      if (result.status === 'cancelled') {
        return { status: 'cancelled' };
      }
      models.push(result.models);
    }
    return { status: 'done', models: mergeByWorker(models, assignment) };
  }

  hasModel(slot: string, trainingKey: string): boolean {
    const home = this.homes.get(slot);
    return home !== undefined && this.workers[home].hasModel(slot, trainingKey);
  }

  dispose(): void {
    this.analyses++; // a refill still to come is stale
    this.workers.forEach((worker) => worker.dispose());
    this.homes.clear();
  }

  /**
   * A worker of the pool: shares the pool's buffers (refilled by the pool), and its failure fails every worker's
   * jobs, so the panel falls back (ResilientScorer) instead of waiting for ever on a worker whose peer died.
   */
  private member(worker: Worker): WorkerScorer {
    const member = new WorkerScorer(
      worker,
      this.buffers,
      false,
      (error) => this.workers.forEach((w) => w.fail(error)),
      this.warmUpQueue
    );
    member.onWarmUpChange = () => this.onWarmUpChange?.();
    return member;
  }

  /** Puts `wanted` workers in use (at most the pool's size), starting workers in pairs (see the class). */
  private grow(wanted: number): void {
    const pairs = Math.min(this.maxWorkers, wanted + (wanted % 2));
    while (this.workers.length < pairs) {
      const started = this.startWorker();
      if (typeof started === 'string') {
        break; // the workers already running will do
      }
      this.workers.push(this.member(started));
      if (this.workers.length % 2 === 0 && typeof MessageChannel === 'function') {
        // Workers pair up (0 and 1, 2 and 3): each may share a big table's scoring with the other.
        const { port1, port2 } = new MessageChannel();
        this.workers[this.workers.length - 2].connectPeer(port1);
        this.workers[this.workers.length - 1].connectPeer(port2);
      }
    }
    this.inUse = Math.min(this.workers.length, Math.max(this.inUse, wanted));
  }
}

/** The fallback's work between two pauses (ms): well within its 100 ms per task, a few pauses per model saved. */
const MAIN_THREAD_BUDGET_MS = 12;

/** The fallback: the same job code on the main thread, yielding between small steps so the page stays responsive. */
export class MainThreadScorer implements Scorer {
  readonly kind = 'main-thread';
  private readonly cache = new DetectorCache();
  private readonly state: AnalyseState = { cache: this.cache, tables: new Map() };
  private latestJobId = 0;
  readonly buffers = new BufferPool();

  constructor(
    readonly fallbackReason: string,
    private readonly pause: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 0)),
    /** Work between two pauses (ms); 0: a pause after every step. */
    private readonly budgetMs = MAIN_THREAD_BUDGET_MS
  ) {}

  /** The job's pause: taken every budgetMs of work, not after every small step (see pauseEvery). */
  private budgetedPause(): () => Promise<void> {
    return pauseEvery(this.budgetMs, this.pause);
  }

  run(input: JobInput, onProgress?: ProgressListener): Promise<JobResult> {
    return this.latest(
      (jobId, hooks) => runScoreJob({ type: 'score', jobId, ...input }, this.cache, hooks),
      onProgress
    );
  }

  async analyse(input: AnalyseInput, onProgress?: ProgressListener): Promise<AnalyseResult> {
    const latest = this.latestJobId + 1; // the id latest() gives this job
    const result = await this.latest(
      (jobId, hooks) => runAnalyseJob({ type: 'analyse', jobId, ...input }, this.state, hooks),
      onProgress
    );
    // The tables replaced are no longer read here: the panel's next copies write into their series' arrays.
    this.buffers.put(takeRecycled(this.state));
    refillAfter(result, this.buffers, () => this.latestJobId !== latest);
    return result;
  }

  /** Runs a job as the latest one: an older job still running notices at its next pause and is dropped. */
  private async latest<M>(
    job: (jobId: number, hooks: JobHooks) => Promise<M[]>,
    onProgress?: ProgressListener
  ): Promise<{ status: 'done'; models: M[] } | { status: 'cancelled' }> {
    const jobId = ++this.latestJobId;
    try {
      const models = await job(jobId, {
        pause: this.budgetedPause(),
        isCancelled: () => jobId !== this.latestJobId,
        progress: (done, total) => onProgress?.(done / total),
      });
      return jobId === this.latestJobId ? { status: 'done', models } : { status: 'cancelled' };
    } catch (error) {
      if (error instanceof JobCancelled) {
        return { status: 'cancelled' };
      }
      throw error;
    }
  }

  async explain(slot: string, time: number, top: number): Promise<Explanation | null> {
    return explainAt(this.state, slot, time, top);
  }

  hasModel(slot: string, trainingKey: string): boolean {
    return this.cache.has(slot, trainingKey);
  }

  dispose(): void {
    this.latestJobId++;
    this.cache.clear();
    this.state.tables.clear();
    this.buffers.clear();
  }
}

/**
 * Scores in a worker when one starts, else on the main thread; switches for good when the worker fails before
 * answering (CSP blocking blob: workers makes the worker error right after construction) and reruns that job there.
 */
export class ResilientScorer implements Scorer {
  private current: Scorer | undefined;
  private readonly warmUpWatchers = new Set<() => void>();

  /**
   * @param startWorker returns a worker, or why none could start; it runs at the first job (again after dispose)
   * @param maxWorkers workers to spread jobs of many models over [1] (see poolSize)
   */
  constructor(
    private readonly startWorker: () => Worker | string,
    private readonly maxWorkers = 1
  ) {}

  get kind() {
    return this.current?.kind ?? 'worker';
  }

  get fallbackReason() {
    return this.current?.fallbackReason;
  }

  get buffers() {
    return this.current?.buffers;
  }

  giveBack(given: GivenBack[]): void {
    this.current?.giveBack?.(given);
  }

  run(input: JobInput, onProgress?: ProgressListener): Promise<JobResult> {
    return this.withFallback(input.models, (scorer) => scorer.run(input, onProgress));
  }

  analyse(input: AnalyseInput, onProgress?: ProgressListener): Promise<AnalyseResult> {
    return this.withFallback(input.models, (scorer) => scorer.analyse(input, onProgress));
  }

  explain(slot: string, time: number, top: number): Promise<Explanation | null> {
    return this.current?.explain(slot, time, top) ?? Promise.resolve(null);
  }

  get warmingUp(): boolean {
    return this.current?.warmingUp ?? false;
  }

  watchWarmUp(listener: () => void): () => void {
    this.warmUpWatchers.add(listener);
    return () => this.warmUpWatchers.delete(listener);
  }

  private readonly tellWarmUpWatchers = () => this.warmUpWatchers.forEach((listener) => listener());

  private async withFallback<R>(
    models: Array<{ slot: string }>,
    runOn: (scorer: Scorer) => Promise<R>
  ): Promise<R | { status: 'done'; models: Array<{ slot: string; ok: false; code: string; message: string }> }> {
    if (!this.current) {
      const started = this.startWorker();
      if (typeof started === 'string') {
        this.current = new MainThreadScorer(started);
      } else {
        const workers =
          this.maxWorkers > 1
            ? new WorkerPoolScorer(started, this.startWorker, this.maxWorkers)
            : new WorkerScorer(started);
        workers.onWarmUpChange = this.tellWarmUpWatchers;
        this.current = workers;
      }
    }
    const scorer = this.current;
    try {
      return await runOn(scorer);
    } catch (error) {
      if (!(error instanceof WorkerStartError) || scorer !== this.current) {
        throw error;
      }
      scorer.dispose();
      this.current = new MainThreadScorer(error.message);
      // The job's tables were transferred to the dead worker; the caller resends them on 'model-missing'.
      return {
        status: 'done',
        models: models.map((m) => ({ slot: m.slot, ok: false, code: 'model-missing', message: error.message })),
      };
    }
  }

  hasModel(slot: string, trainingKey: string): boolean {
    return this.current?.hasModel(slot, trainingKey) ?? false;
  }

  /** Stops the worker and drops the models; the next run starts afresh. */
  dispose(): void {
    this.current?.dispose();
    this.current = undefined;
    this.tellWarmUpWatchers();
  }
}

/**
 * Starts the inline worker from a blob: URL, or says why it cannot (no Worker, no bundled source, constructor throws
 * e.g. under a CSP without worker-src blob:).
 */
export function startInlineWorker(source: string): Worker | string {
  if (typeof Worker === 'undefined' || typeof URL.createObjectURL !== 'function') {
    return 'Web Workers are not available here';
  }
  if (!source) {
    return 'The scoring worker is not part of this build';
  }
  let url: string | undefined;
  try {
    url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    return new Worker(url, { name: 'telemetry-anomaly-scorer' });
  } catch (error) {
    return `The scoring worker could not start (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    if (url) {
      // The worker keeps its own reference to the script once constructed.
      const created = url;
      setTimeout(() => URL.revokeObjectURL(created), 10_000);
    }
  }
}

/**
 * After a job that is done, the pool makes the memory its copies missed, once the thread is idle (see
 * BufferPool.refill); the panel's next copies (a refresh) then write into memory already used.
 */
function refillAfter(result: { status: string }, buffers: BufferPool, isStale: () => boolean): void {
  if (result.status === 'done') {
    buffers.refillWhenIdle(yieldToEventLoop, isStale);
  }
}
