/**
 * Trains models on a pool of worker threads, so the event loop stays free for /healthz, /metrics, pass-through
 * and warm queries while cold models train, and every core is used. Jobs wait in arrival order for a free worker.
 * A job whose signal aborts leaves the queue, or, when running, has its worker terminated: the training really
 * stops (a new worker is started for the next job).
 */
import { AnomalyDetector, EngineInputError, type DetectorOptions, type SeriesTable } from '@telemetry-analyzer/engine';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortReason } from '../query/cancellation';
import { scoreOnline, type OnlineScores } from '../query/onlineScoring';
import type { TrainingReply, TrainingRequest } from './trainingMessages';

/** Trains one detector (what the evaluator calls); throws EngineInputError for data the engine refuses. */
export type Trainer = (table: SeriesTable, options: DetectorOptions, signal?: AbortSignal) => Promise<AnomalyDetector>;

/** Training on the event loop: the pool size 0 (workers.training: 0). */
export const trainOnEventLoop: Trainer = async (table, options) => AnomalyDetector.train(table, options);

/** Scores one unit of an online=true query (query/onlineScoring.ts); a string says why it could not. */
export type OnlineScorer = (
  table: SeriesTable,
  options: DetectorOptions,
  trainingEndMs: number,
  signal?: AbortSignal
) => Promise<OnlineScores | string>;

/** Online scoring on the event loop: the pool size 0. */
export const scoreOnlineOnEventLoop: OnlineScorer = async (table, options, trainingEndMs) =>
  scoreOnline(table, options, trainingEndMs);

type JobRequest = TrainingRequest extends infer R ? (R extends TrainingRequest ? Omit<R, 'id'> : never) : never;

interface Job {
  id: number;
  request: JobRequest;
  signal?: AbortSignal;
  resolve(reply: TrainingReply): void;
  reject(error: unknown): void;
}

interface PoolWorker {
  worker: Worker;
  job?: Job;
}

/** The compiled worker next to this file, or (running from sources) the .ts one with a loader for it. */
function workerEntry(): { file: string; execArgv: string[] } {
  const compiled = join(__dirname, 'trainingWorker.js');
  return existsSync(compiled)
    ? { file: compiled, execArgv: [] }
    : {
        file: join(__dirname, 'trainingWorker.ts'),
        execArgv: ['--require', join(__dirname, 'runTypeScriptSources.js')],
      };
}

export class TrainingPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {}

  readonly train: Trainer = async (table, options, signal) => {
    const reply = await this.submit({ kind: 'train', table, options }, signal);
    return AnomalyDetector.fromJSON((reply as { detector: unknown }).detector);
  };

  readonly scoreOnline: OnlineScorer = async (table, options, trainingEndMs, signal) => {
    const reply = await this.submit({ kind: 'online', table, options, trainingEndMs }, signal);
    return (reply as { online: OnlineScores | string }).online;
  };

  /** Queues a job; resolves with the worker's answer, or rejects with the engine's input error or the failure. */
  private submit(request: JobRequest, signal?: AbortSignal): Promise<TrainingReply> {
    return new Promise<TrainingReply>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const job: Job = { id: this.nextId++, request, signal, resolve, reject };
      signal?.addEventListener('abort', () => this.cancel(job), { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Terminates the workers; queued jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.reject(new Error('the training pool is closed'));
    }
    await Promise.all(this.workers.splice(0).map(({ worker }) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let idle = this.workers.find((w) => w.job === undefined);
      if (!idle && this.workers.length < this.size) {
        idle = this.startWorker();
      }
      if (!idle) {
        return;
      }
      const job = this.queue.shift()!;
      idle.job = job;
      idle.worker.postMessage({ id: job.id, ...job.request });
    }
  }

  private startWorker(): PoolWorker {
    const { file, execArgv } = workerEntry();
    const entry: PoolWorker = { worker: new Worker(file, { execArgv }) };
    entry.worker.unref(); // an idle pool never keeps the process alive
    entry.worker.on('message', (reply: TrainingReply) => {
      const job = entry.job;
      entry.job = undefined;
      if (job && job.id === reply.id) {
        if (!('error' in reply)) {
          job.resolve(reply);
        } else {
          const { input } = reply;
          job.reject(
            input ? new EngineInputError(input.code, reply.error, input.column, input.row) : new Error(reply.error)
          );
        }
      }
      this.dispatch();
    });
    entry.worker.on('error', (error) => this.retire(entry, error));
    entry.worker.on('exit', () => this.retire(entry, new Error('a training worker exited')));
    this.workers.push(entry);
    return entry;
  }

  /** A worker that failed or was terminated leaves the pool; its job (if any) fails; the queue moves on. */
  private retire(entry: PoolWorker, error: unknown): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) {
      this.workers.splice(index, 1);
    }
    entry.job?.reject(error);
    entry.job = undefined;
    this.dispatch();
  }

  private cancel(job: Job): void {
    const reason = abortReason(job.signal!);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.reject(reason);
      return;
    }
    const running = this.workers.find((w) => w.job === job);
    if (running) {
      running.job = undefined;
      job.reject(reason);
      void running.worker.terminate(); // its 'exit' retires it and lets the queue move on
    }
  }
}
