import { overFlaggingWarning } from '@telemetry-analyzer/engine';

/** A warning the panel shows above the chart when it flags far more points than its contamination asks for. */
export interface FlagShareNotice {
  /** 'auto': sklearn's fixed threshold flags many points; 'over-flagging': more than 3 × a numeric contamination. */
  kind: 'auto' | 'over-flagging';
  share: number;
  title: string;
  text: string;
}

/**
 * The notice for `flagged` of `scored` points at `contamination`, or undefined when the share is as expected. The
 * limits are the engine's (overFlaggingWarning), the same as the CLI's and the proxy's.
 */
export function flagShareNotice(
  contamination: 'auto' | number,
  flagged: number,
  scored: number
): FlagShareNotice | undefined {
  const warning = overFlaggingWarning(flagged, scored, contamination);
  if (warning === undefined) {
    return undefined;
  }
  const share = flagged / scored;
  const percent = `${(share * 100).toFixed(1)} %`;
  if (contamination === 'auto') {
    return {
      kind: 'auto',
      share,
      title: `Contamination auto flags ${percent} of the points`,
      text:
        'auto uses a fixed score threshold of 0.5 (as scikit-learn), which suits few series. Set contamination to ' +
        'the share of anomalies you expect (e.g. 0.01) to mark fewer points.',
    };
  }
  return {
    kind: 'over-flagging',
    share,
    title: `${percent} of the points flagged at contamination ${contamination}`,
    text:
      `More than ${Math.round(share / contamination)} times the contamination: the data has likely moved away from ` +
      'what the model was trained on. Train on a longer, representative range, or turn on Online mode, which ' +
      "judges each point against the series' recent behaviour.",
  };
}
