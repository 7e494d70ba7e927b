/**
 * A big table's scoring shared by two workers. A panel of one series of a million points is one model, so it runs
 * on one worker while the pool's other worker (and core) idles; its scoring, most of its time, is shared: this
 * worker scores the first half of the table's chunks while its peer scores the second half with the same detector
 * (AnomalyDetector.toTransfer: the forest as it is) and the same chunk boundaries (SCORE_CHUNK_ROWS from the same
 * first row, each with the same history), so every row's score is the double one worker alone would give.
 *
 * The two workers talk through a MessageChannel of their own (the pool hands each an end: WorkerPoolScorer), not
 * through the main thread, which has nothing to do with it. A peer busy with a job of its own declines at once,
 * and this worker scores everything itself: the split only uses a core that would idle.
 */
import { AnomalyDetector, type SeriesTable, type TransferredDetector } from '@telemetry-analyzer/engine';
import {
  historyStart,
  SCORE_CHUNK_ROWS,
  type Scored,
  scoreInChunks,
  sliceTable,
  withCapacity,
} from '../pipeline/chunkedScore';
import { JobCancelled } from './runScoreJob';

/**
 * Rows from which a table's scoring is shared: below, the hand-over (a copy of half the rows each way, the peer's
 * scoring layout) is a larger part of the time saved, and the tables of a many-series panel are spread over the
 * workers by model anyway.
 */
export const PEER_MIN_ROWS = 16 * SCORE_CHUNK_ROWS;

/** Asks the peer to score rows [from, n) of `table` (rows before `from`: the history the first chunk needs). */
export interface PeerScoreRequest {
  type: 'peer-score';
  id: number;
  detector: TransferredDetector;
  table: SeriesTable;
  from: number;
  warmup: number;
  stepRows: number;
}

export type PeerMessage =
  | PeerScoreRequest
  | { type: 'peer-cancel'; id: number }
  | { type: 'peer-scored'; id: number; rows: Int32Array; scores: Float64Array }
  | { type: 'peer-declined'; id: number; reason: string };

type PeerAnswer = Extract<PeerMessage, { type: 'peer-scored' | 'peer-declined' }>;

/** The port end a worker is given: MessagePort's part used here (a test may pass any pair of linked ends). */
export interface PeerPort {
  postMessage(message: PeerMessage, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<PeerMessage>) => void) | null;
}

/** One worker's side of the link: asks its peer to score rows, and scores the rows its peer asks for. */
export class PeerLink {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: PeerAnswer) => void>();
  /** Requests of the peer being scored here; true once the peer cancelled it. */
  private readonly serving = new Map<number, boolean>();

  /**
   * @param busy whether this worker runs a job of its own (it then declines its peer's requests)
   * @param pause the worker's pause between steps of the rows it scores for its peer
   */
  constructor(
    private readonly port: PeerPort,
    private readonly busy: () => boolean,
    private readonly pause: () => Promise<void>
  ) {
    port.onmessage = (event) => void this.receive(event.data);
  }

  /** Sends the peer rows [from, n) of `table` (transferred: the caller's copy) to score; resolves to its answer. */
  request(
    detector: AnomalyDetector,
    table: SeriesTable,
    from: number,
    warmup: number,
    stepRows: number
  ): { answer: Promise<PeerAnswer>; cancel: () => void } {
    const id = this.nextId++;
    const answer = new Promise<PeerAnswer>((resolve) => this.waiting.set(id, resolve));
    const transfer = [
      table.timestamps.buffer as ArrayBuffer,
      ...table.columns.map((c) => c.values.buffer as ArrayBuffer),
    ];
    const request: PeerScoreRequest = {
      type: 'peer-score',
      id,
      detector: detector.toTransfer(),
      table,
      from,
      warmup,
      stepRows,
    };
    this.port.postMessage(request, transfer);
    return { answer, cancel: () => this.cancel(id) };
  }

  /** Whether this worker is scoring rows for its peer now (a warm-up gives way to it). */
  isServing(): boolean {
    return this.serving.size > 0;
  }

  /**
   * Gives up every request still waiting for the peer (this worker's job was cancelled or replaced): the peer is
   * told to stop, and each waiting caller gets a decline at once, so a job waiting for its peer's half ends now.
   */
  cancelOutstanding(): void {
    [...this.waiting.keys()].forEach((id) => this.cancel(id));
  }

  private cancel(id: number): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    this.port.postMessage({ type: 'peer-cancel', id }, []);
    resolve?.({ type: 'peer-declined', id, reason: 'cancelled' });
  }

  private async receive(message: PeerMessage): Promise<void> {
    if (message.type === 'peer-scored' || message.type === 'peer-declined') {
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message);
      return;
    }
    if (message.type === 'peer-cancel') {
      if (this.serving.has(message.id)) {
        this.serving.set(message.id, true);
      }
      return;
    }
    const { id } = message;
    if (this.busy()) {
      this.port.postMessage({ type: 'peer-declined', id, reason: 'busy' }, []);
      return;
    }
    this.serving.set(id, false);
    try {
      const detector = AnomalyDetector.fromTransfer(message.detector);
      const pause = async () => {
        await this.pause();
        if (this.serving.get(id)) {
          throw new JobCancelled();
        }
      };
      const { rows, scores } = await scoreInChunks(detector, message.table, message.warmup, pause, {
        from: message.from,
        stepRows: message.stepRows,
      });
      this.port.postMessage({ type: 'peer-scored', id, rows, scores }, [
        rows.buffer as ArrayBuffer,
        scores.buffer as ArrayBuffer,
      ]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.port.postMessage({ type: 'peer-declined', id, reason }, []);
    } finally {
      this.serving.delete(id);
    }
  }
}

/**
 * scoreInChunks(detector, table, warmup, pause, { stepRows }), the second half of the chunks scored by `peer` when
 * the table has PEER_MIN_ROWS rows or more: the same rows, scores and threshold. A peer that declines (busy, or it
 * failed) leaves its half to this worker.
 */
export async function scoreSharing(
  detector: AnomalyDetector,
  table: SeriesTable,
  warmup: number,
  pause: () => Promise<void>,
  stepRows: number,
  peer: PeerLink | undefined
): Promise<Scored> {
  const n = table.timestamps.length;
  if (!peer || n < PEER_MIN_ROWS) {
    return scoreInChunks(detector, table, warmup, pause, { stepRows });
  }
  const cut = peerCut(n);
  const first = historyStart(table, cut, warmup);
  const asked = peer.request(detector, sliceTable(table, first, n, true), cut - first, warmup, stepRows);
  let own: Scored;
  try {
    // With room for the peer's rows behind this half's: the two are joined without new memory (a million rows' 12 MB
    // of fresh typed arrays is slow to fill in a browser, see BufferPool).
    own = await scoreInChunks(detector, table, warmup, pause, { to: cut, stepRows });
  } catch (error) {
    asked.cancel();
    throw error;
  }
  // A cancel or a newer job while this one waits gives the request up (cancelOutstanding): the pause then throws.
  const answer = await asked.answer;
  await pause();
  const at = own.rows.length;
  if (answer.type === 'peer-scored') {
    // The peer numbered its rows from the copy's first row.
    const rows = withCapacity(own.rows, at + answer.rows.length);
    for (let i = 0; i < answer.rows.length; i++) {
      rows[at + i] = answer.rows[i] + first;
    }
    const scores = withCapacity(own.scores, rows.length);
    scores.set(answer.scores, at);
    return { rows, scores, threshold: own.threshold };
  }
  const rest = await scoreInChunks(detector, table, warmup, pause, { from: cut, stepRows });
  const rows = withCapacity(own.rows, at + rest.rows.length);
  rows.set(rest.rows, at);
  const scores = withCapacity(own.scores, rows.length);
  scores.set(rest.scores, at);
  return { rows, scores, threshold: own.threshold };
}

/** The first row of the peer's half of an n-row table: on a chunk boundary, so its chunks are this worker's. */
export function peerCut(n: number): number {
  return Math.ceil(Math.ceil(n / SCORE_CHUNK_ROWS) / 2) * SCORE_CHUNK_ROWS;
}
