import { DetectorCache } from './detectorCache';
import { type WorkerRequest, type WorkerResponse, responseTransferables } from './messages';
import { type AnalyseState, explainAt, runAnalyseJob, takeRecycled } from './analyseJob';
import { JobCancelled, runScoreJob } from './runScoreJob';
import { PeerLink } from './peerScoring';
import { SCORE_CHUNK_ROWS } from '../pipeline/chunkedScore';
import { type WarmUpOutcome, type WarmUpTemplate, warmUpRequests } from './warmUp';

/** The least time between two progress messages of a job (ms). */
export const PROGRESS_INTERVAL_MS = 100;

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

/**
 * The worker's message handling, free of worker globals so it can be tested directly: a 'score' request answers
 * with progress and then exactly one of result / cancelled / error. A newer 'score' makes every older job stale:
 * they stop at their next pause and answer 'cancelled', as does a job named by a 'cancel'. A 'warm-up' runs made-up
 * jobs (warmUp.ts) when no job runs here, and answers 'warmed-up': one that arrives while a job runs (the pool posts
 * it right behind a job) waits for the jobs to end; any job with models, rows scored for the peer, or a
 * 'stop-warm-up' (the page's queue wants the core for another panel's job: warmUpQueue.ts) stops it at its next pause.
 */
export function createRequestHandler(post: Post, pause: () => Promise<void> = yieldToEventLoop) {
  const cache = new DetectorCache();
  const state: AnalyseState = { cache, tables: new Map() };
  let latestJobId = -1;
  const cancelled = new Set<number>();
  /** Jobs under way here (a peer's request for help is declined while there are any). */
  let running = 0;
  /** Jobs with models received: a warm-up under way stops at its next pause once this changes. */
  let realJobs = 0;
  /** A warm-up that arrived while jobs ran: it starts when the last of them ends. */
  let waitingWarmUp: WarmUpTemplate | undefined;
  /** 'stop-warm-up' requests received: a warm-up under way stops at its next pause once this changes. */
  let stops = 0;
  const hooksOf = (isCancelled: () => boolean, progress: (done: number, total: number) => void) => ({
    pause,
    isCancelled,
    // A chunk per engine step: a cancel is noticed within a chunk (see JobHooks.engineStepRows).
    engineStepRows: SCORE_CHUNK_ROWS,
    progress,
  });

  const warmUp = async (template: WarmUpTemplate) => {
    const startedAt = performance.now();
    const seen = realJobs;
    const seenStops = stops;
    const isCancelled = () =>
      running > 0 || realJobs !== seen || stops !== seenStops || state.peer?.isServing() === true;
    // A state of its own, working arrays included: nothing a warm-up touches is a real job's, whenever it runs.
    const own: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
    let outcome: WarmUpOutcome = 'completed';
    try {
      const jobs = warmUpRequests(template);
      if (!jobs) {
        outcome = 'skipped';
      }
      for (let index = 0; jobs && index < jobs.count; index++) {
        await runAnalyseJob(
          jobs.job(index),
          own,
          hooksOf(isCancelled, () => undefined)
        );
        // The buffers of the series a refresh replaced: a real job hands them back to the page, a warm-up drops them
        // (kept, every earlier job's series stayed alive until the warm-up's end).
        takeRecycled(own);
      }
    } catch (error) {
      // Stopped by real work; anything else is a fault of the warm-up, not worth a second try.
      outcome = error instanceof JobCancelled ? 'stopped' : 'failed';
    }
    post({ type: 'warmed-up', outcome, ms: performance.now() - startedAt }, []);
  };

  return async function handle(request: WorkerRequest): Promise<void> {
    if (request.type === 'peer') {
      state.peer = new PeerLink(request.port, () => running > 0, pause);
      return;
    }
    if (request.type === 'cancel') {
      cancelled.add(request.jobId);
      state.peer?.cancelOutstanding(); // a job waiting for its peer's half ends now
      return;
    }
    if (request.type === 'warm-up') {
      if (running > 0) {
        waitingWarmUp = request.template;
        return;
      }
      await warmUp(request.template);
      return;
    }
    if (request.type === 'stop-warm-up') {
      stops++;
      if (waitingWarmUp) {
        // It never started; it still answers, as every warm-up sent does.
        waitingWarmUp = undefined;
        post({ type: 'warmed-up', outcome: 'stopped', ms: 0 }, []);
      }
      return;
    }
    if (request.type === 'explain') {
      // Not a job: answers at once and cancels nothing (explain ids are their own sequence).
      let explanation = null;
      try {
        explanation = explainAt(state, request.slot, request.time, request.top);
      } catch {
        explanation = null;
      }
      post({ type: 'explanation', jobId: request.jobId, explanation }, []);
      return;
    }
    if (request.jobId > latestJobId) {
      state.peer?.cancelOutstanding(); // the older jobs are stale: their peers' halves are no longer wanted
    }
    latestJobId = Math.max(latestJobId, request.jobId);
    realJobs += request.models.length > 0 ? 1 : 0;
    const jobId = request.jobId;
    const isCancelled = () => cancelled.has(jobId) || jobId < latestJobId;
    const send = (message: WorkerResponse) => post(message, responseTransferables(message));
    running++;
    try {
      if (isCancelled()) {
        throw new JobCancelled();
      }
      // Progress at most every PROGRESS_INTERVAL_MS, and when the job is through: a message per model of 50 took
      // 17 ms of a refresh's worker time in Chromium (and woke the main thread 50 times) for a bar nobody sees move.
      let progressAt = performance.now();
      const hooks = hooksOf(isCancelled, (done, total) => {
        const now = performance.now();
        if (done >= total || now - progressAt >= PROGRESS_INTERVAL_MS) {
          progressAt = now;
          send({ type: 'progress', jobId, done, total });
        }
      });
      if (request.type === 'analyse') {
        const models = await runAnalyseJob(request, state, hooks);
        send(
          isCancelled()
            ? { type: 'cancelled', jobId }
            : { type: 'analysed', jobId, models, recycled: takeRecycled(state) }
        );
      } else {
        const models = await runScoreJob(request, cache, hooks);
        send(isCancelled() ? { type: 'cancelled', jobId } : { type: 'result', jobId, models });
      }
    } catch (error) {
      if (error instanceof JobCancelled) {
        send({ type: 'cancelled', jobId });
      } else {
        send({ type: 'error', jobId, message: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      running--;
      cancelled.delete(jobId);
      if (running === 0 && waitingWarmUp) {
        const template = waitingWarmUp;
        waitingWarmUp = undefined;
        void warmUp(template);
      }
    }
  };
}

/** Lets queued messages (a cancel, a newer job) run before the next step. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * `pause`, taken only when `budgetMs` have passed since the last one taken: a job that pauses after every small
 * step (a series copied, a model drawn) gives the thread back every `budgetMs` instead of paying a pause per step
 * (a browser clamps a nested setTimeout(0) to 4 ms).
 */
export function pauseEvery(budgetMs: number, pause: () => Promise<void>): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) {
      return;
    }
    await pause();
    since = performance.now();
  };
}

/**
 * yieldToEventLoop without its cost in browsers: they clamp nested setTimeout(0) to 4 ms, which a job with a pause
 * after every step of 50 models pays hundreds of times. A message to our own channel is queued behind the messages
 * (a cancel, a newer job) that arrived before it, like a timer, but runs as soon as they have.
 */
export function createMessageChannelYield(channel: MessageChannel = new MessageChannel()): () => Promise<void> {
  const waiting: Array<() => void> = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/** The cheapest yield here: a message channel's (createMessageChannelYield) where there is one, else a timer's. */
export function createYield(): () => Promise<void> {
  return typeof MessageChannel === 'function' ? createMessageChannelYield() : yieldToEventLoop;
}
