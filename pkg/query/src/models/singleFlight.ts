/**
 * Concurrent callers asking for the same key share one running promise (one training for identical requests).
 * The entry is removed once the promise settles, so a failure is never cached: the next call tries again.
 *
 * A caller that passes a signal leaves when it aborts (it is rejected with the signal's reason at once); when the
 * last caller has left, the work's own signal aborts with that reason, so nobody's work runs on for nobody, and the
 * flight is forgotten at once: a caller coming while the aborted work winds down starts a flight of its own (it
 * joined the aborted one, and failed with the other client's reason).
 */
interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers still waiting; callers without a signal never leave. */
  waiters: number;
}

export class SingleFlight<T> {
  private readonly running = new Map<string, Flight<T>>();

  get inFlight(): number {
    return this.running.size;
  }

  run(key: string, work: (signal: AbortSignal) => Promise<T>, callerSignal?: AbortSignal): Promise<T> {
    if (callerSignal?.aborted) {
      return Promise.reject(callerSignal.reason);
    }
    let flight = this.running.get(key);
    if (!flight) {
      const controller = new AbortController();
      const started: Flight<T> = {
        promise: (async () => work(controller.signal))().finally(() => this.forget(key, started)),
        controller,
        waiters: 0,
      };
      flight = started;
      this.running.set(key, flight);
    }
    flight.waiters++;
    return callerSignal ? this.waitOrLeave(key, flight, callerSignal) : flight.promise;
  }

  /** Removes `flight` from the running ones, if it is still the one for `key`. */
  private forget(key: string, flight: Flight<T>): void {
    if (this.running.get(key) === flight) {
      this.running.delete(key);
    }
  }

  private waitOrLeave(key: string, flight: Flight<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        if (--flight.waiters === 0) {
          flight.controller.abort(signal.reason);
          this.forget(key, flight);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        }
      );
    });
  }
}
