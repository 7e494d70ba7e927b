/**
 * Buffers the scorer no longer needs (the series copies of a slot's previous job), kept for the panel's next copy of
 * the same size: a refresh that adds one point and drops the oldest copies into memory already written once instead
 * of new memory, which a browser faults in and zeroes page by page (in Chromium on the 2-core machine, 8 MB of fresh
 * typed arrays took 30-300 ms to fill, the same writes into used arrays 2 ms). Bounded: beyond MAX_POOLED_BYTES the
 * extra buffers are left to the garbage collector.
 *
 * The worker keeps one the other way round: the buffers of answers the panel no longer draws, which it gave back
 * (AnalyseRequest.returned), for the next answers' arrays of the same sizes (a refresh's lines, marks and scores).
 */
export const MAX_POOLED_BYTES = 64 * 1024 * 1024;
/** Bytes refill writes between two pauses. */
const REFILL_STEP_BYTES = 1024 * 1024;

/** A pooled buffer, with the Float64Array refill wrote it through (if it did). */
interface Pooled {
  buffer: ArrayBuffer;
  view?: Float64Array;
}

export class BufferPool {
  private readonly bySize = new Map<number, Pooled[]>();
  private bytes = 0;
  /** Sizes takeFloat64Array() could not supply since the last refill (the copy used new memory for them). */
  private missed: number[] = [];
  /** Sizes takeFloat64Array() was asked for since the last refill, and how many times. */
  private asked = new Map<number, number>();

  /**
   * A Float64Array of n elements on a pooled buffer (removed from the pool), or undefined: the view refill wrote
   * through, not a second one, since V8 gives up its detach promise for all of a thread's typed-array code (see the
   * worker's entry) the first time a buffer with several views is transferred, which the copy sent to a worker is.
   */
  takeFloat64Array(n: number): Float64Array | undefined {
    const byteLength = n * Float64Array.BYTES_PER_ELEMENT;
    const pooled = this.bySize.get(byteLength)?.pop();
    this.asked.set(byteLength, (this.asked.get(byteLength) ?? 0) + 1);
    if (!pooled) {
      if (byteLength > 0) {
        this.missed.push(byteLength);
      }
      return undefined;
    }
    this.bytes -= byteLength;
    return pooled.view ?? new Float64Array(pooled.buffer);
  }

  /**
   * Refills (below) once the thread is idle after a job the scorer that owns the pool has answered, unless a newer
   * job has started by then (`isStale`).
   */
  refillWhenIdle(pause: () => Promise<void>, isStale: () => boolean): void {
    setTimeout(() => void this.refill(pause, isStale), 0);
  }

  /**
   * After a job: buffers for the copies takeFloat64Array() could not supply, made now, one per pause and each written
   * once (so its pages are the process' already). The next copy of the same sizes (a dashboard's refresh) then writes
   * into them instead of into new memory, which matters after a panel's first job: the workers cannot hand buffers back
   * yet, they still hold that job's series. Measured in Chromium on the 2-core machine: the first refresh's copy of 50
   * x 10 000 rows took 13.8 ms into new memory, 3.4-6.3 ms into these (made in 4.8-6.0 ms after the first job). Later
   * copies of the same sizes are supplied by the workers' recycled buffers, so nothing is missed and nothing made; a
   * range that grows by a point per refresh misses every time, and pays this in the idle time after each job. Buffers
   * of sizes the job did not ask for are dropped first (a growing range's older sizes are never asked again): the pool
   * holds about one copy's worth at rest, within MAX_POOLED_BYTES.
   */
  async refill(pause: () => Promise<void>, isStale: () => boolean = () => false): Promise<void> {
    // Taken even when stale: the newer job's copies are what its own refill is for.
    const sizes = this.endRound();
    for (const size of sizes) {
      if (isStale()) {
        return;
      }
      if (this.bytes + size > MAX_POOLED_BYTES) {
        continue;
      }
      // Written through the view takeFloat64Array hands out (sizes are whole float64s: it is all that asks).
      const view = new Float64Array(size / Float64Array.BYTES_PER_ELEMENT);
      const step = REFILL_STEP_BYTES / Float64Array.BYTES_PER_ELEMENT;
      // Written a step at a time: a million points' series is 8 MB, whose first write is the costly part.
      for (let at = 0; at < view.length; at += step) {
        view.fill(0, at, Math.min(view.length, at + step));
        if (at + step < view.length) {
          await pause();
          if (isStale()) {
            return;
          }
        }
      }
      this.keep({ buffer: view.buffer as ArrayBuffer, view });
      await pause();
    }
  }

  /**
   * Ends a round of takes (a job's): keeps of each size no more buffers than the round asked for (none of sizes it did
   * not ask for: a growing range's older sizes are never asked again), and returns the sizes it missed (what refill
   * makes). A pool that is never refilled (the worker's, of answers the panel gave back) calls it after each job, so
   * buffers given back beyond what a job uses do not pile up.
   */
  endRound(): number[] {
    const sizes = this.missed;
    const asked = this.asked;
    this.missed = [];
    this.asked = new Map();
    for (const [size, buffers] of this.bySize) {
      const keep = asked.get(size) ?? 0;
      if (buffers.length > keep) {
        this.bytes -= size * (buffers.length - keep);
        buffers.length = keep;
      }
      if (keep === 0) {
        this.bySize.delete(size);
      }
    }
    return sizes;
  }

  /** Keeps buffers for later takes (detached or empty ones are ignored). */
  put(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      this.keep({ buffer });
    }
  }

  private keep(pooled: Pooled): void {
    const size = pooled.buffer.byteLength;
    if (size === 0 || this.bytes + size > MAX_POOLED_BYTES) {
      return;
    }
    const list = this.bySize.get(size) ?? [];
    list.push(pooled);
    this.bySize.set(size, list);
    this.bytes += size;
  }

  clear(): void {
    this.bySize.clear();
    this.bytes = 0;
    this.missed = [];
    this.asked = new Map();
  }
}

/** A Float64Array of n elements on a pooled buffer when one of that size is free, else a new one. */
export function pooledFloat64Array(pool: BufferPool | undefined, n: number): Float64Array {
  return pool?.takeFloat64Array(n) ?? new Float64Array(n);
}
