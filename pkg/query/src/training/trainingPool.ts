/**
 * Runs the engine's work (training/engineJobs.ts: train, decode a stored model, score, score online) on a pool of
 * worker threads, so the event loop stays free for /healthz, /metrics, pass-through and warm queries, and every core
 * is used. Jobs wait in arrival order for a free worker. A job whose signal aborts leaves the queue, or, when
 * running, has its worker terminated: the work really stops (a new worker is started for the next job). Workers
 * keep nothing between jobs, so a terminated one loses nothing.
 */
import {
  EngineInputError,
  ModelFormatError,
  type DetectorOptions,
  type SeriesTable,
  type TransferredDetector,
} from '@telemetry-analyzer/engine';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortReason } from '../query/cancellation';
import type { AnswerReading } from '../upstreams/answerReading';
import {
  decodeDetector,
  readAnswer,
  type AnswerFormat,
  scoreOnlineUnit,
  scoreUnit,
  trainDetector,
  type OnlineJob,
  type OnlineUnit,
  type ScoreJob,
  type ScoredUnit,
  type TrainedDetector,
} from './engineJobs';
import type { TrainingReply, TrainingRequest } from './trainingMessages';

/**
 * Where the evaluator's engine work runs: a pool's worker threads, or the event loop (engineOnEventLoop). Each
 * throws EngineInputError for data the engine refuses; decode throws ModelFormatError for a broken model file.
 */
export interface EngineThreads {
  /** Trains one detector; `save` asks for its JSON form (the model store's) as well. */
  train(table: SeriesTable, options: DetectorOptions, save: boolean, signal?: AbortSignal): Promise<TrainedDetector>;
  /** A model read from the store, made ready to score. */
  decode(saved: unknown): Promise<TransferredDetector>;
  /** Scores one unit with its model (and its score cache). */
  score(job: ScoreJob, signal?: AbortSignal): Promise<ScoredUnit>;
  /** Scores one unit of an online=true query (query/onlineScoring.ts); a string says why it could not. */
  scoreOnline(job: OnlineJob, signal?: AbortSignal): Promise<OnlineUnit>;
  /**
   * What a Prometheus query_range answer, or an InfluxDB /query answer ('influx'), with a success status holds: its
   * series, or what is wrong with it (upstreams/answerReading.ts).
   */
  parseMatrix(body: string | Uint8Array[], format?: AnswerFormat): Promise<AnswerReading>;
  /** parseMatrix for a training range's answer (large): where it does not hold up a warm query's parse and scoring. */
  parseTrainingMatrix(body: string | Uint8Array[], format?: AnswerFormat): Promise<AnswerReading>;
}

/** Everything on the event loop: the pool size 0 (workers.training: 0), and tests. */
export const engineOnEventLoop: EngineThreads = {
  train: async (table, options, save) => trainDetector(table, options, save),
  decode: async (saved) => decodeDetector(saved),
  score: async (job) => scoreUnit(job),
  scoreOnline: async (job) => scoreOnlineUnit(job),
  parseMatrix: async (body, format = 'prometheus') => readAnswer(body, format),
  parseTrainingMatrix: async (body, format = 'prometheus') => readAnswer(body, format),
};

/**
 * Training (and online scoring, which trains, and parsing a training range) on one pool; scoring, decoding and
 * parsing the scored range on another: a warm query's scoring
 * never waits behind a cold query's training.
 */
export function splitEngineThreads(training: EngineThreads, scoring: EngineThreads): EngineThreads {
  return {
    train: training.train,
    scoreOnline: training.scoreOnline,
    score: scoring.score,
    decode: scoring.decode,
    parseMatrix: scoring.parseMatrix,
    parseTrainingMatrix: training.parseMatrix,
  };
}

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

export class TrainingPool implements EngineThreads {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {}

  readonly train: EngineThreads['train'] = async (table, options, save, signal) =>
    ((await this.submit({ kind: 'train', table, options, save }, signal)) as { trained: TrainedDetector }).trained;

  readonly decode: EngineThreads['decode'] = async (saved) =>
    ((await this.submit({ kind: 'decode', saved })) as { decoded: TransferredDetector }).decoded;

  readonly score: EngineThreads['score'] = async (job, signal) =>
    ((await this.submit({ kind: 'score', job }, signal)) as { scored: ScoredUnit }).scored;

  readonly parseMatrix: EngineThreads['parseMatrix'] = async (body, format = 'prometheus') =>
    ((await this.submit({ kind: 'parseMatrix', body, format })) as { series: AnswerReading }).series;

  readonly parseTrainingMatrix: EngineThreads['parseTrainingMatrix'] = this.parseMatrix;

  readonly scoreOnline: EngineThreads['scoreOnline'] = async (job, signal) =>
    ((await this.submit({ kind: 'online', job }, signal)) as { online: OnlineUnit }).online;

  /** Queues a job; resolves with the worker's answer, or rejects with the engine's input error or the failure. */
  private submit(request: JobRequest, signal?: AbortSignal): Promise<TrainingReply> {
    return new Promise<TrainingReply>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      // A request's signal watches each of its jobs only while the job is open: a query scoring many units must not
      // pile up listeners on it.
      const onAbort = () => this.cancel(job);
      const settled = () => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        id: this.nextId++,
        request,
        signal,
        resolve: (reply) => (settled(), resolve(reply)),
        reject: (error) => (settled(), reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
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
      const transfer =
        job.request.kind === 'parseMatrix' && typeof job.request.body !== 'string' ? ownBuffers(job.request.body) : [];
      idle.worker.postMessage({ id: job.id, ...job.request }, transfer);
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
          job.reject(workerError(reply));
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

/** The worker's error as the event loop would have thrown it: the engine's input and model-format errors keep their class. */
function workerError(reply: Extract<TrainingReply, { error: string }>): Error {
  const { input } = reply;
  if (input) {
    return new EngineInputError(input.code, reply.error, input.column, input.row);
  }
  if (reply.name === 'ModelFormatError') {
    const error = new ModelFormatError('');
    error.message = reply.error; // already prefixed by the engine
    return error;
  }
  return new Error(reply.error);
}

/**
 * The buffers of an answer's chunks that are theirs alone (a fresh buffer per chunk, as undici reads them): handed
 * over to the worker, not copied (the reader is done with them; transfer detaches them). A chunk that is a view into
 * a larger or shared buffer is copied by postMessage instead, so that nothing else is detached.
 */
function ownBuffers(chunks: Uint8Array[]): ArrayBuffer[] {
  const owned = new Set<ArrayBuffer>();
  const shared = new Set<ArrayBufferLike>();
  for (const chunk of chunks) {
    if (chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) {
      (owned.has(chunk.buffer) ? shared : owned).add(chunk.buffer);
    } else {
      shared.add(chunk.buffer);
    }
  }
  return [...owned].filter((buffer) => !shared.has(buffer));
}
