/**
 * One request at a time per connection, as Go's net/http (Prometheus) serves pipelined requests. node:http parses and
 * dispatches every request a client pipelines on one connection at once, so `server.maxConnections` bounded
 * connections but not requests: one connection held thousands of upstream requests and sockets. A request that
 * arrives while another of its connection is in flight waits for it (the answers go out in order anyway).
 *
 * A connection with more than MAX_WAITING_PER_CONNECTION waiting reads no further, answers the requests it took and
 * is then closed (FIN): the requests beyond get no answer, and a client retries them on a new connection, as RFC 9112
 * (9.3.2) has a pipelining client do when a connection closes. Not a 429 or 503 for each in order: a request is
 * answered only after those before it, so answering every one meant reading and holding all that a client sends
 * (the memory the bound is there for), and neither status says what helps (another connection, at once). It was
 * closed at once before, and the one in flight and those waiting lost their answers and their work (a review).
 */
import type { Socket } from 'node:net';

/** Pipelined requests a connection may have waiting behind the one in flight; no client Grafana uses pipelines. */
export const MAX_WAITING_PER_CONNECTION = 16;

export interface RequestTurns {
  /**
   * Calls `go` when the request may run: at once if its connection has none in flight, else after the ones before it
   * have been answered. `answered` must be called once the request's answer is done (finished or aborted).
   * Returns false when too many requests wait on it (or it is closing for that): `go` is then never called, the
   * connection reads no further and is closed once the requests it took are answered.
   */
  take(socket: Socket, go: () => void): { taken: boolean; answered(): void };
}

export function requestTurns(): RequestTurns {
  /** Per connection with a request in flight: the callbacks of the requests waiting behind it, in arrival order. */
  const waitingBySocket = new WeakMap<Socket, Array<() => void>>();
  /** Connections that had too many waiting: closed once the requests they took are answered. */
  const closing = new WeakSet<Socket>();
  return {
    take(socket, go) {
      const waiting = waitingBySocket.get(socket);
      // The turn passes on once, however often this is called.
      let released = false;
      const answered = () => {
        if (released) {
          return;
        }
        released = true;
        // A closed connection's waiting requests have no one to answer: they never run.
        const next = socket.destroyed ? undefined : waitingBySocket.get(socket)?.shift();
        if (next) {
          next();
        } else {
          waitingBySocket.delete(socket);
          if (closing.has(socket)) {
            socket.end(); // after the answers written (a request left unanswered holds no further one back)
          }
        }
      };
      if (closing.has(socket) || (waiting && waiting.length >= MAX_WAITING_PER_CONNECTION)) {
        // Once one is refused, so is every later one: its answer would wait behind the refused one's, never given.
        closing.add(socket);
        socket.pause(); // node:http reads no further request (its 'pause' listener stops the socket's reads)
        return { taken: false, answered: () => undefined };
      }
      if (!waiting) {
        waitingBySocket.set(socket, []);
        go();
        return { taken: true, answered };
      }
      waiting.push(go);
      return { taken: true, answered };
    },
  };
}
