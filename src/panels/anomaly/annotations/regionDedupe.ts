/** An anomaly region as an annotation candidate. */
export interface RegionAnnotation {
  series: string;
  start: number;
  end: number;
}

/** A region is the same region while its series and first point are: it may still grow at its end. */
export function regionKey(region: Pick<RegionAnnotation, 'series' | 'start'>): string {
  return `${region.series}@${region.start}`;
}

/**
 * Remembers which regions were written, so each becomes exactly one annotation across refreshes. `take` returns the
 * regions not written yet and records them; keys are kept up to `capacity` (oldest dropped first).
 */
export class AnnotatedRegions {
  private readonly written = new Set<string>();

  constructor(
    initial: Iterable<string> = [],
    private readonly capacity = 5000
  ) {
    for (const key of initial) {
      this.remember(key);
    }
  }

  take(regions: RegionAnnotation[]): RegionAnnotation[] {
    const fresh: RegionAnnotation[] = [];
    for (const region of regions) {
      const key = regionKey(region);
      if (!this.written.has(key)) {
        this.remember(key);
        fresh.push(region);
      }
    }
    return fresh;
  }

  /** Forget a region whose write failed, so the next refresh tries again. */
  forget(region: RegionAnnotation): void {
    this.written.delete(regionKey(region));
  }

  keys(): string[] {
    return [...this.written];
  }

  private remember(key: string): void {
    this.written.add(key);
    if (this.written.size > this.capacity) {
      const oldest = this.written.values().next().value;
      if (oldest !== undefined) {
        this.written.delete(oldest);
      }
    }
  }
}
