/**
 * Buffers the scorer no longer needs (the series copies of a slot's previous job), kept for the panel's next copy of
 * the same size: a refresh that adds one point and drops the oldest copies into memory already written once instead
 * of new memory, which a browser faults in and zeroes page by page (in Chromium on the 2-core machine, 8 MB of fresh
 * typed arrays took 30-300 ms to fill, the same writes into used arrays 2 ms). Bounded: beyond MAX_POOLED_BYTES the
 * extra buffers are left to the garbage collector.
 */
export const MAX_POOLED_BYTES = 64 * 1024 * 1024;

export class BufferPool {
  private readonly bySize = new Map<number, ArrayBuffer[]>();
  private bytes = 0;

  /** A pooled buffer of exactly `byteLength` bytes (removed from the pool), or undefined. */
  take(byteLength: number): ArrayBuffer | undefined {
    const buffer = this.bySize.get(byteLength)?.pop();
    if (buffer) {
      this.bytes -= byteLength;
    }
    return buffer;
  }

  /** Keeps buffers for later takes (detached or empty ones are ignored). */
  put(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      const size = buffer.byteLength;
      if (size === 0 || this.bytes + size > MAX_POOLED_BYTES) {
        continue;
      }
      const list = this.bySize.get(size) ?? [];
      list.push(buffer);
      this.bySize.set(size, list);
      this.bytes += size;
    }
  }

  clear(): void {
    this.bySize.clear();
    this.bytes = 0;
  }
}

/** A Float64Array of n elements on a pooled buffer when one of that size is free, else a new one. */
export function pooledFloat64Array(pool: BufferPool | undefined, n: number): Float64Array {
  const buffer = pool?.take(n * Float64Array.BYTES_PER_ELEMENT);
  return buffer ? new Float64Array(buffer) : new Float64Array(n);
}
