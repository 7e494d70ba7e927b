/**
 * A working array kept from one call to the next on the same thread, for a temporary whose size repeats (a forest's
 * nodes while it grows): reused instead of allocated anew.
 *
 * Why: a browser gives every new typed array fresh memory and hands freed memory back to the system, so a new array
 * costs a page fault for every 4 KiB written to it. Measured in Chromium 156 on the 2-core CI machine (training and
 * scoring 50 series of 10 000 rows, as the panel's workers do): ~1 000 page faults per series and a quarter of the
 * time spent in the kernel, where Node keeps freed memory and pays almost none.
 *
 * The contents are whatever the last caller left: callers write every entry before they read it. Only arrays of at
 * most MAX_KEPT_BYTES are kept (a larger one, e.g. the nodes of a forest of thousands of trees, is made per call as
 * before). The engine keeps about 20 of them per thread (the forest's 5, feature building's 13, the training matrix),
 * so a thread that once builds features for a table of ~200 000 rows keeps up to ~40 MB; the panel's (up to 20 000
 * training rows) keep 2-3 MB. One caller at a time: it takes the array within one synchronous call and keeps no
 * reference after it, or holds the whole set across its steps through a Lendable.
 */
const MAX_KEPT_BYTES = 2 * 1024 * 1024;

export class WorkingArray<T extends Int32Array | Float64Array | Float32Array | Uint8Array> {
  private kept: T | undefined;

  constructor(private readonly make: (length: number) => T) {}

  /** `length` entries (contents unspecified): of the kept array when it is long enough, else of a new one. */
  take(length: number): T {
    if (this.kept !== undefined && this.kept.length >= length) {
      return this.kept.subarray(0, length) as T;
    }
    const array = this.make(length);
    if (array.byteLength <= MAX_KEPT_BYTES) {
      this.kept = array;
    }
    return array;
  }
}

/**
 * Working arrays lent to one caller at a time, for temporaries that live across a generator's steps (between
 * which the thread may run other work, even another such generator). The thread keeps one free set: a caller takes
 * it, or a new one when it is out, and gives its set back when done; the first set given back is kept, any other
 * dropped. A generator given up half-way without return() just drops its set: the next caller makes one, which is
 * then kept (no state to leak).
 */
export class Lendable<T> {
  private free: T | undefined;

  constructor(private readonly make: () => T) {}

  /** The thread's free set, or a new one when another caller has it. */
  borrow(): T {
    const set = this.free ?? this.make();
    this.free = undefined;
    return set;
  }

  /** Gives back what borrow() lent: kept when the thread has no free set, else dropped. */
  giveBack(set: T | undefined): void {
    this.free ??= set;
  }
}
