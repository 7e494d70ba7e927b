// Seeded bench data: telemetry-like gaussian columns with 1% outliers, row-major, from the engine's own PRNG.
const { createRandom } = require('../../pkg/engine/dist');

function gaussianMatrix(rows, cols, seed = 1) {
  const random = createRandom(seed);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) {
    // Irwin–Hall approximation of a standard normal: cheap and deterministic.
    const normal = random.nextFloat() + random.nextFloat() + random.nextFloat() + random.nextFloat() - 2;
    const outlier = random.nextFloat() < 0.01 ? 6 : 0;
    values[i] = 50 + 10 * normal + 10 * outlier;
  }
  return { rows, cols, values };
}

module.exports = { gaussianMatrix };
