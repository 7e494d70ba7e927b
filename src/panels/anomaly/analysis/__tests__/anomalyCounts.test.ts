import type { ModelAnalysis } from '../analysePanel';
import { anomalyCountText, anomalyCounts } from '../anomalyCounts';

/** A model over `names` whose series have `counts` marked points (no outcome: not scored). */
function analysis(names: string[], counts?: number[]): ModelAnalysis {
  return {
    model: { series: names.map((name) => ({ name })) },
    outcome: counts && { series: counts.map((anomalyCount) => ({ anomalyCount })) },
  } as unknown as ModelAnalysis;
}

describe('anomalyCounts', () => {
  const analyses = [analysis(['cpu a'], [4]), analysis(['cpu b', 'mem b'], [2, 7]), analysis(['flat'])];

  it('counts every scored series, and those not hidden in the legend (a multivariate model per series)', () => {
    expect(anomalyCounts(analyses, new Set())).toEqual({ all: 13, shown: 13, someHidden: false });
    expect(anomalyCounts(analyses, new Set(['mem b', 'flat']))).toEqual({ all: 13, shown: 6, someHidden: true });
    expect(anomalyCounts(analyses, new Set(['cpu a', 'cpu b', 'mem b']))).toEqual({
      all: 13,
      shown: 0,
      someHidden: true,
    });
    // A hidden name no scored series has (a series gone after a refresh): nothing hidden.
    expect(anomalyCounts(analyses, new Set(['gone']))).toEqual({ all: 13, shown: 13, someHidden: false });
  });

  it('says what is shown, and how many in all while series are hidden', () => {
    expect(anomalyCountText({ all: 13, shown: 13, someHidden: false })).toBe('13 anomalies');
    expect(anomalyCountText({ all: 1, shown: 1, someHidden: false })).toBe('1 anomaly');
    expect(anomalyCountText({ all: 13, shown: 1, someHidden: true })).toBe('1 anomaly shown (13 in all)');
    expect(anomalyCountText({ all: 13, shown: 0, someHidden: true })).toBe('0 anomalies shown (13 in all)');
  });
});
