/**
 * Why an anomaly query stops before it is done, as the abort reason of its signal: the client went away, the query
 * ran past limits.queryTimeout, or the proxy is shutting down. Work checks the signal at every seam (each upstream
 * request, each model trained or scored) and throws the reason, so the error the client gets names the cause.
 */
import { PromApiError } from '../errors';
import { formatDuration } from '../time';

/** 499 as Prometheus answers a canceled query (nobody reads it: the client is gone). */
export function clientGone(): PromApiError {
  return new PromApiError(499, 'canceled', 'query canceled: the client closed the connection');
}

/** @param by what set the time: the proxy's limit, or the request's own `timeout` parameter (the shorter wins) */
export function queryTimedOut(timeoutMs: number, by = 'limits.queryTimeout'): PromApiError {
  return new PromApiError(503, 'timeout', `query timed out after ${formatDuration(timeoutMs)} (${by})`);
}

export function shuttingDown(): PromApiError {
  return new PromApiError(503, 'unavailable', 'the proxy is shutting down: query aborted after server.shutdownGrace');
}

/**
 * What an upstream request watches to stop early: an AbortSignal, or anything with these members (the proxy's
 * per-request cancellation, which costs a plain-query pass-through none of an EventTarget's machinery).
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Throws the signal's reason (a PromApiError above) once it is aborted. */
export function throwIfAborted(signal: Cancellation | undefined): void {
  if (signal?.aborted) {
    throw abortReason(signal);
  }
}

export function abortReason(signal: Cancellation): PromApiError {
  return signal.reason instanceof PromApiError ? signal.reason : clientGone();
}

/** Lets pending I/O callbacks run (setImmediate comes after them): a seam where waiting requests are served. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
