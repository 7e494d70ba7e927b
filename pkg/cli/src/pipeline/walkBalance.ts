/**
 * How much of the forest walk the reading thread takes over from the scoring worker, online (OnlineForest.push's
 * leaveShare; GroupFinishing walks those rows). The worker's walk is most of a run's work; with the walk on the
 * worker alone, the reading thread idles about a third of the time while the worker never does. The share follows
 * both threads' idle time (event-loop utilisation, measured by Node between two answers of the worker): the thread
 * that idled more takes more of the walk. Results do not depend on the share (a row's score is the same double on
 * either thread), only the speed does, so the share may move with the machine's load.
 */
import { performance } from 'perf_hooks';

/** Where the share starts: about the balance measured on 2 cores (docs/performance.md). */
const INITIAL_SHARE = 0.15;
/** The reading thread never takes more than this: it also reads, calibrates and writes everything. */
const MAX_SHARE = 0.5;
/** Share moved per unit of idle-time difference: a damped step towards the balance. */
const GAIN = 0.3;
/**
 * Idle times are compared over at least this long: over one answer (a batch, ~20 ms) the threads take turns (each
 * waits for the other's batch), which says nothing about the balance.
 */
const WINDOW_MS = 200;

/** What Node measures of a thread's event loop (performance, or a Worker's worker.performance): ms idle and active. */
export interface LoopMeter {
  eventLoopUtilization(): { idle: number; active: number };
}

type LoopTimes = ReturnType<LoopMeter['eventLoopUtilization']>;

export class WalkBalance {
  /** The share of its scored rows the worker leaves to the reading thread, for the next batch. */
  share = INITIAL_SHARE;
  private readerMark: LoopTimes;
  private workerMark: LoopTimes;
  private markedAt: number;

  constructor(
    private readonly worker: LoopMeter,
    private readonly reader: LoopMeter = performance,
    private readonly now: () => number = () => performance.now()
  ) {
    this.markedAt = now();
    this.readerMark = reader.eventLoopUtilization();
    this.workerMark = worker.eventLoopUtilization();
  }

  /** After an answer of the worker: moves the share by how much more the reading thread idled than the worker. */
  update(): void {
    if (this.now() - this.markedAt < WINDOW_MS) {
      return;
    }
    this.markedAt = this.now();
    const reader = this.reader.eventLoopUtilization();
    const worker = this.worker.eventLoopUtilization();
    const difference = idleShare(this.readerMark, reader) - idleShare(this.workerMark, worker);
    this.readerMark = reader;
    this.workerMark = worker;
    this.share = Math.min(MAX_SHARE, Math.max(0, this.share + GAIN * difference));
  }
}

/** The share of the time between two readings that a thread idled (0 if no time passed). */
function idleShare(before: LoopTimes, after: LoopTimes): number {
  const idle = after.idle - before.idle;
  const total = idle + after.active - before.active;
  return total > 0 ? idle / total : 0;
}
