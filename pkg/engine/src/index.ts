export type { FeatureMatrix, IsolationForestParams, FeatureContribution, SeriesTable } from './types';
export { averagePathLength } from './averagePathLength';
export { createRandom, type Random } from './random';
export { IsolationForest } from './isolationForest';
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
export { resolveFeatureOptions, DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './featureOptions';
export { buildFeatures, type BuiltFeatures } from './buildFeatures';
export type { FeatureBuildOptions, Seasonality } from './featurePlan';
export { EngineInputError, type EngineInputErrorCode } from './engineInputError';
export {
  AnomalyDetector,
  MIN_TRAINING_ROWS,
  type DetectorOptions,
  type DetectorMode,
  type ScoreResult,
  type SerializedDetector,
  type TrainedDetectorOptions,
  type TrainedFeatureOptions,
} from './detector';
export type { OnlineScorer, OnlineScore } from './onlineScorer';
