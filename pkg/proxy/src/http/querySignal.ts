/**
 * The abort signal of one request's work: it aborts when the client closes the connection before the answer is
 * sent, when limits.queryTimeout has passed, or when the proxy's shutdown grace is over; its reason is the
 * PromApiError that says which (query/cancellation.ts). Everything the request starts watches it.
 */
import type { FastifyReply } from 'fastify';
import { type PromApiError, clientGone, queryTimedOut, shuttingDown } from '@telemetry-analyzer/query';

export function querySignal(
  reply: FastifyReply,
  timeoutMs: number,
  shutdown: AbortSignal,
  onAbort: (reason: PromApiError) => void
): AbortSignal {
  const controller = new AbortController();
  controller.signal.addEventListener('abort', () => onAbort(controller.signal.reason), { once: true });
  const response = reply.raw;
  const timer = setTimeout(() => controller.abort(queryTimedOut(timeoutMs)), timeoutMs);
  const onShutdown = () => controller.abort(shuttingDown());
  const onClose = () => {
    clearTimeout(timer);
    shutdown.removeEventListener('abort', onShutdown);
    if (!response.writableFinished) {
      controller.abort(clientGone());
    }
  };
  if (shutdown.aborted) {
    onShutdown();
  }
  shutdown.addEventListener('abort', onShutdown, { once: true });
  if (response.destroyed || reply.request.raw.socket.destroyed) {
    onClose(); // the client left before the handler ran: its 'close' has been emitted already
  } else {
    response.once('close', onClose);
  }
  return controller.signal;
}
