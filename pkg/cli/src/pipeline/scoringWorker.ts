/**
 * The scoring worker thread (see scoringThread.ts): runs GroupScoring on the batches the main thread posts, after the
 * plan it posts first (the worker may start before the plan is known: see prestartScoring).
 */
import { parentPort, workerData } from 'worker_threads';
import { InputError } from '../errors';
import type { RowBatch } from '../input/rowBatch';
import { ForestHelper } from './forestHelper';
import { GroupScoring, type ScoringPlan } from './groupScoring';
import type { ScoringWorkerData, WorkerReply } from './scoringThread';
import { warmUpEngine } from './warmUp';

if ((workerData as ScoringWorkerData | undefined)?.warmUp) {
  warmUpEngine(); // before listening: the plan and batches wait in the port meanwhile
}

let scoring: GroupScoring;
let helper: ForestHelper | undefined;

type Message =
  { kind: 'plan'; plan: ScoringPlan } | { kind: 'batch'; batch: RowBatch; leaveShare: number } | { kind: 'finish' };

parentPort!.on('message', (message: Message) => {
  if (message.kind === 'plan') {
    helper = message.plan.splitForest ? new ForestHelper() : undefined;
    scoring = new GroupScoring(message.plan, undefined, helper?.scoring); // (a failure ends the worker: 'error')
    return;
  }
  let reply: WorkerReply;
  try {
    reply =
      message.kind === 'batch'
        ? { kind: 'scores', scores: scoring.score(message.batch, message.leaveShare) }
        : { kind: 'outcome', outcome: scoring.outcome() };
    if (message.kind === 'finish') {
      helper?.close();
    }
  } catch (error) {
    reply =
      error instanceof InputError
        ? { kind: 'input-error', location: error.location, reason: error.reason }
        : { kind: 'failure', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // Copied, not transferred: a transfer detaches the arrays here, and the first detach in a thread makes V8 check
  // every typed-array access of that thread for a detached buffer from then on (the forest walk ran ~30 % slower;
  // docs/performance.md, "Threads that never detach"). A batch's arrays take a few milliseconds to copy.
  parentPort!.postMessage(reply);
});
