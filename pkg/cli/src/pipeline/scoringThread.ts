/**
 * Where GroupScoring runs. On one core it runs on the main thread. With two or more, the main thread reads the
 * input and writes the outputs while a worker thread scores: batches stream through both at once, in order,
 * a few in flight. Same plan, same code (GroupScoring), same results; only the thread differs.
 */
import { availableParallelism } from 'os';
import { join } from 'path';
import { Worker } from 'worker_threads';
import type { AnomalyDetector } from '@telemetry-analyzer/engine';
import { InputError, type InputLocation } from '../errors';
import type { RowBatch } from '../input/rowBatch';
import type { BatchScores } from './batchScores';
import { GroupScoring, type ScoringOutcome, type ScoringPlan } from './groupScoring';

export interface BatchScoring {
  /** Threads the run uses: 1 (all on the main thread) or 2 (scoring on a worker). */
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

/** The default for --threads: 2 (read/write + scoring) when the machine has a second core, else 1. */
export function defaultScoringThreads(): number {
  return availableParallelism() > 1 ? 2 : 1;
}

export function startScoring(
  plan: ScoringPlan,
  threads: number,
  rows: number,
  detectors?: Map<string, AnomalyDetector>
): BatchScoring {
  if (threads < 2 || rows < WORKER_MIN_ROWS) {
    return inThread(new GroupScoring(plan, detectors));
  }
  const models = plan.online ? undefined : Object.fromEntries([...detectors!].map(([g, d]) => [g, d.toJSON()]));
  return inWorker({ ...plan, models });
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

function inWorker(plan: ScoringPlan): BatchScoring {
  const worker = new Worker(join(__dirname, 'scoringWorker.js'), { workerData: plan });
  const waiting: Array<{ resolve(reply: WorkerReply): void; reject(error: Error): void }> = [];
  let failed: Error | undefined;
  const fail = (error: Error) => {
    failed ??= error;
    waiting.splice(0).forEach((waiter) => waiter.reject(error));
  };
  worker.on('message', (reply: WorkerReply) => waiting.shift()?.resolve(reply));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the scoring thread stopped (exit code ${code})`)));
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
    threads: 2,
    score: async (batch) =>
      answer(await ask({ kind: 'batch', batch }), (reply) => (reply.kind === 'scores' ? reply.scores : undefined)),
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
