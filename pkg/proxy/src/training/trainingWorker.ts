/**
 * A worker thread of the training pool (trainingPool.ts): trains one AnomalyDetector per message, off the proxy's
 * event loop, and answers with its JSON form (or the engine's input error, which is an answer, not a failure).
 */
import { AnomalyDetector, EngineInputError } from '@telemetry-analyzer/engine';
import { parentPort } from 'node:worker_threads';
import type { TrainingReply, TrainingRequest } from './trainingMessages';

parentPort!.on('message', ({ id, table, options }: TrainingRequest) => {
  let reply: TrainingReply;
  try {
    reply = { id, detector: AnomalyDetector.train(table, options).toJSON() };
  } catch (error) {
    const input =
      error instanceof EngineInputError ? { code: error.code, column: error.column, row: error.row } : undefined;
    reply = { id, error: (error as Error).message, input };
  }
  parentPort!.postMessage(reply);
});
