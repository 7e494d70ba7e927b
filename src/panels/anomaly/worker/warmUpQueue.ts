/**
 * The page's warm-ups (warmUp.ts), one queue for every panel on it. A warm-up is idle-time work: it may use only the
 * cores no scoring job of the page is using. Workers with a job count one core each, warm-ups under way one more
 * each (a worker doing both counts once); a warm-up starts when that leaves a core free, and when a job starts on a
 * full page the latest warm-ups are told to stop. Without this, on a dashboard of several anomaly panels, the panel
 * done first would warm its workers up on the cores the other panels' first jobs were scoring on (every panel's
 * pool starts two workers, and each warm-up costs a worker about half a second of CPU).
 */
export interface WarmUpCandidate {
  /** Sends the worker its warm-up. The candidate answers `finished` once the worker says how it ended. */
  startWarmUp(): void;
  /** Asks the worker to stop its warm-up at its next pause (it still answers, 'stopped'). */
  stopWarmUp(): void;
}

export class WarmUpQueue {
  /** Workers with a job of the page in flight. */
  private readonly busy = new Set<WarmUpCandidate>();
  /** Warm-ups asked for and not started yet, oldest first. */
  private readonly waiting: WarmUpCandidate[] = [];
  /** Warm-ups started and not answered yet, in the order they started. */
  private readonly warming: WarmUpCandidate[] = [];
  /** Of those, the ones told to stop: they end at their worker's next pause, so they no longer count. */
  private readonly stopping = new Set<WarmUpCandidate>();

  /** @param cores the page's cores (navigator.hardwareConcurrency), at least 1 */
  constructor(private readonly cores: number) {}

  /** A worker's first job started (true) or its last one ended (false). */
  setBusy(candidate: WarmUpCandidate, busy: boolean): void {
    if (busy) {
      this.busy.add(candidate);
    } else {
      this.busy.delete(candidate);
    }
    this.balance();
  }

  /** Asks for a warm-up of this worker; once asked, asking again changes nothing. */
  request(candidate: WarmUpCandidate): void {
    if (!this.waiting.includes(candidate) && !this.warming.includes(candidate)) {
      this.waiting.push(candidate);
    }
    this.balance();
  }

  /** The worker answered how its warm-up ended. */
  finished(candidate: WarmUpCandidate): void {
    remove(this.warming, candidate);
    this.stopping.delete(candidate);
    this.balance();
  }

  /** The worker is gone (its panel disposed of it): nothing of it is counted or started any more. */
  withdraw(candidate: WarmUpCandidate): void {
    remove(this.waiting, candidate);
    remove(this.warming, candidate);
    this.stopping.delete(candidate);
    this.busy.delete(candidate);
    this.balance();
  }

  /** Whether this worker's warm-up is waiting or under way (asked for, not answered, not withdrawn). */
  holds(candidate: WarmUpCandidate): boolean {
    return this.waiting.includes(candidate) || this.warming.includes(candidate);
  }

  /** For tests and diagnostics: workers busy, warm-ups waiting, under way, and told to stop. */
  get counts(): { busy: number; waiting: number; warming: number; stopping: number } {
    return {
      busy: this.busy.size,
      waiting: this.waiting.length,
      warming: this.warming.length,
      stopping: this.stopping.size,
    };
  }

  private coresInUse(): number {
    let inUse = this.busy.size;
    for (const candidate of this.warming) {
      if (!this.busy.has(candidate) && !this.stopping.has(candidate)) {
        inUse++;
      }
    }
    return inUse;
  }

  private balance(): void {
    // A job started on a full page: the latest warm-ups give their cores back first.
    for (let k = this.warming.length - 1; k >= 0 && this.coresInUse() > this.cores; k--) {
      const candidate = this.warming[k];
      if (!this.busy.has(candidate) && !this.stopping.has(candidate)) {
        this.stopping.add(candidate);
        candidate.stopWarmUp();
      }
    }
    // Idle workers only: a busy one's warm-up waits for its own jobs to end, as its turn in the queue does.
    for (let k = 0; k < this.waiting.length && this.coresInUse() < this.cores;) {
      const candidate = this.waiting[k];
      if (this.busy.has(candidate)) {
        k++;
        continue;
      }
      this.waiting.splice(k, 1);
      this.warming.push(candidate);
      candidate.startWarmUp();
    }
  }
}

function remove<T>(items: T[], item: T): void {
  const at = items.indexOf(item);
  if (at >= 0) {
    items.splice(at, 1);
  }
}

/** The queue of every panel on the page (panels share the page's cores). */
export const pageWarmUps = new WarmUpQueue(
  Math.max(1, (typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency) || 1)
);
