/**
 * Why the engine refused a table or an option. Hosts show `message` to the user as is (it names the column and
 * the row where that applies) and may branch on `code`, e.g. drop `column` and retry on 'constant-column'.
 */
export type EngineInputErrorCode =
  /** The table has no metric column. */
  | 'no-columns'
  /** A column is not as long as the timestamps. */
  | 'length-mismatch'
  /** Two columns share a name. */
  | 'duplicate-column'
  /** A scoring table lacks a column the detector was trained on. */
  | 'missing-column'
  /** A scoring table has a column the detector was not trained on. */
  | 'unknown-column'
  /** Fewer usable rows than training needs. */
  | 'too-few-rows'
  /** A column that does not vary over the training rows. */
  | 'constant-column'
  /** ±Infinity (or a timestamp that is not a finite number). */
  | 'not-finite'
  /** A value beyond the float32 range the forest works in. */
  | 'out-of-range'
  /** Timestamps not strictly increasing (unsorted or duplicate). */
  | 'unsorted'
  /** An option outside its allowed range. */
  | 'invalid-option'
  /** A ScoreResult handed back to explain() does not belong to the given table. */
  | 'result-mismatch';

export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';

  constructor(
    readonly code: EngineInputErrorCode,
    message: string,
    /** The metric column concerned, when there is one. */
    readonly column?: string,
    /** The table row concerned, when there is one. */
    readonly row?: number
  ) {
    super(message);
  }
}
