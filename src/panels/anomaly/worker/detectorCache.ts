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

  clear(): void {
    this.entries.clear();
  }
}
