/**
 * Lets at most `limit` tasks run at once; the rest wait in arrival order. The proxy bounds its anomaly queries with
 * one (limits.maxQueriesInFlight) and its trainings with another (limits.maxConcurrency). A waiting caller whose
 * signal aborts (client gone, query timeout) leaves the queue at once with the signal's reason.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Tasks running now (at most `limit`). */
  get runningCount(): number {
    return this.running;
  }

  /** Callers waiting for a turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.limit) {
      await this.waitForSlot(signal);
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes to the next waiter without being released
      } else {
        this.running--;
      }
    }
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(signal!.reason);
      };
      const take = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      this.waiting.push(take);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
