/**
 * A worker thread of the engine pool (trainingPool.ts): runs one job of training/engineJobs.ts per message (train,
 * decode a stored model, score a unit, score an online=true unit) off the proxy's event loop, and answers with its
 * result (or the engine's input error, which is an answer, not a failure).
 */
import { EngineInputError } from '@telemetry-analyzer/engine';
import { parentPort } from 'node:worker_threads';
import { packSeries } from '../upstreams/series';
import { decodeDetector, readAnswer, scoreOnlineUnit, scoreUnit, trainDetector } from './engineJobs';
import type { TrainingReply, TrainingRequest } from './trainingMessages';

parentPort!.on('message', (request: TrainingRequest) => {
  const { id } = request;
  let reply: TrainingReply;
  try {
    switch (request.kind) {
      case 'train':
        reply = { id, trained: trainDetector(request.table, request.options, request.save) };
        break;
      case 'decode':
        reply = { id, decoded: decodeDetector(request.saved) };
        break;
      case 'score':
        reply = { id, scored: scoreUnit(request.job) };
        break;
      case 'online':
        reply = { id, online: scoreOnlineUnit(request.job) };
        break;
      case 'parseMatrix': {
        const reading = readAnswer(request.body, request.format);
        if (Array.isArray(reading)) {
          reply = { id, series: packSeries(reading) };
        } else {
          reply = { id, series: reading };
        }
        break;
      }
    }
  } catch (error) {
    const input =
      error instanceof EngineInputError ? { code: error.code, column: error.column, row: error.row } : undefined;
    reply = { id, error: (error as Error).message, name: (error as Error).name, input };
  }
  // Nothing transferred: this thread detaches no buffer (a parse's series are shared: see packSeries).
  parentPort!.postMessage(reply);
});
