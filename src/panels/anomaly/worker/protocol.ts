import { DetectorCache } from './detectorCache';
import { type WorkerRequest, type WorkerResponse, responseTransferables } from './messages';
import { type AnalyseState, explainAt, runAnalyseJob, takeRecycled } from './analyseJob';
import { JobCancelled, runScoreJob } from './runScoreJob';
import { PeerLink } from './peerScoring';
import { SCORE_CHUNK_ROWS } from '../pipeline/chunkedScore';
import { type WarmUpTemplate, warmUpRequests } from './warmUp';

/** The least time between two progress messages of a job (ms). */
export const PROGRESS_INTERVAL_MS = 100;

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

/**
 * The worker's message handling, free of worker globals so it can be tested directly: a 'score' request answers
 * with progress and then exactly one of result / cancelled / error. A newer 'score' makes every older job stale:
 * they stop at their next pause and answer 'cancelled', as does a job named by a 'cancel'. A 'warm-up' runs made-up
 * jobs in the worker's own time (warmUp.ts) and answers 'warmed-up'; any job with models stops it.
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
    const isCancelled = () => realJobs !== seen || state.peer?.isServing() === true;
    // Its own cache and tables (dropped after), the worker's working arrays (grown once, for the real jobs).
    const own: AnalyseState = { cache: new DetectorCache(), tables: new Map(), scratch: state.scratch };
    const jobs = warmUpRequests(template);
    let completed = jobs !== undefined;
    try {
      for (const job of jobs ?? []) {
        await runAnalyseJob(
          job,
          own,
          hooksOf(isCancelled, () => undefined)
        );
      }
    } catch {
      completed = false; // cancelled by real work (a model's own failure is an outcome, not a throw)
    }
    state.scratch ??= own.scratch;
    post({ type: 'warmed-up', completed, ms: performance.now() - startedAt }, []);
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
      await warmUp(request.template);
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
