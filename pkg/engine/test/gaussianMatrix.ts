import { createRandom, type FeatureMatrix } from '@telemetry-analyzer/engine';

/** rows x cols standard normal values (Box–Muller on the engine's PRNG), deterministic per seed. */
export function gaussianMatrix(rows: number, cols: number, seed: number): FeatureMatrix {
  const random = createRandom(seed);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  }
  return { rows, cols, values };
}
