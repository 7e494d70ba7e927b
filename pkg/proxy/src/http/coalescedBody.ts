/**
 * A pass-through answer's body, re-chunked so that what one read from the upstream's socket brought goes to the
 * client in one write. node:http emits a `data` event per HTTP chunk of the upstream's answer, and piping writes each
 * to the client's socket with its own system call; on loopback every such write also wakes the reader. Reading in
 * paused mode instead (`read()` with no size hands back everything buffered, as one Buffer) writes once per socket
 * read, whatever chunk size the upstream framed its answer in.
 */
import { Readable } from 'node:stream';

/**
 * `body`, its buffered bytes handed on together; destroying either destroys both, an error of `body` passes on as
 * `failure` makes it (an answer that stops before its end fails too).
 */
export function coalescedBody(body: Readable, failure: (error: Error) => Error = (error) => error): Readable {
  // Whether the client has room: `readable` fires at each socket read, and must not push past a full buffer (body
  // is read empty every time, so it would never fill and pause the upstream's socket: no backpressure at all).
  let wanted = false;
  const coalesced = new Readable({
    read() {
      wanted = true;
      pull();
    },
    destroy(error, callback) {
      body.destroy(error ?? undefined);
      callback(error);
    },
  });
  const pull = () => {
    for (let chunk: Buffer | null; wanted && (chunk = body.read() as Buffer | null) !== null;) {
      // false: the client reads slower; body keeps the bytes (and pauses its socket) until `read()` above asks again
      wanted = coalesced.push(chunk);
    }
  };
  body.on('readable', pull);
  body.once('end', () => coalesced.push(null));
  body.once('error', (error) => coalesced.destroyed || coalesced.destroy(failure(error)));
  body.once('close', () => {
    if (!body.readableEnded && !coalesced.destroyed) {
      coalesced.destroy(failure(new Error('the answer stopped before its end')));
    }
  });
  return coalesced;
}
