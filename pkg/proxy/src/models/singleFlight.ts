/**
 * Concurrent callers asking for the same key share one running promise (one training for identical requests).
 * The entry is removed once the promise settles, so a failure is never cached: the next call tries again.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  get inFlight(): number {
    return this.running.size;
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) {
      return existing;
    }
    const promise = (async () => work())().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return promise;
  }
}
