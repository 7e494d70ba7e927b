/**
 * The forest walk of a batch spread over two threads: the scoring worker scores the first half of the feature rows
 * while a helper thread (forestHelperWorker.ts) scores the second half with the same forest, then waits for the
 * helper's half. The walk is most of the engine's time per row, and a forest's scores of different rows are
 * independent: each row's score is the same double on either thread (IsolationForest.toTransfer hands the forest
 * over as it is), so the scores are those of one thread, bit for bit. Everything sequential (features, calibration,
 * refits) stays on the scoring thread.
 *
 * On a busy machine the helper can cost more than it saves (both threads wait for a core at every hand-over): then
 * the batches stay on the scoring thread but for an occasional one that tries the helper again (judge, pausing).
 *
 * The scoring thread waits synchronously (Atomics.wait on a shared counter the helper advances after each answer, then
 * receiveMessageOnPort), so the engine's synchronous scoring can use it as its ForestScoring. A helper that does not
 * answer within DEFAULT_ANSWER_TIMEOUT_MS (it died: a dead thread's 'error' and 'exit' cannot reach this thread while
 * it waits) is given up: the scoring thread then scores everything itself.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';
import { join } from 'path';
import {
  keptLayoutScoring,
  matrixRows,
  type ForestScoring,
  type IsolationForest,
  type TransferredForest,
} from '@telemetry-analyzer/engine';

/** Below this many rows the hand-over (a message each way, the helper's scoring layout) costs more than it saves. */
export const MIN_SPLIT_ROWS = 2048;

/**
 * How long the scoring thread waits for the helper's half before it scores it itself and stops asking. The half takes
 * tens of ms; giving up on a live but starved helper costs only speed (the scores are the same), so a short wait
 * bounds what a dead helper costs: one batch delayed by this much.
 */
export const DEFAULT_ANSWER_TIMEOUT_MS = 10_000;

/** Weight of the latest batch in the smoothed wait ratio. */
const WAIT_SMOOTHING = 0.3;
/** While the helper does not pay, it is tried again on every this many batches. */
const PROBE_EVERY = 8;

/** What the scoring thread asks the helper: rows of the feature matrix, and the forest when it changed. */
export interface ForestRequest {
  sequence: number;
  rows: number;
  cols: number;
  values: Float32Array;
  forest?: TransferredForest;
}

/** The helper's answer: the scores of the rows asked for, or why it could not. */
export interface ForestAnswer {
  sequence: number;
  scores?: Float64Array;
  failure?: string;
}

export class ForestHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0]: the sequence number of the last request the helper answered. */
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private sequence = 0;
  /** The forest the helper holds. */
  private helperForest: IsolationForest | undefined;
  private givenUp = false;
  /** Smoothed wait for the helper over this thread's own time on its half (see judge). */
  private waitRatio = 0;
  /** Batches kept on this thread since the helper stopped paying. */
  private paused = 0;
  /** How this thread scores its rows: through the current forest's layout, kept (the helper keeps its own). */
  private readonly own = keptLayoutScoring();

  constructor(private readonly answerTimeoutMs = DEFAULT_ANSWER_TIMEOUT_MS) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(join(__dirname, 'forestHelperWorker.js'), {
      workerData: { port: port2, answered: this.answered },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', () => (this.givenUp = true)); // seen only between batches; a wait gives up on its own
  }

  /** The ForestScoring to give the engine. */
  readonly scoring: ForestScoring = (forest, matrix, out) => {
    if (this.givenUp || matrix.rows < MIN_SPLIT_ROWS || this.pausing()) {
      this.own(forest, matrix, out);
      return;
    }
    const cut = matrix.rows >> 1;
    const sequence = ++this.sequence;
    const values = matrix.values.slice(cut * matrix.cols, matrix.rows * matrix.cols);
    const request: ForestRequest = { sequence, rows: matrix.rows - cut, cols: matrix.cols, values };
    if (forest !== this.helperForest) {
      request.forest = forest.toTransfer();
      this.helperForest = forest;
    }
    // Copied, not transferred (as the scoring worker's replies: scoringWorker.ts): no buffer of this thread is ever
    // detached. `values` is a slice of its own: a view would send its whole buffer.
    this.port.postMessage(request);
    const start = performance.now();
    this.own(forest, matrixRows(matrix, 0, cut), out.subarray(0, cut));
    const ownDone = performance.now();
    const answer = this.await(sequence);
    this.judge(ownDone - start, performance.now() - ownDone);
    if (answer?.scores === undefined) {
      // No answer (or a failure there): score the helper's half here; the helper is not asked again.
      this.givenUp = true;
      this.own(forest, matrixRows(matrix, cut, matrix.rows), out.subarray(cut, matrix.rows));
      return;
    }
    out.set(answer.scores, cut);
  };

  /**
   * Whether the helper pays: it saves about the time this thread spends on its own half and costs the wait for the
   * helper's half. On a busy machine that wait grows (the helper, then this thread again, wait for a core: tens of
   * milliseconds per batch at load 5-6 on 2 cores, where the run took longer with the helper than without it).
   */
  private judge(ownMs: number, waitMs: number): void {
    const ratio = ownMs > 0 ? waitMs / ownMs : 0;
    this.waitRatio = this.waitRatio * (1 - WAIT_SMOOTHING) + ratio * WAIT_SMOOTHING;
  }

  /** While the wait costs more than the helper saves, batches stay on this thread, but for every PROBE_EVERY-th. */
  private pausing(): boolean {
    if (this.waitRatio <= 1) {
      return false;
    }
    return ++this.paused % PROBE_EVERY !== 0;
  }

  /** Ends the helper thread. */
  close(): void {
    this.givenUp = true; // scoring after close() stays on the calling thread
    this.port.close();
    void this.worker.terminate();
  }

  private await(sequence: number): ForestAnswer | undefined {
    const deadline = Date.now() + this.answerTimeoutMs;
    while (Atomics.load(this.answered, 0) !== sequence) {
      if (Date.now() > deadline) {
        return undefined;
      }
      Atomics.wait(this.answered, 0, sequence - 1, Math.min(1000, this.answerTimeoutMs));
    }
    // The answer was posted before the counter moved, so it is in the port's queue.
    const answer = receiveMessageOnPort(this.port)?.message as ForestAnswer | undefined;
    return answer?.sequence === sequence ? answer : undefined;
  }
}
