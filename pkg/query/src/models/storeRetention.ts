/**
 * Which model files the store keeps: all of them within a byte budget (modelStore.maxBytes) and, optionally, an age
 * since last use (modelStore.maxAge); beyond them the least recently used go first. Any client can create models
 * (every new option value is a new key), so without this the directory would grow without bound.
 *
 * Recency is kept in memory (a Map in use order) and on disk as the files' mtime, so it survives a restart.
 */
export interface RetentionLimits {
  maxBytes: number;
  maxAgeMs?: number;
}

export interface RemovedFile {
  key: string;
  reason: 'bytes' | 'age';
}

export class StoreRetention {
  /** Key → size and last use, least recently used first. */
  private readonly files = new Map<string, { bytes: number; usedAt: number }>();
  private total = 0;

  constructor(private readonly limits: RetentionLimits) {}

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.files.size;
  }

  /** Records a file saved (or found at start-up) or read: it becomes the most recently used. */
  use(key: string, bytes: number, usedAt: number): void {
    this.forget(key);
    this.files.set(key, { bytes, usedAt });
    this.total += bytes;
  }

  /** Marks a known file used now; false when the store does not track it. */
  touch(key: string, usedAt: number): boolean {
    const file = this.files.get(key);
    if (!file) {
      return false;
    }
    this.use(key, file.bytes, usedAt);
    return true;
  }

  forget(key: string): void {
    const file = this.files.get(key);
    if (file) {
      this.total -= file.bytes;
      this.files.delete(key);
    }
  }

  /** The files to remove now, oldest first (they are forgotten here; the caller deletes them). */
  dueForRemoval(now: number, keep?: string): RemovedFile[] {
    const removed: RemovedFile[] = [];
    for (const [key, file] of this.files) {
      const tooOld = this.limits.maxAgeMs !== undefined && now - file.usedAt > this.limits.maxAgeMs;
      if (key === keep || (!tooOld && this.total <= this.limits.maxBytes)) {
        continue;
      }
      removed.push({ key, reason: tooOld ? 'age' : 'bytes' });
      this.forget(key);
    }
    return removed;
  }
}
