import type { AnomalyDetector } from '@telemetry-analyzer/engine';

/**
 * Trained detectors by slot. A slot holds one model: training it anew (other options or training data) replaces
 * the old one, so memory stays bounded by the number of series/groups the panel shows.
 */
export class DetectorCache {
  private readonly entries = new Map<string, { trainingKey: string; detector: AnomalyDetector }>();

  get(slot: string, trainingKey: string): AnomalyDetector | undefined {
    const entry = this.entries.get(slot);
    return entry && entry.trainingKey === trainingKey ? entry.detector : undefined;
  }

  /** The slot's model whatever it was trained on (explaining the slot's latest result). */
  latest(slot: string): AnomalyDetector | undefined {
    return this.entries.get(slot)?.detector;
  }

  has(slot: string, trainingKey: string): boolean {
    return this.get(slot, trainingKey) !== undefined;
  }

  set(slot: string, trainingKey: string, detector: AnomalyDetector): void {
    this.entries.set(slot, { trainingKey, detector });
  }

  /** Forgets the slot's model (it learned data the slot's series no longer hold). */
  delete(slot: string): void {
    this.entries.delete(slot);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The contamination each detector is thresholded at (set when it is trained and by rethreshold). Re-thresholding
 * sorts the training rows' scores (a percentile), the same every time for the same contamination.
 */
const thresholds = new WeakMap<AnomalyDetector, 'auto' | number>();

/** Records that `detector` was trained (so thresholded) with `contamination`. */
export function thresholdedAt(detector: AnomalyDetector, contamination: 'auto' | number): void {
  thresholds.set(detector, contamination);
}

/**
 * detector.setContamination(contamination), unless the detector is thresholded at it already: a refresh with the
 * same options keeps the same threshold without sorting the training scores again. Every re-threshold of a cached
 * detector goes through here, so what is recorded is what the detector holds.
 */
export function rethreshold(detector: AnomalyDetector, contamination: 'auto' | number): void {
  if (thresholds.get(detector) !== contamination) {
    detector.setContamination(contamination);
    thresholds.set(detector, contamination);
  }
}
