import { toDetectorOptions } from '../model/detectorOptions';
import { withDefaults } from '../options/defaults';
import type { AnomalyOptions } from '../types';
import type { WarmUpTemplate } from '../worker/warmUp';
import { START, STEP } from './frames';

/** A warm-up template as a panel of these options (20 trees unless given) would send it, 2 000 steps wide. */
export function testWarmUpTemplate(
  overrides: Partial<AnomalyOptions> = {},
  columnsPerModel = 1,
  checkCount = 19
): WarmUpTemplate {
  const options = withDefaults({ trees: 20, ...overrides });
  return {
    detector: toDetectorOptions(options),
    contamination: options.contamination,
    grid: { fromMs: START, toMs: START + 2000 * STEP, columns: 600 },
    rules: { minConsecutive: options.minConsecutive, direction: options.direction },
    window: options.window,
    intervalMs: STEP,
    check: { count: checkCount, reason: 'test', where: 'in the visible range', trainsOnScoredRows: true },
    online: options.online,
    columnsPerModel,
  };
}
