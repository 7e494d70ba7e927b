import { readFileSync } from 'fs';
import { join } from 'path';
import { averagePathLength } from '@telemetry-analyzer/engine';

const fixture: { values: number[] } = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/average-path-length.json'), 'utf8')
);

describe('averagePathLength', () => {
  it("equals sklearn's _average_path_length to 1e-12 for n = 1..10000", () => {
    expect(fixture.values).toHaveLength(10000);
    let worst = 0;
    fixture.values.forEach((expected, i) => {
      const n = i + 1;
      const difference = Math.abs(averagePathLength(n) - expected);
      worst = Math.max(worst, difference);
      if (difference > 1e-12) {
        throw new Error(`c(${n}) = ${averagePathLength(n)}, sklearn ${expected}`);
      }
    });
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('is 0 up to one sample and 1 for two', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
  });
});
