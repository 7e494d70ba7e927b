/**
 * Lets at most `limit` tasks run at once; the rest wait in arrival order. The proxy bounds its anomaly queries with
 * one (limits.maxQueriesInFlight) and its trainings with another (limits.maxConcurrency). A waiting caller whose
 * signal aborts (client gone, query timeout) leaves the queue at once with the signal's reason.
 */
export class ConcurrencyLimit {
  private running = 0;
  /** Turns lent (lend) and not yet taken back. */
  private lent = 0;
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
      this.release();
    }
  }

  /**
   * For a task that holds a turn: gives it to the next waiter while `wait` runs, and takes one back when `wait` is
   * done, without queueing (so briefly more than `limit` may run). An anomaly query lends its turn of
   * limits.maxQueriesInFlight while it waits for trainings (limits.maxConcurrency): held, 32 cold queries waiting for 4
   * trainings kept every warm query, alert rules included, waiting for minutes (an attack review: 112 s). At most
   * `limit` turns are lent at once (what lent queries hold stays bounded); past that a task keeps its turn as it waits.
   */
  async lend<T>(wait: () => Promise<T>): Promise<T> {
    if (this.lent >= this.limit) {
      return wait();
    }
    this.lent++;
    this.release();
    try {
      return await wait();
    } finally {
      this.lent--;
      this.running++;
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(); // the slot passes to the next waiter without being released
    } else {
      this.running--;
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
