/**
 * A worker thread of the training pool (trainingPool.ts): trains one AnomalyDetector per message, or scores one unit
 * of an online=true query, off the proxy's event loop, and answers with the detector's JSON form or the online
 * scores (or the engine's input error, which is an answer, not a failure).
 */
import { AnomalyDetector, EngineInputError } from '@telemetry-analyzer/engine';
import { parentPort } from 'node:worker_threads';
import { scoreOnline } from '../query/onlineScoring';
import type { TrainingReply, TrainingRequest } from './trainingMessages';

parentPort!.on('message', (request: TrainingRequest) => {
  const { id } = request;
  let reply: TrainingReply;
  try {
    reply =
      request.kind === 'online'
        ? { id, online: scoreOnline(request.table, request.options, request.trainingEndMs) }
        : { id, detector: AnomalyDetector.train(request.table, request.options).toJSON() };
  } catch (error) {
    const input =
      error instanceof EngineInputError ? { code: error.code, column: error.column, row: error.row } : undefined;
    reply = { id, error: (error as Error).message, input };
  }
  parentPort!.postMessage(reply);
});
