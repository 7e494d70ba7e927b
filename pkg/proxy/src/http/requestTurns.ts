/**
 * One request at a time per connection, as Go's net/http (Prometheus) serves pipelined requests. node:http parses and
 * dispatches every request a client pipelines on one connection at once, so `server.maxConnections` bounded
 * connections but not requests: one connection held thousands of upstream requests and sockets. A request that
 * arrives while another of its connection is in flight waits for it (the answers go out in order anyway); a
 * connection with more than MAX_WAITING_PER_CONNECTION waiting is closed.
 */
import type { Socket } from 'node:net';

/** Pipelined requests a connection may have waiting behind the one in flight; no client Grafana uses pipelines. */
export const MAX_WAITING_PER_CONNECTION = 16;

export interface RequestTurns {
  /**
   * Calls `go` when the request may run: at once if its connection has none in flight, else after the ones before it
   * have been answered. `answered` must be called once the request's answer is done (finished or aborted).
   * Returns false (and closes the connection) when too many requests wait on it; `go` is then never called.
   */
  take(socket: Socket, go: () => void): { taken: boolean; answered(): void };
}

export function requestTurns(): RequestTurns {
  /** Per connection with a request in flight: the callbacks of the requests waiting behind it, in arrival order. */
  const waitingBySocket = new WeakMap<Socket, Array<() => void>>();
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
        }
      };
      if (!waiting) {
        waitingBySocket.set(socket, []);
        go();
        return { taken: true, answered };
      }
      if (waiting.length >= MAX_WAITING_PER_CONNECTION) {
        socket.destroy();
        return { taken: false, answered: () => undefined };
      }
      waiting.push(go);
      return { taken: true, answered };
    },
  };
}
