/**
 * Entry of the scoring worker. webpack.config.ts bundles it on its own (engine included, no imports at run time)
 * and inlines the bundle into the panel as a string, so it starts from a blob: URL whatever origin the plugin's
 * files come from (CDN).
 */
import type { WorkerRequest, WorkerResponse } from './messages';
import { createMessageChannelYield, createRequestHandler, yieldToEventLoop } from './protocol';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const handle = createRequestHandler(
  (message, transfer) => scope.postMessage(message, transfer),
  typeof MessageChannel === 'function' ? createMessageChannelYield() : yieldToEventLoop
);
scope.onmessage = (event) => {
  void handle(event.data);
};
