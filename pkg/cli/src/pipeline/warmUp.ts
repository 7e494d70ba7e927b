/**
 * Runs the engine's online forest stage once on a small made-up series, so that V8 has compiled the code every batch
 * runs (features, the forest's fit, the walk) before the first real batch arrives. A scoring worker started ahead
 * of its plan does it while the reading thread checks the input, an idle time for the worker: cold, the first batch
 * took ~80 ms to train its first model, half of it walking the warm-up rows in unoptimised code, while the reading
 * thread waited. Nothing of it is kept: the engine holds no state between detectors.
 */
import { OnlineForest } from '@telemetry-analyzer/engine';

/** Rows of the made-up series: enough for the walk's loop to be optimised, a few tens of ms. */
const WARM_UP_ROWS = 3000;

export function warmUpEngine(): void {
  const timestamps = Float64Array.from({ length: WARM_UP_ROWS }, (_, i) => 1.7e12 + i * 15_000);
  // A daily-like wave with some spread: splits of every kind, leaves at every depth.
  const values = Float64Array.from(timestamps, (_, i) => 100 + 10 * Math.sin(i / 50) + ((i * 7919) % 13));
  const forest = new OnlineForest(
    ['warm-up'],
    { forest: { nEstimators: 20, contamination: 0.01 }, features: { seasonality: false } },
    { warmup: WARM_UP_ROWS / 5 }
  );
  forest.push({ timestamps, columns: [{ name: 'warm-up', values }] });
}
