/**
 * A least-recently-used map bounded by the total weight of its entries (their count when every entry weighs 1, or
 * their bytes: `weigh`) and, optionally, by their count as well (the model cache: maxModels and maxBytes).
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order; re-inserting on every read keeps the least recently used first.
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private weightHeld = 0;

  /**
   * @param maxWeight the most the entries may weigh together; beyond it the least recently used are evicted
   * @param onEvict called for every entry evicted to stay within maxWeight (not for delete or a replaced value)
   * @param weigh an entry's weight [1], taken when it is set
   * @param maxEntries the most entries it may hold, whatever they weigh [no bound]
   */
  constructor(
    readonly maxWeight: number,
    private readonly onEvict?: (key: K, value: V) => void,
    private readonly weigh: (value: V) => number = () => 1,
    readonly maxEntries = Infinity
  ) {
    if (!Number.isInteger(maxWeight) || maxWeight < 1) {
      throw new Error(`LruCache maxWeight must be a positive integer, got ${maxWeight}`);
    }
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** What the entries weigh together (<= maxWeight). */
  get weight(): number {
    return this.weightHeld;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores `value` as the most recently used entry. An entry heavier than maxWeight on its own is not kept (it is
   * evicted at once, and the others stay).
   */
  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    if (weight > this.maxWeight) {
      this.onEvict?.(key, value);
      return;
    }
    this.entries.set(key, { value, weight });
    this.weightHeld += weight;
    while (this.weightHeld > this.maxWeight || this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [K, { value: V; weight: number }];
      this.delete(oldestKey);
      this.onEvict?.(oldestKey, oldest.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      return false;
    }
    this.entries.delete(key);
    this.weightHeld -= entry.weight;
    return true;
  }

  keys(): K[] {
    return [...this.entries.keys()];
  }

  /** The values, least recently used first, without counting as a use. */
  values(): V[] {
    return [...this.entries.values()].map((entry) => entry.value);
  }
}
