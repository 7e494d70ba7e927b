/**
 * Turns one series' raw scores into a calibrated score in [0, 1] that one threshold serves across series: each
 * score is judged against the series' own recent scores, not against a scale fixed at training time, so a
 * drifting or noisy series does not flag more than a calm one.
 *
 * Two signals are judged, each against its own last `horizon` values (SlidingScoreHistory): the forest's raw
 * score and the trailing deviation of the values (TrailingDeviation). For a signal value s:
 *   - s beats every remembered value (a new record; once MIN_RECORD_HISTORY values are remembered):
 *     0.5 + 0.5 * min(1, (s - max) / (max - median)), i.e. above 0.5, more so the further it exceeds the old
 *     maximum, measured in the history's own spread;
 *   - otherwise its rank(s), the share of remembered values it beats.
 * A row that sets a record in either signal scores the larger record score. Otherwise it scores half the standing
 * of its larger signal rank among the recent rows' larger signal ranks (a third history; SlidingScoreHistory
 * .standing, which a short history keeps below the flag threshold): uniform in [0, 0.5) while the series behaves as
 * it did, however the two signals are correlated. One event often sets several records in a row; a record within
 * `mergeRows` rows after the last kept one scores as its rank instead, so one event is one record.
 *
 * Flags: with a numeric contamination c, a row is flagged when its score exceeds 0.5 * (1 - c): its larger signal
 * rank beats the share 1 - c of the recent rows' (or it is a record), so about c of the rows are flagged over the
 * horizon, whatever the series' scale or drift. Scores above 0.5 are the rarer, alert-grade events.
 */
import { SlidingScoreHistory } from './slidingScoreHistory';

export interface CalibrationOptions {
  /** [5000] Recent rows each score is ranked against: at least MIN_RECORD_HISTORY. */
  horizon?: number;
  /** [100] Rows after a record within which a further record is merged into it (0 = keep every record). */
  mergeRows?: number;
}

export const DEFAULT_CALIBRATION: Readonly<Required<CalibrationOptions>> = Object.freeze({
  horizon: 5000,
  mergeRows: 100,
});

/** Calibrated scores above this are records: beyond everything in the horizon. */
export const RECORD_LEVEL = 0.5;

/**
 * Remembered rows a record needs: beating everything is rare only when there was much to beat (the largest of 20
 * alike rows is one of 21 rows in turn; a first model trained on a short warm-up scored its own rows lower than
 * the next ones, so the first rows after it set records: a review found the first scored row flagged in every run
 * with --warmup 20). Ordinary scores take care of short histories themselves (SlidingScoreHistory.standing).
 */
export const MIN_RECORD_HISTORY = 100;

/** The threshold on the calibrated score for a numeric contamination (share of rows expected to be anomalous). */
export function calibratedThreshold(contamination: number): number {
  return RECORD_LEVEL * (1 - contamination);
}

export class OnlineCalibration {
  private readonly forest: SlidingScoreHistory;
  private readonly deviation: SlidingScoreHistory;
  /** The larger of the two signal ranks of each recent row. */
  private readonly combined: SlidingScoreHistory;
  private readonly mergeRows: number;
  /**
   * Rows since the last kept record, counted before the check: it starts at `mergeRows`, so the first record is
   * kept. A small integer, never Infinity: a field that once held a double boxes each later value in a new heap
   * number.
   */
  private sinceRecord: number;

  constructor(options: CalibrationOptions = {}) {
    const { horizon, mergeRows } = { ...DEFAULT_CALIBRATION, ...options };
    if (!Number.isInteger(mergeRows) || mergeRows < 0) {
      throw new RangeError(`mergeRows must be an integer >= 0, got ${mergeRows}`);
    }
    if (!(horizon >= MIN_RECORD_HISTORY)) {
      // A shorter horizon never holds the history a record needs, nor lets an ordinary row beat a 1 % threshold.
      throw new RangeError(`horizon must be at least ${MIN_RECORD_HISTORY} rows, got ${horizon}`);
    }
    this.forest = new SlidingScoreHistory(horizon);
    this.deviation = new SlidingScoreHistory(horizon);
    this.combined = new SlidingScoreHistory(horizon);
    this.mergeRows = mergeRows;
    this.sinceRecord = mergeRows;
  }

  /** Remembers a row's signals without scoring it (the rows a model was trained on). */
  remember(forestScore: number, deviation: number): void {
    this.score(forestScore, deviation);
  }

  /** The calibrated score of a row, from its signals; then remembers them. */
  calibrate(forestScore: number, deviation: number): number {
    // Judged against the histories before score() adds the row to them.
    const record = Math.max(recordScore(this.forest, forestScore), recordScore(this.deviation, deviation));
    const ordinary = this.score(forestScore, deviation);
    this.sinceRecord++;
    if (record > RECORD_LEVEL && this.sinceRecord > this.mergeRows) {
      this.sinceRecord = 0;
      return record;
    }
    return ordinary;
  }

  /**
   * The row's ordinary score; remembers its signals. (Numbers, not an object per row: the scoring of a million rows
   * allocated ~240 MB of them.)
   */
  private score(forestScore: number, deviation: number): number {
    const forestRank = this.forest.rank(forestScore);
    const deviationRank = this.deviation.rank(deviation);
    const larger = Math.max(forestRank, deviationRank);
    // Its standing, not its rank: with fewer than 1 / c rows remembered no row reaches the flag threshold of a
    // contamination c (beating all 20 of a short warm-up's rows is not a 1-in-100 event).
    const ordinary = RECORD_LEVEL * this.combined.standing(larger);
    this.forest.push(forestScore);
    this.deviation.push(deviation);
    this.combined.push(larger);
    return ordinary;
  }
}

/** A signal value's record score among the history: 0 unless it beats them all. */
function recordScore(history: SlidingScoreHistory, value: number): number {
  const max = history.max;
  if (history.size < MIN_RECORD_HISTORY || !(value > max)) {
    return 0;
  }
  const spread = max - history.median();
  const excess = spread > 0 ? (value - max) / spread : 1;
  return RECORD_LEVEL + RECORD_LEVEL * Math.min(1, excess);
}
