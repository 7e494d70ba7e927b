import { DEFAULT_DETECTOR_SETTINGS, DEFAULT_FEATURE_OPTIONS, IsolationForest } from '../../src';
import { ANOMALY_INTEGER_LIMITS, withinIntegerLimits } from '../../src/contract/anomalyQueryContract';

describe('anomaly query contract', () => {
  it('states the defaults the engine applies when nothing is given', () => {
    const forest = new IsolationForest().params;
    expect(DEFAULT_DETECTOR_SETTINGS).toEqual({
      trees: forest.nEstimators,
      seed: forest.seed,
      window: DEFAULT_FEATURE_OPTIONS.window,
      lags: DEFAULT_FEATURE_OPTIONS.lags,
    });
  });

  it('has defaults inside its own limits', () => {
    for (const name of Object.keys(ANOMALY_INTEGER_LIMITS) as Array<keyof typeof ANOMALY_INTEGER_LIMITS>) {
      expect(withinIntegerLimits(name, DEFAULT_DETECTOR_SETTINGS[name])).toBe(true);
    }
  });

  it('accepts the limits themselves and refuses what lies beyond them or is not an integer', () => {
    expect(withinIntegerLimits('window', 2)).toBe(true);
    expect(withinIntegerLimits('window', 1)).toBe(false);
    expect(withinIntegerLimits('seed', 2 ** 32 - 1)).toBe(true);
    expect(withinIntegerLimits('seed', 2 ** 32)).toBe(false);
    expect(withinIntegerLimits('trees', 1.5)).toBe(false);
  });
});
