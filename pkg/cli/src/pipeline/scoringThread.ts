/**
 * Where GroupScoring runs. On one core it runs on the main thread. With two or more, the main thread reads the
 * input and writes the outputs while a worker thread scores: batches stream through both at once, in order,
 * a few in flight. Same plan, same code (GroupScoring), same results; only the thread differs. Online, the worker
 * runs the forest stage and the main thread calibrates its raw scores and explains the anomalies (GroupFinishing);
 * the main thread also walks a share of each batch's forest, as much as keeps both threads busy (WalkBalance).
 */
import { statSync } from 'fs';
import { availableParallelism } from 'os';
import { join } from 'path';
import { Worker } from 'worker_threads';
import type { AnomalyDetector } from '@telemetry-analyzer/engine';
import { InputError, type InputLocation } from '../errors';
import type { RowBatch } from '../input/rowBatch';
import type { BatchScores } from './batchScores';
import { GroupFinishing, GroupScoring, type ScoringOutcome, type ScoringPlan } from './groupScoring';
import { WalkBalance } from './walkBalance';

export interface BatchScoring {
  /** Threads the run uses: 1 (all on the main thread), 2 (scoring on a worker) or 3 (online: and a forest helper). */
  threads: number;
  /** Scores a batch; batches are answered in the order they were given. */
  score(batch: RowBatch): Promise<BatchScores>;
  /** After the last batch: thresholds and (online) the last models; ends the worker. */
  finish(): Promise<ScoringOutcome>;
  /** Ends the worker without waiting (on failure). */
  close(): void;
}

/** Below this many rows a worker's start-up (tens of milliseconds) costs more than it saves. */
export const WORKER_MIN_ROWS = 20_000;

/**
 * Inputs of at least this many bytes start the scoring worker before they are scanned, so that its start-up (a
 * Node.js thread loading the engine: ~60-120 ms here) overlaps the scan instead of following it. Smaller inputs
 * may stay under WORKER_MIN_ROWS; the worker of an input that does is ended unused.
 */
const PRESTART_MIN_BYTES = 1 << 20;

/**
 * Inputs of at least this many bytes take long enough to check (~60 ms here) for a worker started ahead to warm up
 * its engine meanwhile (warmUpEngine, ~30-80 ms) rather than make the first batch wait for it.
 */
const WARM_UP_MIN_BYTES = 8 << 20;

/** What a scoring worker is started with. */
export interface ScoringWorkerData {
  /** Warm the engine up before the plan comes (warmUpEngine): started ahead of a large input. */
  warmUp?: boolean;
}

/** A scoring worker started ahead of its plan (see PRESTART_MIN_BYTES); hand it to startScoring, or end it. */
export interface PrestartedWorker {
  worker: Worker;
  /** Ends the worker unless startScoring took it. */
  end(): void;
  /** Why the worker stopped before startScoring listened to it (it failed to load, ran out of memory), if it did. */
  failure(): Error | undefined;
}

/** Starts the scoring worker now for a large input file read with `threads` >= 2; undefined otherwise. */
export function prestartScoring(threads: number, inputPath: string): PrestartedWorker | undefined {
  const bytes = inputPath === '-' ? 0 : (fileBytes(inputPath) ?? 0);
  if (threads < 2 || bytes < PRESTART_MIN_BYTES) {
    return undefined;
  }
  const workerData: ScoringWorkerData = { warmUp: bytes >= WARM_UP_MIN_BYTES };
  return prestartedWorker(new Worker(join(__dirname, 'scoringWorker.js'), { workerData }));
}

/**
 * A worker started ahead of its plan. Its early failure is kept for startScoring: a worker gone before anyone
 * listened would never answer, and a run waiting for answers that never come ends with an empty event loop, exit
 * code 0 and no outputs.
 */
export function prestartedWorker(worker: Worker): PrestartedWorker {
  let failure: Error | undefined;
  worker.on('error', (error) => (failure ??= error));
  worker.on('exit', (code) => (failure ??= stoppedError(code)));
  return { worker, end: () => void worker.terminate(), failure: () => failure };
}

function stoppedError(code: number): Error {
  return new Error(`the scoring thread stopped (exit code ${code})`);
}

function fileBytes(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * The default for --threads: a thread per core, up to 3 (reading and writing, scoring, and online a forest helper).
 * On two cores a third busy thread only takes turns with the other two (docs/performance.md).
 */
export function defaultScoringThreads(): number {
  return Math.min(3, availableParallelism());
}

export function startScoring(
  plan: ScoringPlan,
  threads: number,
  rows: number,
  detectors?: Map<string, AnomalyDetector>,
  prestarted?: PrestartedWorker
): BatchScoring {
  if (threads < 2 || rows < WORKER_MIN_ROWS) {
    prestarted?.end();
    return inThread(new GroupScoring(plan, detectors));
  }
  const models = plan.online ? undefined : Object.fromEntries([...detectors!].map(([g, d]) => [g, d.toTransfer()]));
  // Online, each batch is calibrated and explained here while the worker runs the next one through its forest
  // stage (GroupFinishing); with a third thread, the forest walk is split between the worker and a helper thread
  // (ForestHelper).
  const online = plan.online !== undefined;
  const workerPlan: ScoringPlan = { ...plan, models, finishOnReader: online, splitForest: online && threads >= 3 };
  const finishing = workerPlan.finishOnReader ? new GroupFinishing(workerPlan) : undefined;
  const worker = prestarted?.worker ?? new Worker(join(__dirname, 'scoringWorker.js'));
  if (prestarted !== undefined) {
    prestarted.end = () => undefined; // ours now: inWorker ends it
  }
  return inWorker(worker, workerPlan, finishing, prestarted?.failure());
}

function inThread(scoring: GroupScoring): BatchScoring {
  return {
    threads: 1,
    score: async (batch) => scoring.score(batch),
    finish: async () => scoring.outcome(),
    close: () => undefined,
  };
}

/** Messages from the worker (scoringWorker.ts). */
export type WorkerReply =
  | { kind: 'scores'; scores: BatchScores }
  | { kind: 'outcome'; outcome: ScoringOutcome }
  | { kind: 'input-error'; location: InputLocation; reason: string }
  | { kind: 'failure'; message: string };

function inWorker(
  worker: Worker,
  plan: ScoringPlan,
  finishing: GroupFinishing | undefined,
  /** The worker already stopped (a prestarted one, before this listened): every request fails with this. */
  stopped?: Error
): BatchScoring {
  worker.postMessage({ kind: 'plan', plan }); // first: the worker scores nothing before it has its plan
  // Online, the reading thread also takes a share of the forest walk (finishing walks what the worker leaves).
  const balance = finishing === undefined ? undefined : new WalkBalance(worker.performance);
  const waiting: Array<{ resolve(reply: WorkerReply): void; reject(error: Error): void }> = [];
  let failed: Error | undefined = stopped;
  const fail = (error: Error) => {
    failed ??= error;
    waiting.splice(0).forEach((waiter) => waiter.reject(error));
  };
  worker.on('message', (reply: WorkerReply) => waiting.shift()?.resolve(reply));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(stoppedError(code)));
  const ask = (message: unknown): Promise<WorkerReply> =>
    failed
      ? Promise.reject(failed)
      : new Promise((resolve, reject) => {
          waiting.push({ resolve, reject });
          worker.postMessage(message);
        });
  const answer = <T>(reply: WorkerReply, pick: (reply: WorkerReply) => T | undefined): T => {
    if (reply.kind === 'input-error') {
      throw new InputError(reply.location, reply.reason);
    }
    if (reply.kind === 'failure') {
      throw new Error(`scoring thread: ${reply.message}`);
    }
    return pick(reply)!;
  };
  return {
    threads: plan.splitForest ? 3 : 2,
    score: async (batch) => {
      const reply = await ask({ kind: 'batch', batch, leaveShare: balance?.share ?? 0 });
      balance?.update();
      const scores = answer(reply, (reply) => (reply.kind === 'scores' ? reply.scores : undefined));
      finishing?.finish(batch, scores);
      return scores;
    },
    finish: async () => {
      const outcome = answer(await ask({ kind: 'finish' }), (reply) =>
        reply.kind === 'outcome' ? reply.outcome : undefined
      );
      await worker.terminate();
      return outcome;
    },
    close: () => void worker.terminate(),
  };
}
