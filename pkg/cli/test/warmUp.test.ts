// The scoring worker's warm-up (run while the input is checked) leaves nothing behind: an online forest stage gives
// the same raw scores after it as before it.
import { OnlineForest } from '@telemetry-analyzer/engine';
import { warmUpEngine } from '../src/pipeline/warmUp';

function rawScores(): Float64Array {
  const timestamps = Float64Array.from({ length: 4000 }, (_, i) => 1.7e12 + i * 60_000);
  const values = Float64Array.from(timestamps, (_, i) => 30 + 5 * Math.cos(i / 90) + ((i * 104_729) % 17) / 4);
  const forest = new OnlineForest(['cpu'], { forest: { seed: 4, contamination: 0.01 } }, { warmup: 800 });
  return forest.push({ timestamps, columns: [{ name: 'cpu', values }] }).rawScores[0];
}

describe('warmUpEngine', () => {
  it('leaves the engine scoring as before it', () => {
    const before = rawScores();
    warmUpEngine();
    expect(Array.from(rawScores())).toEqual(Array.from(before));
    expect(before.filter((score) => score > 0).length).toBe(3200);
  });
});
