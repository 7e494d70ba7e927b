export type { FeatureMatrix, IsolationForestParams, FeatureContribution, SeriesTable } from './types';
export { averagePathLength } from './averagePathLength';
export { createRandom, type Random } from './random';
export { IsolationForest, type ForestBatchScorer, type ForestScoring, type TransferredForest } from './isolationForest';
export { ModelFormatError, type SerializedForest } from './modelFormat';

// Features and the detector pipeline.
export { lag } from './features/lag';
export { difference } from './features/difference';
export { rollingMean } from './features/rollingMean';
export { rollingStd } from './features/rollingStd';
export { rollingMin } from './features/rollingMin';
export { rollingMax } from './features/rollingMax';
export { timeFeatures, type TimeFeatures } from './features/timeFeatures';
export { StandardScaler, type SerializedScaler } from './features/standardScaler';
export {
  resolveFeatureOptions,
  DEFAULT_FEATURE_OPTIONS,
  FEATURE_INTEGER_LIMITS,
  type FeatureOptions,
} from './featureOptions';
export { buildFeatures, type BuiltFeatures } from './buildFeatures';
export { maxFeatureColumns, type FeatureBuildOptions, type Seasonality } from './featurePlan';
export { EngineInputError, type EngineInputErrorCode } from './engineInputError';
export { FLOAT32_MAX, FLOAT32_MIN_NORMAL, float32RangeProblem } from './validateTable';
export {
  AnomalyDetector,
  MIN_TRAINING_ROWS,
  type DetectorOptions,
  type DetectorMode,
  type ScoreResult,
  type SerializedDetector,
  type TransferredDetector,
  type TrainedDetectorOptions,
  type TrainedFeatureOptions,
} from './detector';
export type { OnlineScorer, OnlineScore } from './onlineScorer';
export { perSeriesRow, type PerSeriesRow } from './perSeriesRow';
export { runSteps, type Steps } from './steps';
export { lowerBound, partitionPoint } from './partitionPoint';
export { keptLayoutScoring } from './keptLayoutScoring';
export { matrixRows } from './matrixRows';

// The anomaly query contract shared by the panel, the proxy and the CLI: durations, option names, limits, defaults.
export {
  DURATION_UNITS,
  MAX_DURATION_MS,
  formatDuration,
  isDurationOutOfRange,
  parseDuration,
} from './contract/durations';
export {
  ANOMALY_FUNCTIONS,
  ANOMALY_INTEGER_LIMITS,
  ANOMALY_OPTION_NAMES,
  CONTAMINATION_MAX,
  DEFAULT_CONTAMINATION,
  DEFAULT_DETECTOR_SETTINGS,
  DEFAULT_OPTION_COST_LIMITS,
  DETECTION_MODES,
  detectionModeChoices,
  LABEL_NAME,
  parseDetectionMode,
  readContamination,
  withinIntegerLimits,
  type AnomalyFunction,
  type DetectionMode,
  type AnomalyIntegerOption,
  type AnomalyOptionName,
} from './contract/anomalyQueryContract';
export {
  DEFAULT_RETRAIN_INTERVAL_MS,
  batchTrainingEnd,
  featureHistoryRows,
  gridPointAtOrAfter,
  onlineTrainingEnd,
  retrainBoundary,
} from './contract/trainingWindows';

// Online detection: causal scoring with calibrated scores (see online/onlineDetector.ts).
export { SeriesBuffer } from './seriesBuffer';
export {
  OnlineDetector,
  minimumRefitHistory,
  DEFAULT_ONLINE_OPTIONS,
  ONLINE_SCORED,
  ONLINE_TRAINING,
  type OnlineOptions,
  type OnlineResult,
  type ModelSpan,
} from './online/onlineDetector';
export {
  OnlineForest,
  type ForestScores,
  type ForestStageOptions,
  type ForestStageResult,
  type WarmupSeed,
} from './online/onlineForest';
export {
  OnlineCalibrator,
  onlineThreshold,
  type CalibrationStageOptions,
  type CalibratedRows,
} from './online/onlineCalibrator';
export {
  OnlineCalibration,
  calibratedThreshold,
  MIN_RECORD_HISTORY,
  RECORD_LEVEL,
  type CalibrationOptions,
} from './online/onlineCalibration';
export { walkLeftRows, type LeftWalk, type WalkedScores } from './online/leftWalk';
export { MAX_HORIZON, SlidingScoreHistory } from './online/slidingScoreHistory';
export { TrailingDeviation } from './online/trailingDeviation';
export { overFlaggingWarning, OVER_FLAGGING_FACTOR, AUTO_SHARE_WARNING } from './flagShare';
export { constantColumns } from './constantColumns';
// How the panel and the proxy join a multivariate group's series on one step grid.
export {
  FILL_MAX_STEPS,
  MEDIAN_STEP_SAMPLE,
  alignOnStep,
  commonStep,
  medianStep,
  seriesStep,
  type AlignableSeries,
  type Alignment,
} from './alignSeries';
