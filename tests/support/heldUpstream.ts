/**
 * A stand-in for an upstream that is slow on demand (a real Prometheus cannot be made to hold an answer): it
 * holds each request until the test answers it, and records which requests the proxy gave up on (their connection
 * closed before an answer). Requests matching `answerAtOnce` are answered right away.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { StubUpstream, startStubUpstream } from './stubUpstream';

export interface HeldRequest {
  path: string;
  /** The request's body (a POSTed query's form). */
  body: string;
  answer(status: number, body: string): void;
  /** True once the proxy closed the connection without waiting for the answer. */
  abandoned: boolean;
}

export interface HeldUpstream extends StubUpstream {
  held(): HeldRequest[];
}

export async function startHeldUpstream(
  answerAtOnce: (request: IncomingMessage, body: string) => string | undefined = () => undefined
): Promise<HeldUpstream> {
  const held: HeldRequest[] = [];
  const stub = await startStubUpstream((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const immediate = answerAtOnce(request, body);
      if (immediate !== undefined) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(immediate);
        return;
      }
      const entry: HeldRequest = {
        path: request.url ?? '',
        body,
        abandoned: false,
        answer: (status, text) => response.writeHead(status, { 'content-type': 'application/json' }).end(text),
      };
      response.on('close', () => (entry.abandoned = !response.writableFinished));
      held.push(entry);
    });
  });
  return { ...stub, held: () => [...held] };
}
