/**
 * Entry of the scoring worker. webpack.config.ts bundles it on its own (engine included, no imports at run time)
 * and inlines the bundle into the panel as a string, so it starts from a blob: URL whatever origin the plugin's
 * files come from (CDN).
 */
import type { WorkerRequest, WorkerResponse } from './messages';
import { createRequestHandler, createYield, pauseEvery } from './protocol';

/** The worker's work between two pauses (ms): a cancel or a newer job waits at most about this long. */
const WORKER_PAUSE_BUDGET_MS = 12;

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const handle = createRequestHandler(
  (message, transfer) => scope.postMessage(message, transfer),
  // A job pauses after every model and between its phases (50 models: a few hundred pauses): taken only every
  // WORKER_PAUSE_BUDGET_MS of work, each one a hop through the event loop the job does not need more often.
  pauseEvery(WORKER_PAUSE_BUDGET_MS, createYield())
);
scope.onmessage = (event) => {
  void handle(event.data);
};
