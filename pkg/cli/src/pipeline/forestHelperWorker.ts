/**
 * The forest helper thread (see forestHelper.ts): scores the feature rows the scoring thread sends, with the forest
 * it sent last (through that forest's dense layout, kept from batch to batch: batchScorer), posts the scores and then
 * advances the shared counter the scoring thread waits on.
 */
import { workerData, type MessagePort } from 'worker_threads';
import { IsolationForest, type ForestBatchScorer } from '@telemetry-analyzer/engine';
import type { ForestAnswer, ForestRequest } from './forestHelper';

const { port, answered } = workerData as { port: MessagePort; answered: Int32Array };
let score: ForestBatchScorer | undefined;

port.on('message', (request: ForestRequest) => {
  let answer: ForestAnswer;
  try {
    if (request.forest !== undefined) {
      score = IsolationForest.fromTransfer(request.forest).batchScorer();
    }
    const scores = new Float64Array(request.rows);
    score!({ rows: request.rows, cols: request.cols, values: request.values }, scores);
    answer = { sequence: request.sequence, scores };
  } catch (error) {
    answer = { sequence: request.sequence, failure: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer); // copied, not transferred: see scoringWorker.ts
  Atomics.store(answered, 0, request.sequence);
  Atomics.notify(answered, 0);
});
