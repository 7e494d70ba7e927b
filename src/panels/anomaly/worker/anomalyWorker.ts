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

// V8 compiles typed-array code on the promise that no ArrayBuffer with several views was ever detached in this thread
// (its ArrayBufferDetaching protector), and throws all that code away the first time one is: here, a result or a
// peer's rows transferred during the first big job or refresh, after the warm-up had compiled the engine, which was
// then compiled again (traced, 50 × 10 000 then refreshes: 20 and 18 optimising compiles in the first two refreshes
// instead of 6 and 10; the workers' CPU in them ~65 instead of ~45 ms). Giving the promise up before any code runs
// keeps what the warm-up and every job compile.
function giveUpDetachPromise(): void {
  if (typeof structuredClone !== 'function') {
    return;
  }
  const buffer = new ArrayBuffer(8);
  // Two views: Chromium's V8 tracks a buffer's only view and detaches it without touching the protector.
  new Uint8Array(buffer);
  new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
}
giveUpDetachPromise();

const handle = createRequestHandler(
  (message, transfer) => scope.postMessage(message, transfer),
  // A job pauses after every model and between its phases (50 models: a few hundred pauses): taken only every
  // WORKER_PAUSE_BUDGET_MS of work, each one a hop through the event loop the job does not need more often.
  pauseEvery(WORKER_PAUSE_BUDGET_MS, createYield())
);
scope.onmessage = (event) => {
  void handle(event.data);
};
