import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';

/**
 * The response node:http is writing on `socket`, if any: it attaches it to its socket (`_httpMessage`,
 * lib/_http_server.js) and detaches it once written out; a pipelined request's response takes the socket as the one
 * before it is done. Read where only rare events need it (a drain, an answer's end), instead of a hook on every
 * request.
 */
export function responseInProgress(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}
