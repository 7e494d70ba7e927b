/** Panel options of the anomaly panel, as stored in the dashboard JSON. Defaults live in options/defaults.ts. */

import type { DetectionMode } from '@telemetry-analyzer/engine';

/** How series become models: each on its own, or all (of one group) together; the names every host shares. */
export type { DetectionMode };

/** Which side of the rolling mean counts: spikes only, dips only, or both. */
export type AnomalyDirection = 'above' | 'below' | 'both';

/** Where the models learn what "normal" looks like. */
export type TrainingRangeKind = 'visible' | 'previous' | 'absolute';

export interface TrainingRangeOptions {
  kind: TrainingRangeKind;
  /** kind 'previous': length of the baseline right before the visible range, in days. */
  previousDays: number;
  /** kind 'absolute': epoch milliseconds. */
  from?: number;
  to?: number;
}

export interface AnomalyOptions {
  /** Expected share of anomalies: 'auto' (score threshold 0.5) or a share in (0, 0.5]. */
  contamination: 'auto' | number;
  /** Number of isolation trees. */
  trees: number;
  /** Rows drawn per tree: 'auto' = min(256, rows) or a count. */
  maxSamples: 'auto' | number;
  /** Seed of the forest, so the same data always gives the same anomalies. */
  seed: number;
  /** Rolling window of the engineered features, in points. */
  window: number;
  /** Lags 1..lags of every series as features. */
  lags: number;
  /** Hour-of-day and weekday features: 'auto' = when the training data span at least 2 days. */
  seasonality: 'auto' | 'on' | 'off';
  /**
   * Online mode: every point scored from the points before it, with calibrated scores (docs/detection.md), as an
   * `online=true` alert rule scores it. The training range warms the detector up (without one, the first 30 % of
   * the visible points do).
   */
  online: boolean;
  mode: DetectionMode;
  /** Multivariate mode: one model per value of this label (e.g. host); empty = one model for all series. */
  groupByLabel: string;
  training: TrainingRangeOptions;
  /** Anomalies shorter than this many consecutive points are not marked. */
  minConsecutive: number;
  direction: AnomalyDirection;
  showScorePane: boolean;
  showRegions: boolean;
  /** Write each new anomaly region as a Grafana annotation. */
  writeAnnotations: boolean;
}
