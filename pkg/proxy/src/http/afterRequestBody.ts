/**
 * An answer the proxy gives before it has read the request's body (a 401 for missing credentials, a 413 for a body
 * over limits.bodyLimit, a 415) waits until the client has sent the rest of the body, which is read and dropped.
 * Answered at once, the connection is closed (the client asked for it, or node:http closes it after the answer) while
 * the client is still sending: closing a socket with unread data resets it, and the client loses the answer it had
 * not read yet (an attack review: Python's urllib, which sends `Connection: close`, got a broken pipe instead of the
 * 413 for a 20 MiB body in five runs of five). Web servers call this a lingering close.
 *
 * The wait is bounded: in time by server.requestTimeout (node:http ends a request that takes longer), in bytes by
 * DRAIN_MAX_BYTES, beyond which the answer goes out and the connection is closed after it.
 */
import type { IncomingMessage } from 'node:http';

/** Bytes of an unread body read and dropped before an early answer, at most: 64 MiB. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** Requests that sent `Expect: 100-continue` and were not answered 100: their client holds its body back. */
const continueWithheld = new WeakSet<IncomingMessage>();

/** Marks a request whose `Expect: 100-continue` got no 100 (server.ts): its early answer goes out at once. */
export function withheldContinue(request: IncomingMessage): void {
  continueWithheld.add(request);
}

/**
 * Calls `then` once `request`'s body has been read to its end (at once when it has been), or `maxBytes` more of it
 * have been read (`drained` false: the caller closes the connection), or the request is gone.
 */
export function afterRequestBody(
  request: IncomingMessage,
  then: (drained: boolean) => void,
  maxBytes = DRAIN_MAX_BYTES
): void {
  if (request.complete || request.readableEnded || request.destroyed) {
    then(true);
    return;
  }
  if (Number(request.headers['content-length']) > maxBytes || continueWithheld.has(request)) {
    // More than would be read anyway, or a body its client was not asked to send: answer now, and close.
    then(false);
    return;
  }
  let read = 0;
  let finished = false;
  const finish = (drained: boolean) => {
    if (finished) {
      return;
    }
    finished = true;
    request.off('data', onData);
    request.off('end', onEnd);
    request.off('close', onEnd);
    request.off('error', onEnd);
    then(drained);
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > maxBytes) {
      finish(false);
    }
  };
  const onEnd = () => finish(true);
  request.on('data', onData);
  request.once('end', onEnd);
  request.once('close', onEnd);
  request.once('error', onEnd);
  request.resume();
}
