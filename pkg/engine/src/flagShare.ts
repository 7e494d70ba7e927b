/**
 * The check every host makes after scoring: did it flag far more rows than the contamination asked for? That
 * happens when the data moved away from what the model was trained on (a batch model trained on a few night
 * hours, scoring the day), and then the flags are noise, which a user should hear about rather than discover.
 */

/**
 * The contamination each of a detector's `models` is thresholded at, so that a row is flagged at about the
 * contamination asked for: per-column mode flags a row when any of its k columns' models does, so each takes
 * contamination / k (batch and online alike; batch gave every model the whole share and flagged up to k times it:
 * 5.0 % of i.i.d. noise in 5 columns at 0.01, a review). 'auto' is a fixed score threshold, not a share: unchanged.
 */
export function modelContamination(contamination: number | 'auto', models: number): number | 'auto' {
  return contamination === 'auto' ? contamination : contamination / models;
}

/** Flagging more than this many times the contamination is reported. */
export const OVER_FLAGGING_FACTOR = 3;
/** With fewer flags than this, the share is too noisy to judge. */
const MIN_FLAGS = 10;
/** 'auto' has no share of its own (sklearn's fixed 0.5 threshold): judged against this one. */
export const AUTO_SHARE_WARNING = 0.05;

/**
 * A one-sentence warning when `flagged` of `scored` rows is far above the share `contamination` expects, else
 * undefined. `online`: the rows were scored online (calibrated to the series' recent scores), where the advice differs.
 */
export function overFlaggingWarning(
  flagged: number,
  scored: number,
  contamination: number | 'auto',
  online = false
): string | undefined {
  if (scored === 0 || flagged < MIN_FLAGS) {
    return undefined;
  }
  const share = flagged / scored;
  const expected = contamination === 'auto' ? AUTO_SHARE_WARNING : OVER_FLAGGING_FACTOR * contamination;
  if (share <= expected) {
    return undefined;
  }
  if (contamination === 'auto') {
    // Not a share of the recent scores: online as in batch, "auto" compares the raw score (online, not the
    // calibrated anomaly score), so no advice about records or drift applies.
    return (
      `flagged ${flagged} of ${scored} rows (${percent(share)}), more than ${percent(AUTO_SHARE_WARNING)}: ` +
      'contamination "auto" is scikit-learn\'s fixed threshold, 0.5 on the raw Isolation Forest score' +
      `${online ? ' (not the calibrated anomaly score)' : ''}, and flags a share of its own on most real series; ` +
      'set a contamination (the share of rows expected to be anomalous, e.g. 0.01) instead'
    );
  }
  const flaggedShare = `flagged ${flagged} of ${scored} rows (${percent(share)}), more than ${OVER_FLAGGING_FACTOR} times the contamination ${contamination}`;
  if (online) {
    // Online, ordinary rows are flagged at the contamination over the horizon; the excess are records.
    return (
      `${flaggedShare}: online, that means the series kept reaching new extremes (a trend, or a level still ` +
      'shifting), each flagged as a record; score its rate or differences instead, or raise the contamination if ' +
      'such moves are normal for it'
    );
  }
  return (
    `${flaggedShare}: the data has likely moved away from what the model was trained on; use online mode ` +
    '(calibrated to recent behaviour) or train on a longer, representative range'
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}
