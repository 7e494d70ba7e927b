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
 * before), so a thread keeps a few MB at most. One caller at a time: it takes the array within one synchronous call
 * and keeps no reference after it.
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
 * which the thread may run other work, even another such generator). A caller that finds them lent gets a set of its
 * own, made for it and dropped after it (as before they were kept); a generator given up half-way without return()
 * keeps the thread's set lent, and later callers then get sets of their own (slower, never wrong).
 */
export class Lendable<T> {
  private shared: T | undefined;
  private lent = false;

  constructor(private readonly make: () => T) {}

  /** The thread's set when it is free, else a new one. */
  borrow(): T {
    if (this.lent) {
      return this.make();
    }
    this.lent = true;
    return (this.shared ??= this.make());
  }

  /** Gives back what borrow() lent (a set of its own is dropped). */
  giveBack(arrays: T | undefined): void {
    if (arrays !== undefined && arrays === this.shared) {
      this.lent = false;
    }
  }
}
