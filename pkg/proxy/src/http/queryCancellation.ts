/**
 * The cancellation of one request's work: it aborts when the client closes the connection before the answer is
 * sent, when limits.queryTimeout has passed, or when the proxy's shutdown grace is over; its reason is the
 * PromApiError that says which (query/cancellation.ts). Everything the request starts watches it.
 *
 * It is not an AbortSignal itself: a plain query's pass-through only needs its two listener slots, and an
 * AbortController with listeners costs tens of µs per request on a busy machine. An anomaly query's work takes
 * `signal`, a real AbortSignal made on first use.
 */
import type { FastifyReply } from 'fastify';
import {
  type Cancellation,
  type PromApiError,
  clientGone,
  queryTimedOut,
  shuttingDown,
} from '@telemetry-analyzer/query';

export class QueryCancellation implements Cancellation {
  aborted = false;
  reason: PromApiError | undefined;
  private listeners: Array<() => void> = [];
  private controller?: AbortController;

  constructor(private readonly onAbort: (reason: PromApiError) => void) {}

  /** An AbortSignal that aborts with this (for the evaluator, the pools and fetch). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) {
        this.controller.abort(this.reason);
      }
    }
    return this.controller.signal;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) {
      this.listeners.splice(index, 1);
    }
  }

  abort(reason: PromApiError): void {
    if (this.aborted) {
      return;
    }
    this.aborted = true;
    this.reason = reason;
    this.onAbort(reason);
    this.controller?.abort(reason);
    for (const listener of this.listeners.splice(0)) {
      listener();
    }
  }
}

/** The requests whose work is under way; one listener on the shutdown signal aborts them all. */
export class InFlightQueries {
  private readonly active = new Set<QueryCancellation>();

  constructor(
    private readonly timeoutMs: number,
    private readonly shutdown: AbortSignal,
    private readonly onAbort: (reason: PromApiError) => void
  ) {
    shutdown.addEventListener(
      'abort',
      () => {
        for (const work of [...this.active]) {
          work.abort(shuttingDown());
        }
      },
      { once: true }
    );
  }

  /**
   * The cancellation of the work for `reply`'s request, watched until its response closes.
   * @param requestedMs the request's own `timeout` parameter, as Prometheus takes it: the shorter of it and
   *   limits.queryTimeout applies (Grafana sends its datasource's query timeout so)
   */
  watch(reply: FastifyReply, requestedMs?: number): QueryCancellation {
    const work = new QueryCancellation(this.onAbort);
    if (this.shutdown.aborted) {
      work.abort(shuttingDown());
      return work;
    }
    const response = reply.raw;
    // The error is made only when the timer fires: an Error captures its stack, ~20 µs that a plain query's
    // pass-through (which nearly always ends first) paid on every request.
    const timedOut = () =>
      requestedMs !== undefined && requestedMs < this.timeoutMs
        ? queryTimedOut(requestedMs, "the request's timeout parameter")
        : queryTimedOut(this.timeoutMs);
    const timer = setTimeout(() => work.abort(timedOut()), Math.min(requestedMs ?? Infinity, this.timeoutMs));
    const onClose = () => {
      clearTimeout(timer);
      this.active.delete(work);
      if (!response.writableFinished) {
        work.abort(clientGone());
      }
    };
    this.active.add(work);
    if (response.destroyed || reply.request.raw.socket.destroyed) {
      onClose(); // the client left before the handler ran: its 'close' has been emitted already
    } else {
      response.once('close', onClose);
    }
    return work;
  }
}
