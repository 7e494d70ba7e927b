/**
 * The CLI's detector flags default to the detector settings of the anomaly-query contract (engine
 * src/contract/anomalyQueryContract.ts), the ones the panel and the proxy use: same data, same flags, same scores.
 */
import { DEFAULT_DETECTOR_SETTINGS } from '@telemetry-analyzer/engine';
import { buildProgram } from '../src/program';

test.each(['detect', 'train'])('%s: --trees, --window, --lags and --seed default to the shared settings', (name) => {
  const command = buildProgram().commands.find((c) => c.name() === name)!;
  const defaults = Object.fromEntries(
    (['trees', 'window', 'lags', 'seed'] as const).map((flag) => [
      flag,
      Number(command.options.find((option) => option.long === `--${flag}`)?.defaultValue),
    ])
  );
  expect(defaults).toEqual({ ...DEFAULT_DETECTOR_SETTINGS });
});
