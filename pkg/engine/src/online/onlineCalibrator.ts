/**
 * The calibration half of online detection (OnlineDetector = OnlineForest, then OnlineCalibrator): turns the forest
 * stage's raw scores into calibrated scores (onlineCalibration.ts, with each row's trailing deviation) and flags, row
 * after row. It needs the rows' values and the forest stage's results in the order they were pushed, nothing else.
 */
import {
  calibratedThreshold,
  DEFAULT_CALIBRATION,
  OnlineCalibration,
  type CalibrationOptions,
} from './onlineCalibration';
import { ONLINE_TRAINING, requireInteger, type ForestScores, type WarmupSeed } from './onlineForest';
import { TrailingDeviation } from './trailingDeviation';
import { modelContamination } from '../flagShare';

/** The calibration stage's options (OnlineOptions has them all). */
export interface CalibrationStageOptions extends CalibrationOptions {
  /** [500] Rows the trailing deviation compares each value with. */
  deviationWindow?: number;
}

export const DEFAULT_CALIBRATION_STAGE_OPTIONS = Object.freeze({ ...DEFAULT_CALIBRATION, deviationWindow: 500 });

/** What the calibration gives the pushed rows (see OnlineResult). */
export interface CalibratedRows {
  /** Calibrated score in [0, 1] (the highest of the models' in per-column mode); NaN for rows not scored. */
  scores: Float64Array;
  /** The raw score of the model that gave `scores`; NaN for rows not scored. */
  rawScores: Float64Array;
  isAnomaly: Uint8Array;
  /** Per-column mode: each column's calibrated score (NaN for rows not scored). */
  columnScores?: Float64Array[];
}

/** Per model: its calibration and the trailing deviation of each of its columns. */
interface ModelState {
  columns: number[];
  calibration: OnlineCalibration;
  deviations: TrailingDeviation[];
}

export class OnlineCalibrator {
  readonly options: Required<CalibrationStageOptions>;
  private readonly states: ModelState[];

  /**
   * @param columnCount the detector's columns
   * @param perColumn per-column mode: a model (and a calibration) per column, else one for all columns
   * @param contamination the forest option: the share of rows flagged, or 'auto' (raw scores above 0.5)
   */
  constructor(
    columnCount: number,
    private readonly perColumn: boolean,
    private readonly contamination: number | 'auto',
    options: CalibrationStageOptions = {}
  ) {
    this.options = { ...DEFAULT_CALIBRATION_STAGE_OPTIONS, ...options };
    requireInteger('deviationWindow', this.options.deviationWindow, 2);
    const all = Array.from({ length: columnCount }, (_, c) => c);
    const groups = perColumn ? all.map((c) => [c]) : [all];
    this.states = groups.map((group) => ({
      columns: group,
      calibration: new OnlineCalibration(this.options),
      deviations: group.map(() => new TrailingDeviation(this.options.deviationWindow)),
    }));
  }

  /** The threshold rows are flagged against: onlineThreshold. */
  get threshold(): number {
    return onlineThreshold(this.contamination, this.states.length);
  }

  /**
   * Calibrates the forest stage's result for the rows pushed to it: `values` are their values, per column, in the
   * detector's column order. Results must come in the order of their pushes.
   */
  push(values: Array<ArrayLike<number>>, forest: ForestScores): CalibratedRows {
    if ((forest.leftWalks?.length ?? 0) > 0) {
      throw new Error('the forest stage left rows unwalked: walkLeftRows before calibrating');
    }
    const rows = forest.status.length;
    const out: CalibratedRows = {
      scores: new Float64Array(rows).fill(NaN),
      rawScores: new Float64Array(rows).fill(NaN),
      isAnomaly: new Uint8Array(rows),
      columnScores: this.perColumn ? this.states.map(() => new Float64Array(rows).fill(NaN)) : undefined,
    };
    if (forest.seed !== undefined) {
      this.seed(forest.seed);
    }
    const threshold = this.threshold;
    this.states.forEach((state, m) => {
      const raws = forest.rawScores[m];
      for (let row = 0; row < rows; row++) {
        if (forest.status[row] === ONLINE_TRAINING) {
          continue; // the warm-up rows came with the seed
        }
        const deviation = this.deviationOf(state, values, row);
        const raw = raws[row];
        const score = state.calibration.calibrate(raw, deviation);
        if (out.columnScores) {
          out.columnScores[m][row] = score;
        }
        if (!(out.scores[row] >= score)) {
          out.scores[row] = score;
          out.rawScores[row] = raw;
        }
        if (this.contamination === 'auto' ? raw > threshold : score > threshold) {
          out.isAnomaly[row] = 1;
        }
      }
    });
    return out;
  }

  /** The first model's training rows: their deviations, and the in-sample scores of the rows it scored. */
  private seed({ values, trainingScores }: WarmupSeed): void {
    const rows = values.length > 0 ? values[0].length : 0;
    this.states.forEach((state, m) => {
      for (let row = 0; row < rows; row++) {
        const deviation = this.deviationOf(state, values, row);
        const score = trainingScores[m][row];
        if (!Number.isNaN(score)) {
          state.calibration.remember(score, deviation);
        }
      }
    });
  }

  /** The largest trailing deviation of the model's columns at a row; pushes the row's values after. */
  private deviationOf(state: ModelState, values: Array<ArrayLike<number>>, row: number): number {
    let deviation = 0;
    for (let d = 0; d < state.columns.length; d++) {
      const value = values[state.columns[d]][row];
      deviation = Math.max(deviation, state.deviations[d].deviation(value));
      state.deviations[d].push(value);
    }
    return deviation;
  }
}

/**
 * Flags are scores above this (numeric contamination); for 'auto', raw scores above 0.5 (sklearn's rule). In
 * per-column mode a row is flagged when any of its k columns is, so each column gets contamination / k: the row's
 * flag share stays at most the contamination.
 * @param models the detector's models: one, or one per column in per-column mode
 */
export function onlineThreshold(contamination: number | 'auto', models: number): number {
  const share = modelContamination(contamination, models);
  return share === 'auto' ? 0.5 : calibratedThreshold(share);
}
